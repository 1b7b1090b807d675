import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Deduper } from './dedupe';
import { assertValidMessage, SmsProviderError, type SendResult, type SmsKind, type SmsMessage, type SmsProvider } from './types';

/** One line of the outbox file (JSON Lines). */
export interface OutboxLine {
  to: string;
  kind: SmsKind;
  text: string;
  idempotencyKey: string;
  requestId: string;
  /** ISO time the line was written. */
  at: string;
}

export interface OutboxOptions {
  /** Path of the JSON Lines file; its directory is created on first use. */
  file: string;
  /** Clock, for tests. */
  now?: () => Date;
}

/**
 * The embedded stack's "SMS gateway": every message becomes one line in a file that tests, benchmarks and
 * developers read. Dedupe survives restarts because the file itself is the record of what was sent.
 *
 * Limits, by design: one writing process per file (the worker). Two processes appending to one file at once
 * would each keep their own key set, so a key raced across processes could be written twice.
 */
export class OutboxSmsProvider implements SmsProvider {
  readonly name = 'outbox';
  private readonly file: string;
  private readonly now: () => Date;
  /** Unbounded: the file holds every key anyway, and dev/test volumes are small. */
  private readonly keys = new Deduper(Infinity);
  private loading?: Promise<void>;

  constructor(opts: OutboxOptions) {
    if (!opts.file) throw new Error('outbox SMS provider needs a file path');
    this.file = opts.file;
    this.now = opts.now ?? (() => new Date());
  }

  async send(msg: SmsMessage): Promise<SendResult> {
    assertValidMessage(msg, this.name);
    await this.load();
    return this.keys.run(msg.idempotencyKey, async () => {
      const line: OutboxLine = {
        to: msg.to,
        kind: msg.kind,
        text: msg.text,
        idempotencyKey: msg.idempotencyKey,
        requestId: msg.requestId,
        at: this.now().toISOString(),
      };
      await this.append(`${JSON.stringify(line)}\n`);
      return { status: 'sent', providerMessageId: `outbox:${msg.idempotencyKey}` };
    });
  }

  /** Reads the keys already in the file once per instance; concurrent first sends share the one read. */
  private load(): Promise<void> {
    this.loading ??= (async () => {
      await mkdir(dirname(this.file), { recursive: true });
      const raw = await readIfExists(this.file);
      for (const line of parseOutbox(raw)) this.keys.remember(line.idempotencyKey);
      // A torn last line (crash mid-write) would swallow the next line appended to it: close it off first.
      if (raw !== '' && !raw.endsWith('\n')) await this.append('\n');
    })().catch((err: unknown) => {
      this.loading = undefined; // let the next send try again rather than failing forever
      throw new SmsProviderError('outbox file could not be read', { provider: this.name, retryable: true, cause: err });
    });
    return this.loading;
  }

  /**
   * One `write` on an O_APPEND descriptor: the kernel positions and writes the whole line atomically with
   * respect to other appenders, so concurrent sends never interleave half-lines.
   */
  private async append(text: string): Promise<void> {
    const data = Buffer.from(text, 'utf8');
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.file, 'a');
      const { bytesWritten } = await handle.write(data, 0, data.length);
      if (bytesWritten !== data.length) throw new Error(`short write: ${bytesWritten} of ${data.length} bytes`);
    } catch (err) {
      throw new SmsProviderError('outbox append failed', { provider: this.name, retryable: true, cause: err });
    } finally {
      await handle?.close();
    }
  }
}

/**
 * All lines of an outbox file, oldest first; [] when the file does not exist yet.
 * A torn or foreign line (crash mid-write, hand edit) is skipped rather than failing the whole read.
 */
export async function readOutbox(path: string): Promise<OutboxLine[]> {
  return parseOutbox(await readIfExists(path));
}

async function readIfExists(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

function parseOutbox(raw: string): OutboxLine[] {
  const lines: OutboxLine[] = [];
  for (const text of raw.split('\n')) {
    if (text.trim() === '') continue;
    try {
      const parsed = JSON.parse(text) as Partial<OutboxLine> | null;
      if (parsed && typeof parsed.idempotencyKey === 'string') lines.push(parsed as OutboxLine);
    } catch {
      // skipped: see above
    }
  }
  return lines;
}
