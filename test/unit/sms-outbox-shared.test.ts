/**
 * The outbox file shared by several processes (two workers on one host, issue 17): each provider instance here
 * plays one process. Processes really racing over one file: test/e2e/chaos-two-workers.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxSmsProvider, readOutbox } from '../../src/adapters/sms/outbox';
import { smsKey, type SmsMessage } from '../../src/adapters/sms/types';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aftercare-outbox-shared-'));
  file = join(dir, 'outbox.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function msg(seq: number, requestId = 'sr-ext-1'): SmsMessage {
  return {
    to: '+8613800138000',
    kind: 'received',
    text: '【Aftercare】您的服务单已受理。',
    idempotencyKey: smsKey(requestId, 'received', seq),
    requestId,
  };
}

const keysInFile = async (): Promise<string[]> => (await readOutbox(file)).map((l) => l.idempotencyKey);
const lock = (content: object): Promise<void> => writeFile(`${file}.lock`, JSON.stringify(content));

describe('OutboxSmsProvider shared by processes', () => {
  it('does not send again what another process sent after this one had read the file', async () => {
    const a = new OutboxSmsProvider({ file });
    const b = new OutboxSmsProvider({ file });
    expect((await b.send(msg(1))).status).toBe('sent'); // b has read the file now
    expect((await a.send(msg(2))).status).toBe('sent'); // a writes a key b has not seen
    // The activity of msg(2) retried on b (a died before reporting): found in the file, not sent twice.
    expect((await b.send(msg(2))).status).toBe('duplicate');
    expect((await a.send(msg(1))).status).toBe('duplicate');
    expect(await keysInFile()).toEqual([msg(1).idempotencyKey, msg(2).idempotencyKey]);
  });

  it('writes each key once when instances race over the same keys', async () => {
    const outboxes = [0, 1, 2].map(() => new OutboxSmsProvider({ file }));
    const seqs = Array.from({ length: 60 }, (_, i) => i);
    const results = await Promise.all(outboxes.flatMap((o, k) => (k === 1 ? [...seqs].reverse() : seqs).map((s) => o.send(msg(s)))));
    expect(results.filter((r) => r.status === 'sent')).toHaveLength(60);
    const keys = await keysInFile();
    expect(keys).toHaveLength(60);
    expect(new Set(keys).size).toBe(60);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('starts on a new line after a torn write another process left, and counts a torn key that parses', async () => {
    const a = new OutboxSmsProvider({ file });
    await a.send(msg(1));
    // Another writer died after writing all of one line but its newline, then another half of a line.
    await appendFile(file, `${JSON.stringify({ ...msg(2), at: new Date().toISOString() })}`);
    expect((await a.send(msg(2))).status).toBe('duplicate');
    await appendFile(file, '\n{"to":"+86138001');
    expect((await a.send(msg(3))).status).toBe('sent');
    expect(await keysInFile()).toEqual([msg(1).idempotencyKey, msg(2).idempotencyKey, msg(3).idempotencyKey]);
  });

  it('breaks a lock left by a process of this host that is gone', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await lock({ pid: dead, host: hostname(), nonce: 'left-behind' });
    const outbox = new OutboxSmsProvider({ file, lockWaitMs: 60_000, lockStaleMs: 600_000 });
    expect((await outbox.send(msg(1))).status).toBe('sent');
    expect(await keysInFile()).toEqual([msg(1).idempotencyKey]);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('waits for a live holder, fails retryably when it keeps the lock, and goes through once it is released', async () => {
    await lock({ pid: process.pid, host: hostname(), nonce: 'a-live-holder' });
    const outbox = new OutboxSmsProvider({ file, lockWaitMs: 200, lockStaleMs: 600_000 });
    await expect(outbox.send(msg(1))).rejects.toMatchObject({ name: 'SmsProviderError', retryable: true, provider: 'outbox' });
    expect(await keysInFile()).toEqual([]);
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8'))).toMatchObject({ nonce: 'a-live-holder' }); // not taken from it
    await rm(`${file}.lock`);
    expect((await outbox.send(msg(1))).status).toBe('sent');
  });

  it("breaks another host's lock once it is older than the stale limit", async () => {
    await lock({ pid: 1, host: 'another-host', nonce: 'remote' });
    const t0 = Date.now();
    const outbox = new OutboxSmsProvider({ file, lockWaitMs: 60_000, lockStaleMs: 300 });
    expect((await outbox.send(msg(1))).status).toBe('sent');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250); // it did wait for the lock to become stale
    expect(await keysInFile()).toEqual([msg(1).idempotencyKey]);
  });
});
