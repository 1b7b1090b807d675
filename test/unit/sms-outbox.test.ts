import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxSmsProvider, readOutbox } from '../../src/adapters/sms/outbox';
import { SmsProviderError, smsKey, type SmsMessage } from '../../src/adapters/sms/types';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aftercare-outbox-'));
  file = join(dir, 'nested', 'outbox.jsonl'); // the provider creates the directory
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function msg(seq: number | string = 1, over: Partial<SmsMessage> = {}): SmsMessage {
  return {
    to: '+8613800138000',
    kind: 'received',
    text: '【Aftercare】您的服务单 SR-1 已受理。',
    idempotencyKey: smsKey('sr-ext-1', 'received', seq),
    requestId: 'sr-ext-1',
    ...over,
  };
}

describe('OutboxSmsProvider', () => {
  it('writes one JSON line per message with the documented fields', async () => {
    const at = new Date('2024-06-12T06:00:00.000Z');
    const outbox = new OutboxSmsProvider({ file, now: () => at });
    const result = await outbox.send(msg());
    expect(result).toEqual({ status: 'sent', providerMessageId: 'outbox:sr-ext-1:received:1' });
    expect(await readOutbox(file)).toEqual([
      {
        to: '+8613800138000',
        kind: 'received',
        text: '【Aftercare】您的服务单 SR-1 已受理。',
        idempotencyKey: 'sr-ext-1:received:1',
        requestId: 'sr-ext-1',
        at: '2024-06-12T06:00:00.000Z',
      },
    ]);
    expect((await readFile(file, 'utf8')).endsWith('\n')).toBe(true);
  });

  it('sends a key once: the second send is a duplicate', async () => {
    const outbox = new OutboxSmsProvider({ file });
    expect((await outbox.send(msg())).status).toBe('sent');
    expect((await outbox.send(msg())).status).toBe('duplicate');
    expect(await readOutbox(file)).toHaveLength(1);
  });

  it('writes once when sends of one key race in the same process', async () => {
    const outbox = new OutboxSmsProvider({ file });
    const results = await Promise.all(Array.from({ length: 20 }, () => outbox.send(msg())));
    expect(results.filter((r) => r.status === 'sent')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(19);
    expect(await readOutbox(file)).toHaveLength(1);
  });

  it('remembers keys across a restart (fresh instance over the same file)', async () => {
    await new OutboxSmsProvider({ file }).send(msg());
    const restarted = new OutboxSmsProvider({ file });
    // Racing first sends on the fresh instance share the one load of the file.
    const results = await Promise.all([restarted.send(msg()), restarted.send(msg()), restarted.send(msg(2))]);
    expect(results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'sent']);
    expect((await readOutbox(file)).map((l) => l.idempotencyKey)).toEqual(['sr-ext-1:received:1', 'sr-ext-1:received:2']);
  });

  it('keeps every line whole under many concurrent appends of different keys', async () => {
    const outbox = new OutboxSmsProvider({ file });
    const long = '很长的短信内容'.repeat(200);
    await Promise.all(Array.from({ length: 100 }, (_, i) => outbox.send(msg(i, { text: long }))));
    const raw = await readFile(file, 'utf8');
    const lines = raw.trimEnd().split('\n');
    expect(lines).toHaveLength(100);
    for (const line of lines) expect((JSON.parse(line) as { text: string }).text).toBe(long);
    expect(new Set(lines.map((l) => (JSON.parse(l) as { idempotencyKey: string }).idempotencyKey)).size).toBe(100);
  });

  it('survives a torn last line left by a crash', async () => {
    await new OutboxSmsProvider({ file }).send(msg(1));
    await appendFile(file, '{"to":"+86138001', 'utf8'); // half a line, no newline
    const restarted = new OutboxSmsProvider({ file });
    expect((await restarted.send(msg(1))).status).toBe('duplicate');
    expect((await restarted.send(msg(2))).status).toBe('sent');
    expect((await readOutbox(file)).map((l) => l.idempotencyKey)).toEqual(['sr-ext-1:received:1', 'sr-ext-1:received:2']);
    // and a third instance still sees both keys
    expect((await new OutboxSmsProvider({ file }).send(msg(2))).status).toBe('duplicate');
  });

  it('refuses an invalid message without writing, as a non-retryable error', async () => {
    const outbox = new OutboxSmsProvider({ file });
    const err = await outbox.send(msg(1, { to: '13800138000' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmsProviderError);
    expect(err).toMatchObject({ retryable: false, provider: 'outbox' });
    expect((err as Error).message).not.toContain('13800138000');
    expect(await readOutbox(file)).toEqual([]);
  });

  it('reports an unusable file as a retryable error, and a later retry goes through', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'not a directory');
    const outbox = new OutboxSmsProvider({ file: join(blocker, 'outbox.jsonl') });
    await expect(outbox.send(msg())).rejects.toMatchObject({ name: 'SmsProviderError', retryable: true });
    await rm(blocker);
    expect((await outbox.send(msg())).status).toBe('sent');
    expect(await readOutbox(join(blocker, 'outbox.jsonl'))).toHaveLength(1);
  });

  it('readOutbox returns [] for a missing file', async () => {
    expect(await readOutbox(join(dir, 'nope.jsonl'))).toEqual([]);
  });
});
