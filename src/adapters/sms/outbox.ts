import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
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
  /** How long a send waits for the lock another process holds before failing (retryable); default 10 s. */
  lockWaitMs?: number;
  /** A lock this old is taken to be left by a process that died holding it; default 30 s (a send holds it for ms). */
  lockStaleMs?: number;
}

/**
 * The embedded stack's "SMS gateway": every message becomes one line in a file that tests, benchmarks and
 * developers read. Dedupe survives restarts because the file itself is the record of what was sent.
 *
 * Several processes may share the file (workers on one host, or on one shared volume): a send takes the lock
 * file `<file>.lock` (`FileLock`), reads what anyone appended since its last look, and appends only if the key
 * is not in the file yet. So an SMS one worker wrote just before it died, retried on another worker, is found
 * there and not written again. The sends of one process that queue meanwhile go in together at the next turn.
 */
export class OutboxSmsProvider implements SmsProvider {
  readonly name = 'outbox';
  private readonly file: string;
  private readonly now: () => Date;
  private readonly lock: FileLock;
  /** In-process first line: coalesces concurrent sends of one key, answers repeats of recent keys at once. */
  private readonly recent = new Deduper(10_000);
  /** Every key in the file up to `offset` (and in a torn tail after it), read incrementally under the lock. */
  private readonly inFile = new Set<string>();
  private offset = 0;
  private endsWithNewline = true;
  /** Sends waiting for the next turn with the lock; `flushing` while a turn is on. */
  private waiting: { msg: SmsMessage; resolve: (r: SendResult) => void; reject: (err: unknown) => void }[] = [];
  private flushing = false;

  constructor(opts: OutboxOptions) {
    if (!opts.file) throw new Error('outbox SMS provider needs a file path');
    this.file = opts.file;
    this.now = opts.now ?? (() => new Date());
    this.lock = new FileLock(`${opts.file}.lock`, { waitMs: opts.lockWaitMs ?? 10_000, staleMs: opts.lockStaleMs ?? 30_000 });
  }

  async send(msg: SmsMessage): Promise<SendResult> {
    assertValidMessage(msg, this.name);
    return this.recent.run(
      msg.idempotencyKey,
      () =>
        new Promise<SendResult>((resolve, reject) => {
          this.waiting.push({ msg, resolve, reject });
          this.flush();
        }),
    );
  }

  /** Takes turns with the lock until no send is waiting; each turn writes every send waiting at its start. */
  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    void (async () => {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0);
        try {
          const results = await this.exclusive(() => this.write(batch.map((b) => b.msg)));
          batch.forEach((b, i) => b.resolve(results[i] as SendResult));
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
      this.flushing = false;
    })();
  }

  /** Under the lock: appends, in one write, the messages whose keys the file does not have yet. */
  private async write(msgs: SmsMessage[]): Promise<SendResult[]> {
    await this.catchUp();
    const fresh = new Set<string>();
    let text = '';
    const results = msgs.map((msg): SendResult => {
      if (this.inFile.has(msg.idempotencyKey) || fresh.has(msg.idempotencyKey)) return { status: 'duplicate' };
      fresh.add(msg.idempotencyKey);
      const line: OutboxLine = {
        to: msg.to,
        kind: msg.kind,
        text: msg.text,
        idempotencyKey: msg.idempotencyKey,
        requestId: msg.requestId,
        at: this.now().toISOString(),
      };
      text += `${JSON.stringify(line)}\n`;
      return { status: 'sent', providerMessageId: `outbox:${msg.idempotencyKey}` };
    });
    if (text === '') return results;
    // A torn last line (a writer died mid-write) would swallow ours: close it off first.
    await this.append(`${this.endsWithNewline ? '' : '\n'}${text}`);
    for (const k of fresh) this.inFile.add(k);
    this.endsWithNewline = true;
    return results;
  }

  /** Runs `f` holding the file lock. */
  private async exclusive<T>(f: () => Promise<T>): Promise<T> {
    try {
      await mkdir(dirname(this.file), { recursive: true });
    } catch (err) {
      throw new SmsProviderError('outbox file could not be read', { provider: this.name, retryable: true, cause: err });
    }
    try {
      return await this.lock.hold(f);
    } catch (err) {
      if (err instanceof SmsProviderError) throw err;
      throw new SmsProviderError('outbox lock could not be taken', { provider: this.name, retryable: true, cause: err });
    }
  }

  /**
   * Reads the lines appended since the last look (by any process; under the lock nobody is appending). A tail
   * without its newline is a torn write of a process that died: its key counts if it parses, and the next
   * append starts on a new line.
   */
  private async catchUp(): Promise<void> {
    let handle: FileHandle | undefined;
    try {
      try {
        handle = await open(this.file, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        this.reset(); // not there (yet, or any more)
        return;
      }
      const { size } = await handle.stat();
      if (size < this.offset) this.reset(); // truncated or replaced: read it from the start
      if (size === this.offset) return;
      const buf = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(buf, 0, buf.length, this.offset);
      const data = buf.subarray(0, bytesRead);
      for (const line of parseOutbox(data.toString('utf8'))) this.inFile.add(line.idempotencyKey);
      this.offset += data.lastIndexOf(0x0a) + 1; // the torn tail, if any, is read again next time
      this.endsWithNewline = bytesRead === 0 || data[bytesRead - 1] === 0x0a;
    } catch (err) {
      throw new SmsProviderError('outbox file could not be read', { provider: this.name, retryable: true, cause: err });
    } finally {
      await handle?.close();
    }
  }

  private reset(): void {
    this.offset = 0;
    this.inFile.clear();
    this.endsWithNewline = true;
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
 * A lock between processes (and hosts sharing a volume): the file `path` exists while someone holds it, created
 * exclusively with its holder's pid, host name and a nonce. A waiter polls with backoff for up to `waitMs`, then
 * fails. A lock whose holder died with it (SIGKILL mid-send) is broken: at once when the holder was on this host
 * and its pid is gone, else once the lock is `staleMs` old. Breaking moves the lock aside and checks that it is
 * still the one judged stale; one taken meanwhile is put back. Residual risk, accepted for a development outbox:
 * two processes could both hold it only if a holder died inside its few-millisecond section and two others raced
 * to break it with a third taking it in between.
 */
export class FileLock {
  constructor(
    readonly path: string,
    private readonly opts: { waitMs: number; staleMs: number },
  ) {}

  async hold<T>(f: () => Promise<T>): Promise<T> {
    const me = await this.acquire();
    try {
      return await f();
    } finally {
      // Only our own lock: one judged stale and broken by someone else (we were too slow) is theirs now.
      if ((await readFile(this.path, 'utf8').catch(() => undefined)) === me) await unlink(this.path).catch(() => undefined);
    }
  }

  private async acquire(): Promise<string> {
    const me = JSON.stringify({ pid: process.pid, host: hostname(), nonce: randomUUID() });
    const end = Date.now() + this.opts.waitMs;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      try {
        await writeFile(this.path, me, { flag: 'wx' });
        return me;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await this.holder();
      if (!holder) continue; // released in between
      if (this.stale(holder)) {
        await this.breakStale(holder.text);
        continue;
      }
      if (Date.now() > end) throw new Error(`outbox lock ${this.path} held for ${holder.ageMs} ms by ${holder.text}`);
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
    }
  }

  private async holder(): Promise<{ text: string; ageMs: number } | undefined> {
    try {
      const [text, st] = await Promise.all([readFile(this.path, 'utf8'), stat(this.path)]);
      return { text, ageMs: Date.now() - st.mtimeMs };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private stale(h: { text: string; ageMs: number }): boolean {
    if (h.ageMs > this.opts.staleMs) return true;
    let who: { pid?: unknown; host?: unknown } | undefined;
    try {
      who = JSON.parse(h.text) as { pid?: unknown; host?: unknown };
    } catch {
      return false; // being written (created, content not yet in): judged by age only
    }
    return typeof who?.pid === 'number' && who.host === hostname() && !processAlive(who.pid);
  }

  private async breakStale(judged: string): Promise<void> {
    const aside = `${this.path}.stale-${randomUUID()}`;
    try {
      await rename(this.path, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else broke or released it
      throw err;
    }
    try {
      // Taken by someone between our look and the rename: give it back (unless yet another took the lock).
      if ((await readFile(aside, 'utf8').catch(() => judged)) !== judged) await link(aside, this.path).catch(() => undefined);
    } finally {
      await unlink(aside).catch(() => undefined);
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, someone else's
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
