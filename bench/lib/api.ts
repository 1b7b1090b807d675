/**
 * HTTP client for the Aftercare API as integrations, technicians and customers use it, and a lifecycle driver
 * that survives restarts: it reads the request's state and does the next step, retrying 503s and network
 * errors with an Idempotency-Key so a retried transition is applied once.
 */
import type { ServiceRequestState } from '../../workflows/messages';
import { makePng } from './png';
import type { SmsSource } from './sms';
import type { BenchTokens } from './tokens';
import { sleep } from './util';

// Response bodies are whatever JSON the API sent.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface HttpResult<T = Json> {
  status: number;
  body: T;
  ms: number;
}

/** A complete, decodable 2×2 greyscale PNG: photo checks decode the stored bytes. */
export const PNG = makePng();

export function startBody(externalId: string | undefined, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'repair',
    urgency: 'urgent',
    channel: 'app',
    customer: { name: '压测用户', phone: '13700137123', address: '上海市徐汇区漕溪北路 99 号 1802 室' },
    product: { model: 'JSQ25-13A', purchaseDate: '2024-03-18', category: 'gas_water_heater' },
    problem: { description: '热水器点火后约十分钟自动熄火，显示 E1', occursWhen: '洗澡时', symptoms: '熄火前有咔哒声' },
    location: { lat: 31.1935, lng: 121.4375 },
    ...(externalId !== undefined ? { externalId } : {}),
    ...over,
  };
}

export class Api {
  /**
   * Checked before every retry: a reason to give up at once (e.g. the stack's worker crashed, so nothing will
   * ever answer) instead of retrying to the deadline.
   */
  giveUpWhen?: () => string | undefined;

  constructor(
    readonly base: string,
    readonly tokens: BenchTokens,
  ) {}

  async call<T = Json>(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; headers?: Record<string, string>; form?: FormData } = {},
  ): Promise<HttpResult<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | FormData | undefined = opts.form;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const t0 = performance.now();
    const res = await fetch(`${this.baseForCall()}${path}`, { method, headers, body, signal: AbortSignal.timeout(60_000) });
    const text = await res.text();
    let parsed: unknown = text;
    if (res.headers.get('content-type')?.includes('application/json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as T, ms: performance.now() - t0 };
  }

  /** The instance this call goes to. */
  protected baseForCall(): string {
    return this.base;
  }

  state(id: string): Promise<HttpResult<ServiceRequestState>> {
    return this.call<ServiceRequestState>('GET', `/v1/service-requests/${encodeURIComponent(id)}`, { token: this.tokens.ops() });
  }

  start(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<HttpResult<ServiceRequestState>> {
    const key = (body.externalId as string | undefined) ?? headers['idempotency-key'];
    const token = key ? this.tokens.integrationFor(key) : this.tokens.integration();
    return this.call<ServiceRequestState>('POST', '/v1/service-requests', { token, body, headers });
  }

  /**
   * Retries `f` on network errors, 429 and 5xx until it gives another status (or `deadlineMs` passes).
   * Returns the last result; throws the last network error at the deadline.
   */
  async retrying<T>(f: () => Promise<HttpResult<T>>, deadlineMs = 120_000): Promise<HttpResult<T> & { attempts: number }> {
    const end = Date.now() + deadlineMs;
    let delay = 100;
    for (let attempts = 1; ; attempts++) {
      try {
        const r = await f();
        if (r.status !== 429 && r.status < 500) return { ...r, attempts };
        if (Date.now() > end) return { ...r, attempts };
      } catch (err) {
        if (Date.now() > end) throw err;
      }
      const why = this.giveUpWhen?.();
      if (why) throw new Error(`gave up: ${why}`);
      await sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
  }
}

/**
 * Several API instances behind one client, as behind a load balancer: each call (start, transition, state read,
 * photo, feedback — and each retry) goes to the next instance in turn, so one request's steps cross instances.
 */
export class BalancedApi extends Api {
  /** Calls sent to each instance, in the order of `bases`. */
  readonly callsPerBase: number[];
  private next = 0;

  constructor(
    readonly bases: string[],
    tokens: BenchTokens,
  ) {
    super(bases[0] as string, tokens);
    this.callsPerBase = bases.map(() => 0);
  }

  protected override baseForCall(): string {
    const i = this.next++ % this.bases.length;
    this.callsPerBase[i] = (this.callsPerBase[i] ?? 0) + 1;
    return this.bases[i] as string;
  }
}

/** The completion SMS (with the rating link) reached the customer after the link had expired. */
export class RatingLinkExpiredError extends Error {
  constructor(
    readonly requestId: string,
    message = `rating link of ${requestId} had expired when it arrived`,
  ) {
    super(message);
  }
}

/**
 * The request closed without feedback and no completion SMS ever reached the outbox: it ran out of SMS budget
 * (a fault delayed it; the verify then wants its sms_failure escalation). For the plan, the same as an expired link.
 */
export class RatingLinkMissingError extends RatingLinkExpiredError {
  constructor(requestId: string) {
    super(requestId, `${requestId} closed without feedback: its rating SMS never went out`);
  }
}

/** What the lifecycle driver does with a request. */
export type DrivePlan =
  | { kind: 'close'; score?: number }
  /** Cancelled by ops once assigned. */
  | { kind: 'cancel' }
  /** Left alone: deadlines must fire. */
  | { kind: 'abandon' };

export interface StepTimes {
  [step: string]: number;
}

/**
 * Drives one request to the end of its plan from whatever state it is in, tolerating restarts of the API,
 * the worker or the server (503s, connection errors, re-dispatch after an accept timeout).
 */
export async function drive(
  api: Api,
  sms: SmsSource,
  id: string,
  plan: DrivePlan,
  opts: { timeoutMs?: number; pollMs?: number } = {},
): Promise<StepTimes> {
  const end = Date.now() + (opts.timeoutMs ?? 180_000);
  const pollMs = opts.pollMs ?? 250;
  const times: StepTimes = {};
  const timed = async <T>(step: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      times[step] = (times[step] ?? 0) + (performance.now() - t0);
    }
  };
  let uploaded = false;
  let rated = false;
  let state: ServiceRequestState | undefined;
  let lastProblem = '';
  const read = async (): Promise<ServiceRequestState | undefined> => {
    const r = await api.retrying(() => api.state(id), Math.max(1000, end - Date.now()));
    if (r.status === 200) return r.body;
    lastProblem = `GET ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`;
    return undefined;
  };
  const act = async (path: string, token: string, body: unknown, key: string): Promise<number> => {
    const before = state?.status;
    const r = await api.retrying(() =>
      api.call<ServiceRequestState>('POST', `/v1/service-requests/${id}/${path}`, { token, body, headers: { 'idempotency-key': key } }),
    );
    // The update's answer is the state right after its handler. Trust it when it moved the status on; else (a
    // cancel or follow-up whose effect comes after the handler, a repeat answered from the update's cache, a
    // 409) look again after a moment.
    if (r.status === 200 && r.body.status !== before) state = r.body;
    else {
      if (r.status !== 200) lastProblem = `${path} ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`;
      await sleep(pollMs);
    }
    return r.status;
  };
  let seen: string | undefined;
  for (;;) {
    if (Date.now() > end) throw new Error(`drive ${id} (${plan.kind}) timed out in status ${seen}; last problem: ${lastProblem}`);
    state ??= await read();
    const s = state;
    if (!s) continue;
    seen = s.status;
    state = undefined; // re-read next time round unless an action returned the new state
    if (plan.kind === 'abandon') return times;
    // Closed without the score the plan gives: the rating SMS came too late to be used, or never. (A score the
    // API took and the request then lost is not that: the verify reports it.)
    if (s.outcome === 'no_feedback' && plan.kind === 'close' && !s.feedback && !rated) {
      await sms.refresh();
      throw sms.forRequest(id).some((r) => r.kind.startsWith('completed'))
        ? new RatingLinkExpiredError(id)
        : new RatingLinkMissingError(id);
    }
    if (s.outcome) return times;
    const tech = s.technicianId;
    const visitKey = `${id}-${s.assignments.length}`;
    switch (s.status) {
      case 'received':
      case 'dispatching':
      case 'escalated':
        await timed('wait_assigned', () => sleep(pollMs));
        continue;
      case 'assigned':
        if (plan.kind === 'cancel') {
          await timed('cancel', () => act('cancel', api.tokens.ops(), { reason: 'customer withdrew (chaos plan)' }, `${id}-cancel`));
          state = undefined;
          continue;
        }
        await timed('accept', () => act('accept', api.tokens.technician(tech as string), {}, `${visitKey}-accept`));
        continue;
      case 'accepted':
        await timed('appointment', () =>
          act(
            'appointment',
            api.tokens.technician(tech as string),
            { at: new Date(Date.now() + 3_600_000).toISOString() },
            `${visitKey}-appointment`,
          ),
        );
        continue;
      case 'scheduled':
        await timed('arrival', () => act('arrival', api.tokens.technician(tech as string), {}, `${visitKey}-arrival`));
        continue;
      case 'on_site': {
        if (!uploaded) {
          await timed('photos', async () => {
            for (const kind of ['before', 'after', 'signature']) {
              const r = await api.retrying(() => {
                const form = new FormData();
                form.append('kind', kind);
                form.append('file', new Blob([PNG], { type: 'image/png' }), `${kind}.png`);
                return api.call('POST', `/v1/service-requests/${id}/photos`, { token: api.tokens.technician(tech as string), form });
              });
              if (r.status !== 201) throw new Error(`photo ${kind} for ${id}: ${r.status} ${JSON.stringify(r.body)}`);
            }
          });
          uploaded = true;
        }
        await timed('completion', () =>
          act(
            'completion',
            api.tokens.technician(tech as string),
            { resolved: true, notes: '更换热电偶，试机正常' },
            `${visitKey}-completion`,
          ),
        );
        continue;
      }
      case 'completed': {
        if (s.feedback) {
          await timed('wait_closed', () => sleep(pollMs));
          continue;
        }
        // A few seconds at a time: if the SMS never comes, the request closes without feedback (checked above).
        const line = await timed('wait_rating_sms', () =>
          sms.waitFor(id, (r) => r.kind.startsWith('completed'), Math.max(1000, Math.min(5000, end - Date.now()))).catch(() => undefined),
        );
        if (!line) continue;
        const token = /\/r\/([A-Za-z0-9_.-]+)/.exec(line.text)?.[1];
        if (!token) throw new Error(`no rating link in ${line.text}`);
        const score = plan.kind === 'close' ? (plan.score ?? 5) : 5;
        const r = await timed('feedback', () =>
          api.retrying(() => api.call('POST', `/v1/service-requests/${id}/feedback`, { body: { score, token } })),
        );
        if (r.status === 410) throw new RatingLinkExpiredError(id);
        if (r.status !== 200 && r.status !== 409) throw new Error(`feedback ${id}: ${r.status} ${JSON.stringify(r.body)}`);
        rated = true;
        continue;
      }
      case 'follow_up':
        await timed('follow_up', () => act('follow-up', api.tokens.ops(), { notes: '已回访，客户接受道歉' }, `${id}-follow-up`));
        state = undefined;
        continue;
      default:
        // on_hold and anything else the plan does not expect: wait and look again
        await sleep(pollMs);
    }
  }
}
