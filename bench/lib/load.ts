/**
 * Closed-loop load at a fixed concurrency: `concurrency` lanes each call `fn` back to back for `durationMs`
 * (after `warmupMs` whose calls are not counted). The HTTP variant runs autocannon with the same shape and
 * records each response's time from autocannon's own `response` events, so both sides use one statistic.
 */
import autocannon from 'autocannon';
import { summarize, type Summary } from './util';

export interface LoadResult {
  concurrency: number;
  durationMs: number;
  ok: number;
  errors: number;
  /** Completed calls per second (ok only). */
  rps: number;
  latency: Summary;
  statusCodes?: Record<string, number>;
  firstError?: string;
}

export async function closedLoop(opts: {
  concurrency: number;
  durationMs: number;
  warmupMs?: number;
  fn: (seq: number) => Promise<void>;
}): Promise<LoadResult> {
  const warmupEnd = Date.now() + (opts.warmupMs ?? 0);
  const end = warmupEnd + opts.durationMs;
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  let seq = 0;
  let firstError: string | undefined;
  let measureStart = 0;
  const lane = async (): Promise<void> => {
    for (;;) {
      const now = Date.now();
      if (now >= end) return;
      const counted = now >= warmupEnd;
      if (counted && measureStart === 0) measureStart = now;
      const t0 = performance.now();
      try {
        await opts.fn(seq++);
        if (counted) {
          latencies.push(performance.now() - t0);
          ok++;
        }
      } catch (err) {
        if (counted) errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, lane));
  const durationMs = Date.now() - (measureStart || warmupEnd);
  return {
    concurrency: opts.concurrency,
    durationMs,
    ok,
    errors,
    rps: (ok * 1000) / durationMs,
    latency: summarize(latencies),
    firstError,
  };
}

export interface HttpLoadOptions {
  url: string;
  path: string;
  concurrency: number;
  durationMs?: number;
  amount?: number;
  /** Builds request number `seq`: headers and body. */
  request: (seq: number) => { headers: Record<string, string>; body: string };
  okStatus?: number[];
}

export async function httpLoad(o: HttpLoadOptions): Promise<LoadResult> {
  let seq = 0;
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const okStatus = new Set(o.okStatus ?? [200, 201]);
  let ok = 0;
  let errors = 0;
  const t0 = Date.now();
  const instance = autocannon({
    url: o.url,
    connections: o.concurrency,
    ...(o.amount ? { amount: o.amount } : { duration: Math.max(1, Math.round((o.durationMs ?? 10_000) / 1000)) }),
    timeout: 60,
    requests: [
      {
        method: 'POST',
        path: o.path,
        setupRequest: (req) => {
          const r = o.request(seq++);
          return { ...req, headers: { ...req.headers, ...r.headers }, body: r.body };
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    if (okStatus.has(statusCode)) {
      ok++;
      latencies.push(responseTime);
    } else errors++;
  });
  const result = await instance;
  const durationMs = o.amount ? Date.now() - t0 : result.duration * 1000;
  errors += result.errors + result.timeouts;
  return { concurrency: o.concurrency, durationMs, ok, errors, rps: (ok * 1000) / durationMs, latency: summarize(latencies), statusCodes };
}
