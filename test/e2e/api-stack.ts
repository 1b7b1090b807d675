/**
 * The real API and worker processes (dist/, built by the integration globalSetup) on the shared dev server,
 * with policy/fast.yaml (deadlines in seconds; the rating link and the wait for a score longer than any test:
 * test/support/policies.ts), the demo tokens and a private outbox, photo directory and task queue. Tests talk
 * to it over HTTP only; the SMS outbox stands in for the customer's phone.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOutbox, type OutboxLine, type SmsKind } from '../../src/adapters/sms';
import { LINK_PATH, signRatingToken, type LinkPurpose, type RatingTokenPayload } from '../../src/ratingLink';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import type { ServiceRequestState } from '../../workflows/messages';
import { makePng } from '../support/images';
import { RATING_WINDOWS, writeFastPolicyVariant } from '../support/policies';
import { startProcess, type Proc } from '../support/processes';

interface DemoToken {
  token: string;
  role: string;
  technicianId?: string;
}
const DEMO_TOKENS = JSON.parse(readFileSync(join(PROJECT_ROOT, 'policy', 'tokens.demo.json'), 'utf8')) as DemoToken[];
export const TOKENS = {
  integration: DEMO_TOKENS.find((t) => t.role === 'integration')!.token,
  ops: DEMO_TOKENS.find((t) => t.role === 'ops')!.token,
  technician(id: string): string {
    const t = DEMO_TOKENS.find((d) => d.technicianId === id);
    if (!t) throw new Error(`no demo token for technician ${id}`);
    return t.token;
  },
};

/** Fictional customer data; none of it may show up in the API's logs. */
export const CUSTOMER = { name: '赵测试', phone: '13700137123', address: '上海市徐汇区漕溪北路 99 号 1802 室' };
export const PII_NEEDLES = [CUSTOMER.name, CUSTOMER.phone, '+8613700137123', '漕溪北路 99 号', '1802 室'];

export function startBody(externalId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'repair',
    urgency: 'urgent',
    channel: 'app',
    customer: { ...CUSTOMER },
    product: { model: 'JSQ25-13A', purchaseDate: '2024-03-18', category: 'gas_water_heater' },
    problem: { description: '热水器点火后约十分钟自动熄火，显示 E1', occursWhen: '洗澡时', symptoms: '熄火前有咔哒声' },
    location: { lat: 31.1935, lng: 121.4375 },
    externalId,
    ...over,
  };
}

type FetchBody = NonNullable<Parameters<typeof fetch>[1]>['body'];

// Response bodies are whatever JSON the API sent; tests assert on them field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface HttpResult<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ApiStack {
  base: string;
  dir: string;
  outboxFile: string;
  api: Proc;
  worker: Proc;
  call<T = Json>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: FetchBody },
  ): Promise<HttpResult<T>>;
  state(id: string): Promise<ServiceRequestState>;
  until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  outbox(): Promise<OutboxLine[]>;
  ratingLink(requestId: string): Promise<string>;
  /** The secret both processes sign customer links with (RATING_LINK_SECRET). */
  secret: string;
  /** The `…/<path>/<token>` link in the request's n-th SMS of `kind` (e.g. `quote`, `q`), once it is in the outbox. */
  customerLink(requestId: string, kind: SmsKind, path: string, n?: number): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startApiStack(name: string, extraEnv: Record<string, string> = {}): Promise<ApiStack> {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS unset: run with --selectProjects integration');
  const dir = mkdtempSync(join(tmpdir(), `aftercare-${name}-`));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const outboxFile = join(dir, 'outbox.jsonl');
  const env = {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: `${name}-${process.pid}`,
    // A customer rates after a browser has loaded the page, or a busy machine got there, still within the link's life.
    AFTERCARE_POLICY: writeFastPolicyVariant(dir, '2026.1-fast-e2e', RATING_WINDOWS),
    AFTERCARE_TOKENS: join(PROJECT_ROOT, 'policy', 'tokens.demo.json'),
    SMS_OUTBOX_FILE: outboxFile,
    PHOTO_STORAGE_DIR: join(dir, 'photos'),
    RATING_LINK_SECRET: `${name}-secret-${process.pid}`,
    PUBLIC_BASE_URL: base,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...extraEnv,
  };
  const worker = startProcess('worker', env);
  const api = startProcess('api', env);

  const until = async <T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await f().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > end)
        throw new Error(
          `timed out waiting for ${what}\n--- api ---\n${api.output().slice(-3000)}\n--- worker ---\n${worker.output().slice(-3000)}`,
        );
      await sleep(150);
    }
  };

  const call = async <T = Json>(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: FetchBody } = {},
  ): Promise<HttpResult<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: FetchBody | undefined = opts.raw;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const res = await fetch(`${base}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if (res.headers.get('content-type')?.includes('application/json')) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as T, headers: res.headers };
  };

  await until('API ready (Temporal connected)', async () => ((await call('GET', '/readyz')).status === 200 ? true : undefined), 60_000);

  const stack: ApiStack = {
    base,
    dir,
    outboxFile,
    api,
    worker,
    call,
    until,
    async state(id) {
      const r = await call<ServiceRequestState>('GET', `/v1/service-requests/${id}`, { token: TOKENS.ops });
      if (r.status !== 200) throw new Error(`GET ${id}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    outbox: () => readOutbox(outboxFile).catch(() => []),
    async ratingLink(requestId) {
      return until('rating link SMS', async () => {
        const line = (await readOutbox(outboxFile).catch(() => [])).find(
          (l) => l.requestId === requestId && l.kind.startsWith('completed'),
        );
        return line?.text.match(/https?:\/\/\S+\/r\/[A-Za-z0-9_.-]+/)?.[0];
      });
    },
    secret: env.RATING_LINK_SECRET,
    async customerLink(requestId, kind, path, n = 1) {
      const pattern = new RegExp(`https?://\\S+/${path.replace(/[^A-Za-z0-9_-]/g, '\\$&')}/[A-Za-z0-9_.-]+`);
      return until(`${kind} link SMS #${n}`, async () => {
        const lines = (await readOutbox(outboxFile).catch(() => [])).filter((l) => l.requestId === requestId && l.kind === kind);
        return lines[n - 1]?.text.match(pattern)?.[0];
      });
    },
    async stop() {
      // SIGTERM: the API finishes in-flight requests and exits on its own.
      await api.kill('SIGTERM');
      await worker.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/**
 * As an integration does: a 429 (a rate limit, or too many calls on one request at once) is sent again after its
 * Retry-After, plus up to as much again at random (clients refused together do not come back together).
 */
export async function honouringRetryAfter<T>(
  send: () => Promise<HttpResult<T>>,
  timeoutMs = 60_000,
): Promise<HttpResult<T> & { attempts: number }> {
  const end = Date.now() + timeoutMs;
  for (let attempts = 1; ; attempts++) {
    const r = await send();
    if (r.status !== 429 || Date.now() > end) return { ...r, attempts };
    const wait = Number(r.headers.get('retry-after'));
    if (!(wait >= 1)) throw new Error(`429 without a usable Retry-After: ${JSON.stringify(r.body)}`);
    await sleep(wait * 1000 * (1 + Math.random()));
  }
}

/** A customer link signed with the stack's secret, e.g. an expired or otherwise crafted one: `${base}/q/<token>`. */
export function signedLink(stack: ApiStack, payload: RatingTokenPayload, purpose: LinkPurpose): string {
  return `${stack.base}/${LINK_PATH[purpose]}/${signRatingToken(payload, stack.secret, purpose)}`;
}

/** Fails with the line when the output holds any fixture PII. */
export function expectNoPii(output: string, needles: string[] = PII_NEEDLES): void {
  for (const line of output.split('\n')) {
    for (const n of needles) if (line.includes(n)) throw new Error(`PII "${n}" in the API log: ${line.slice(0, 400)}`);
  }
}

/** Test artifacts (screenshots, logs) go to test-artifacts/ at the project root. */
export function saveArtifact(name: string, data: string | Buffer): string {
  const dir = join(PROJECT_ROOT, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

/**
 * Auto-dispatch assigns someone; that technician (with their own token) accepts, books, arrives, uploads
 * the three photos and completes. Returns the technician's id.
 */
export async function driveVisit(stack: ApiStack, id: string, opts: { photos: boolean }): Promise<string> {
  const assigned = await stack.until(
    'assigned',
    async () => {
      const s = await stack.state(id);
      return s.status === 'assigned' && s.technicianId ? s : undefined;
    },
    30_000,
  );
  const tech = assigned.technicianId!;
  const token = TOKENS.technician(tech);
  const act = async (path: string, body: unknown) => {
    const r = await stack.call<ServiceRequestState>('POST', `/v1/service-requests/${id}/${path}`, { token, body });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await act('accept', {});
  await act('appointment', { at: new Date(Date.now() + 3_600_000).toISOString() });
  await act('arrival', {});
  if (opts.photos) {
    for (const kind of ['before', 'after', 'signature']) {
      const form = new FormData();
      form.append('kind', kind);
      form.append('file', new Blob([makePng(4, 4)], { type: 'image/png' }), `${kind}.png`);
      const up = await stack.call('POST', `/v1/service-requests/${id}/photos`, { token, raw: form });
      if (up.status !== 201 || !String(up.body.key).startsWith(`${id}/${kind}/`))
        throw new Error(`photo ${kind}: ${up.status} ${JSON.stringify(up.body)}`);
    }
  }
  const done = await act('completion', { resolved: true, notes: '更换热电偶，试机正常' });
  if (done.status !== 'completed') throw new Error(`completion left the request ${done.status}`);
  return tech;
}
