/**
 * Where the benchmarks and fault tests see SMS: the outbox file (tailed incrementally, indexed by request) or
 * a local webhook receiver that plays a flaky SMS gateway (fails, times out, goes down on a plan) and keeps
 * the record of every message it accepted. Both answer "which messages did request X get".
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { open, stat } from 'node:fs/promises';
import { verifyWebhookSignature, type OutboxLine } from '../../src/adapters/sms';
import { sleep } from './util';

export interface SmsRecord {
  to: string;
  kind: string;
  text: string;
  idempotencyKey: string;
  requestId: string;
  /** ms since epoch the message reached the outbox / was accepted. */
  atMs: number;
}

export interface SmsSource {
  /** Every message accepted so far (one entry per accepted line / POST; duplicates included). */
  all(): SmsRecord[];
  forRequest(requestId: string): SmsRecord[];
  waitFor(requestId: string, pred: (r: SmsRecord) => boolean, timeoutMs?: number): Promise<SmsRecord>;
  /** Brings the record up to date (reads what was appended since). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

abstract class IndexedSource implements SmsSource {
  protected readonly records: SmsRecord[] = [];
  private readonly byRequest = new Map<string, SmsRecord[]>();
  private waiters: { requestId: string; pred: (r: SmsRecord) => boolean; resolve: (r: SmsRecord) => void }[] = [];

  protected add(r: SmsRecord): void {
    this.records.push(r);
    let list = this.byRequest.get(r.requestId);
    if (!list) this.byRequest.set(r.requestId, (list = []));
    list.push(r);
    if (this.waiters.length) {
      this.waiters = this.waiters.filter((w) => {
        if (w.requestId === r.requestId && w.pred(r)) {
          w.resolve(r);
          return false;
        }
        return true;
      });
    }
  }

  all(): SmsRecord[] {
    return this.records;
  }

  forRequest(requestId: string): SmsRecord[] {
    return this.byRequest.get(requestId) ?? [];
  }

  async waitFor(requestId: string, pred: (r: SmsRecord) => boolean, timeoutMs = 60_000): Promise<SmsRecord> {
    await this.refresh();
    const found = this.forRequest(requestId).find(pred);
    if (found) return found;
    return new Promise((resolve, reject) => {
      const w = { requestId, pred, resolve: (r: SmsRecord) => (clearTimeout(t), resolve(r)) };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`no matching SMS for ${requestId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Brings the index up to date (the outbox reads the file; the receiver is always current). */
  async refresh(): Promise<void> {}
  abstract close(): Promise<void>;
}

/** Tails a JSON Lines outbox file every `everyMs`, reading only the bytes appended since the last read. */
export class OutboxTail extends IndexedSource {
  private offset = 0;
  private partial = '';
  private timer?: NodeJS.Timeout;
  private reading?: Promise<void>;

  constructor(
    private readonly file: string,
    everyMs = 100,
  ) {
    super();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), everyMs);
    this.timer.unref();
  }

  override refresh(): Promise<void> {
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<void> {
    let size: number;
    try {
      size = (await stat(this.file)).size;
    } catch {
      return;
    }
    if (size <= this.offset) return;
    const fh = await open(this.file, 'r');
    try {
      const buf = Buffer.alloc(size - this.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      this.offset += bytesRead;
      const text = this.partial + buf.subarray(0, bytesRead).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          const l = JSON.parse(line) as OutboxLine;
          this.add({
            to: l.to,
            kind: l.kind,
            text: l.text,
            idempotencyKey: l.idempotencyKey,
            requestId: l.requestId,
            atMs: Date.parse(l.at),
          });
        } catch {
          // torn line (crash mid-write): the outbox skips it too
        }
      }
    } finally {
      await fh.close();
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.refresh();
  }
}

/** How the flaky gateway answers one POST. */
export type WebhookAnswer =
  | { action: 'accept' }
  | { action: 'fail'; status: number }
  /** Records the message, then answers an error: the sender must retry and get 409, never a second copy. */
  | { action: 'accept-then-fail'; status: number }
  /** Holds the connection longer than the sender's timeout; `record` = it did get through. */
  | { action: 'hang'; ms: number; record: boolean };

export interface WebhookPlan {
  (key: string, attempt: number, nowMs: number): WebhookAnswer;
}

export interface WebhookStats {
  posts: number;
  accepted: number;
  duplicates409: number;
  failed: number;
  hung: number;
  badSignature: number;
}

/**
 * A local SMS gateway for SMS_PROVIDER=webhook: verifies the signature, dedupes by Idempotency-Key (409 for a
 * key it already accepted) and otherwise answers per `plan`. Its record is the "outbox" of the fault tests.
 */
export class WebhookReceiver extends IndexedSource {
  readonly stats: WebhookStats = { posts: 0, accepted: 0, duplicates409: 0, failed: 0, hung: 0, badSignature: 0 };
  private readonly accepted = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly sockets = new Set<import('node:net').Socket>();
  private server?: Server;
  url = '';

  constructor(
    readonly secret: string,
    public plan: WebhookPlan = () => ({ action: 'accept' }),
  ) {
    super();
  }

  async listen(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    const addr = this.server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/sms`;
    return this.url;
  }

  attemptsFor(key: string): number {
    return this.attempts.get(key) ?? 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    this.stats.posts++;
    if (!verifyWebhookSignature(body, req.headers['x-aftercare-signature'], this.secret)) {
      this.stats.badSignature++;
      res.writeHead(401).end();
      return;
    }
    const key = String(req.headers['idempotency-key'] ?? '');
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    if (this.accepted.has(key)) {
      this.stats.duplicates409++;
      res.writeHead(409, { 'content-type': 'application/json' }).end('{"error":"duplicate"}');
      return;
    }
    const record = (): void => {
      if (this.accepted.has(key)) return;
      this.accepted.add(key);
      this.stats.accepted++;
      const p = JSON.parse(body.toString('utf8')) as { to: string; kind: string; text: string; requestId: string };
      this.add({ to: p.to, kind: p.kind, text: p.text, idempotencyKey: key, requestId: p.requestId, atMs: Date.now() });
    };
    const answer = this.plan(key, attempt, Date.now());
    switch (answer.action) {
      case 'accept':
        record();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `wh-${this.stats.accepted}` }));
        return;
      case 'fail':
        this.stats.failed++;
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end('{"error":"planned failure"}');
        return;
      case 'accept-then-fail':
        record();
        this.stats.failed++;
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end('{"error":"planned failure after accepting"}');
        return;
      case 'hang':
        this.stats.hung++;
        if (answer.record) record();
        await sleep(answer.ms);
        if (!res.destroyed) res.writeHead(503).end();
        return;
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
