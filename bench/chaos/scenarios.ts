/**
 * The fault tests of issue 6, each ending with `verifyRequests` (bench/lib/verify.ts): every request in its
 * expected state, every deadline that came due fired, every SMS in the outbox exactly once.
 *   1 workerKill     SIGKILL the worker at random moments while requests are in flight; restart it.
 *   2 serverKill     SIGKILL the dev server (persistent SQLite file) mid-run; restart it.
 *   3 flakySms       the SMS gateway fails half the calls and times out on some; then is down for longer than
 *                    the SMS retry budget (ops escalation; deadlines still fire).
 *   4 concurrentStarts  50 concurrent identical starts and 50 concurrent conflicting ones.
 *   5 apiRestart     the API restarted under load: clients retrying with the same key get one request each.
 *   6 twoWorkers     two workers and two APIs on one server, load spread over both APIs; one worker at a time
 *                    SIGKILLed and left down while the other carries on (one outbox file for both).
 * Sizes are parameters: `npm run chaos` runs them full size, test/e2e/chaos-*.test.ts small.
 */
import { createHash, randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { loadPolicyFile } from '../../src/policy';
import { Api, BalancedApi, drive, RatingLinkExpiredError, startBody, type DrivePlan } from '../lib/api';
import { OutboxTail, WebhookReceiver, type SmsSource, type WebhookAnswer } from '../lib/sms';
import { onStopAll, startStack, type Stack } from '../lib/stack';
import { log, pool, sleep, summarize, until, type Summary } from '../lib/util';
import { describeReport, verifyRequests, type Expectation, type VerifyReport } from '../lib/verify';
import { taskPlacement, waitPolling, workerIdentity, type DownWindow } from '../lib/workers';

export const FAST_POLICY = join(PROJECT_ROOT, 'policy', 'fast.yaml');

export interface ChaosResult {
  name: string;
  ok: boolean;
  seconds: number;
  requests: number;
  /** What the fault did (kills, outage length, answers …). */
  faults: Record<string, unknown>;
  report?: VerifyReport;
  /** Scenario-specific checks that failed. */
  failures: string[];
  summary: string;
}

export interface ChaosOptions {
  /** Existing Temporal server (the integration suite's); default: a private one. Fault 2 always uses its own. */
  address?: string;
  n?: number;
  /**
   * How long one request may take to start and to drive through its plan (default 240 s). Tests set it well
   * below their own timeout, so a stuck request ends in a report of what was stuck rather than a jest timeout.
   */
  driveTimeoutMs?: number;
}

/** A private stack (fast policy) with its outbox tail and API client, for `body`; stopped when it ends. */
async function onChaosStack<T extends { ok: boolean; failures: string[] }>(
  o: { name: string; address?: string; integrationTokens: number; workers?: number; apis?: number; env?: Record<string, string> },
  body: (stack: Stack, sms: OutboxTail, api: Api) => Promise<T>,
): Promise<T> {
  const stack = await startStack({ ...o, policyFile: FAST_POLICY });
  const sms = new OutboxTail(stack.outboxFile);
  let result: T | undefined;
  try {
    result = await body(stack, sms, chaosApi(stack));
    return result;
  } finally {
    await sms.close();
    // A failed scenario keeps its processes' logs and outbox for the post-mortem, and says where they are.
    const keepDir = result !== undefined && !result.ok;
    if (keepDir) result?.failures.push(`logs kept in ${stack.dir}`);
    await stack.stop({ keepDir });
  }
}

/**
 * The API client of a scenario: it stops retrying once a process of the stack crashed (nothing would answer).
 * With several API processes it sends each call to the next one in turn.
 */
function chaosApi(stack: Stack): Api {
  const api = stack.bases.length > 1 ? new BalancedApi(stack.bases, stack.tokens) : new Api(stack.base, stack.tokens);
  api.giveUpWhen = () => stack.crashes()[0];
  return api;
}

const planFor = (i: number): DrivePlan =>
  i % 5 === 3 ? { kind: 'cancel' } : i % 5 === 4 ? { kind: 'abandon' } : { kind: 'close', score: i % 7 === 0 ? 2 : 5 };
const outcomeOf = (p: DrivePlan): Expectation['outcome'] => (p.kind === 'close' ? 'closed' : p.kind === 'cancel' ? 'cancelled' : 'open');

/** Latest due time of any deadline counted from receipt, for the fast policy's urgent column (+ slack). */
function fastResolutionMs(): number {
  return loadPolicyFile(FAST_POLICY).deadlines.resolution.urgent.ms;
}

async function finish(
  name: string,
  t0: number,
  stack: Stack,
  sms: SmsSource,
  expected: Expectation[],
  faults: Record<string, unknown>,
  failures: string[],
  extraChecks?: (r: VerifyReport) => void,
): Promise<ChaosResult> {
  const tv = Date.now();
  log(`${name}: fault phase over after ${Math.round((tv - t0) / 1000)} s; verifying ${expected.length} requests`);
  // With a crashed worker nothing settles: judge what is there without waiting for it.
  const report = await verifyRequests(stack.client, sms, expected, { settleMs: stack.crashes().length ? 5_000 : 60_000 });
  log(`${name}: verified in ${Math.round((Date.now() - tv) / 1000)} s`);
  extraChecks?.(report);
  // A worker or API that died by itself (e.g. could not start) is a finding, not a fault we injected.
  failures.push(...stack.crashes());
  const ok = report.ok && failures.length === 0;
  const summary = `${name}: ${ok ? 'OK' : 'FAILED'} — ${describeReport(report)}${failures.length ? `; scenario failures: ${failures.join('; ')}` : ''}`;
  log(summary);
  if (!report.ok) for (const p of report.problems.slice(0, 20)) log(`  ${p}`);
  if (!ok) {
    // Keep the evidence: the processes' output next to the results.
    const dir = join(PROJECT_ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    for (const p of [...stack.workers, ...stack.apis]) writeFileSync(join(dir, `${slug}.${p.name}.log`), p.output());
    // And the history of (a few) requests whose workflow tasks fail or that do not replay, to replay the failure.
    for (const c of report.checks
      .filter((x) => x.problems.some((p) => p.startsWith('stuck') || p.startsWith('nondeterministic')))
      .slice(0, 3)) {
      try {
        const h = await stack.client.workflow.getHandle(c.id).fetchHistory();
        writeFileSync(
          join(dir, `${slug}.${c.id}.history.json`),
          JSON.stringify(temporal.api.history.v1.History.fromObject(h).toJSON(), null, 1),
        );
      } catch (err) {
        log(`${name}: history of ${c.id} not saved: ${(err as Error).message}`);
      }
    }
  }
  return { name, ok, seconds: Math.round((Date.now() - t0) / 1000), requests: expected.length, faults, report, failures, summary };
}

/**
 * Starts `keys` through the API (retrying through outages) and drives each to its plan, `inFlight` at a time
 * (default: all at once). Returns the keys whose
 * rating link had expired by the time its SMS arrived (a fault delayed the completion activity past the fast
 * policy's 14 s rating window): those close as `no_feedback`, which is then their expected outcome.
 */
async function startAndDrive(
  api: Api,
  sms: SmsSource,
  keys: string[],
  plans: DrivePlan[],
  failures: string[],
  timeoutMs = 240_000,
  inFlight = keys.length,
): Promise<Set<string>> {
  const expired = new Set<string>();
  await pool(keys, inFlight, async (key, i) => {
    try {
      const end = Date.now() + timeoutMs;
      const r = await api.retrying(() => api.start(startBody(key)), timeoutMs);
      if (r.status !== 201 && r.status !== 200) throw new Error(`start ${key}: ${r.status} ${JSON.stringify(r.body)}`);
      await drive(api, sms, api.tokens.requestId(key), plans[i] as DrivePlan, { timeoutMs: Math.max(1000, end - Date.now()), pollMs: 300 });
    } catch (err) {
      if (err instanceof RatingLinkExpiredError) expired.add(key);
      else failures.push(`drive ${key}: ${(err as Error).message}`);
    }
  });
  return expired;
}

const expectations = (api: Api, keys: string[], plans: DrivePlan[], expired: Set<string>): Expectation[] =>
  keys.map((k, i) => ({ id: api.tokens.requestId(k), outcome: expired.has(k) ? 'no_feedback' : outcomeOf(plans[i] as DrivePlan) }));

/** Waits until every open request's receipt-relative deadlines are past due (they must have fired by then). */
async function waitForDeadlines(startedAt: number): Promise<void> {
  await sleep(Math.max(0, startedAt + fastResolutionMs() + 4000 - Date.now()));
}

// ── 1. Worker SIGKILLed at random moments ─────────────────────────────────────────────────────────────────
/**
 * `kills`: that many SIGKILLs 1.5–5 s apart, then the worker is left running; default: keep killing until
 * every driven request is through (at least 3 kills).
 */
export async function chaosWorkerKill(o: ChaosOptions & { kills?: number } = {}): Promise<ChaosResult> {
  const name = 'fault 1: worker SIGKILL';
  const n = o.n ?? 200;
  const t0 = Date.now();
  return onChaosStack({ name: 'chaos-1', address: o.address, integrationTokens: 32 }, async (stack, sms, api) => {
    const run = Date.now().toString(36);
    const keys = Array.from({ length: n }, (_, i) => `K1-${run}-${i}`);
    const plans = keys.map((_, i) => planFor(i));
    const failures: string[] = [];
    let done = false;
    const kills: number[] = [];
    const chaos = (async () => {
      while (o.kills !== undefined ? kills.length < o.kills : !done || kills.length < 3) {
        await sleep(randomInt(1500, 5000));
        kills.push(Date.now() - t0);
        await stack.worker!.kill('SIGKILL');
        await sleep(randomInt(200, 1500));
        await stack.startWorker();
      }
    })();
    const expired = await startAndDrive(api, sms, keys, plans, failures, o.driveTimeoutMs);
    done = true;
    await chaos;
    await waitForDeadlines(Date.now());
    return await finish(
      name,
      t0,
      stack,
      sms,
      expectations(api, keys, plans, expired),
      { workerKillsAtSeconds: kills.map((k) => Math.round(k / 100) / 10), ratingLinkExpired: expired.size },
      failures,
    );
  });
}

// ── 2. Dev server SIGKILLed (persistent SQLite) ───────────────────────────────────────────────────────────
export async function chaosServerKill(o: ChaosOptions & { kills?: number } = {}): Promise<ChaosResult> {
  const name = 'fault 2: dev server SIGKILL';
  const n = o.n ?? 100;
  const t0 = Date.now();
  return onChaosStack({ name: 'chaos-2', integrationTokens: 32 }, async (stack, sms, api) => {
    const run = Date.now().toString(36);
    const keys = Array.from({ length: n }, (_, i) => `K2-${run}-${i}`);
    const plans = keys.map((_, i) => planFor(i));
    const failures: string[] = [];
    const outages: { atSeconds: number; downMs: number }[] = [];
    const chaos = (async () => {
      for (let k = 0; k < (o.kills ?? 2); k++) {
        await sleep(randomInt(2000, 6000));
        const at = Date.now();
        await stack.server!.kill('SIGKILL');
        await sleep(randomInt(500, 2500));
        await stack.server!.restart();
        outages.push({ atSeconds: Math.round((at - t0) / 100) / 10, downMs: Date.now() - at });
      }
    })();
    const [expired] = await Promise.all([startAndDrive(api, sms, keys, plans, failures, o.driveTimeoutMs), chaos]);
    await waitForDeadlines(Date.now());
    // The worker and the API reconnected by themselves: neither may have exited.
    if (!stack.worker?.alive) failures.push('worker exited');
    if (!stack.api?.alive) failures.push('API exited');
    return await finish(
      name,
      t0,
      stack,
      sms,
      expectations(api, keys, plans, expired),
      { outages, ratingLinkExpired: expired.size },
      failures,
    );
  });
}

// ── 3. Flaky SMS gateway, then down for longer than the retry budget ────────────────────────────────────────
export interface FlakySmsOptions extends ChaosOptions {
  /** Requests driven to closed while the gateway is flaky. */
  driven?: number;
  /** Requests left alone (deadlines fire) started just before the outage. */
  abandoned?: number;
  /**
   * How long the gateway stays down after the last request of the outage batch was started; default the
   * policy's SMS budget + 8 s (their receipt SMS must run out of budget while it is down).
   */
  downMs?: number;
}

export async function chaosFlakySms(o: FlakySmsOptions = {}): Promise<ChaosResult> {
  const name = 'fault 3: flaky SMS gateway';
  const t0 = Date.now();
  const secret = 'chaos-3-webhook-secret';
  const budgetMs = loadPolicyFile(FAST_POLICY).smsRetryBudget?.ms ?? 20_000;
  const downMs = o.downMs ?? budgetMs + 8_000;
  let down: { from: number; to: number } | undefined;
  // Phase A: the first call for every message fails — a plain 5xx, a 503 after accepting it (the sender must
  // get 409 on its retry, never a second copy), or a hang past the sender's 10 s timeout (some recorded).
  // Phase B: every call 503 for `downMs`. Afterwards: all accepted.
  const plan = (key: string, attempt: number, now: number): WebhookAnswer => {
    if (down && now >= down.from && now < down.to) return { action: 'fail', status: 503 };
    if (attempt > 1) return { action: 'accept' };
    const h = createHash('sha256').update(key).digest()[0] as number;
    const r = h % 10;
    if (r < 2) return { action: 'hang', ms: 11_000, record: h % 2 === 0 };
    if (r < 4) return { action: 'accept-then-fail', status: 503 };
    return { action: 'fail', status: r < 7 ? 500 : 502 };
  };
  const receiver = new WebhookReceiver(secret, plan);
  const url = await receiver.listen();
  const forget = onStopAll(() => receiver.close());
  const stack = await startStack({
    name: 'chaos-3',
    address: o.address,
    policyFile: FAST_POLICY,
    sms: { provider: 'webhook', url, secret },
    integrationTokens: 32,
  });
  const api = chaosApi(stack);
  try {
    const run = Date.now().toString(36);
    const failures: string[] = [];
    const drivenKeys = Array.from({ length: o.driven ?? 20 }, (_, i) => `K3-${run}-d${i}`);
    const abandonedKeys = Array.from({ length: o.abandoned ?? 10 }, (_, i) => `K3-${run}-a${i}`);
    // A: drive requests to closed through the flaky gateway; some left alone to breach while it is flaky.
    const earlyAbandoned = abandonedKeys.slice(0, Math.ceil(abandonedKeys.length / 2));
    const lateAbandoned = abandonedKeys.slice(earlyAbandoned.length);
    const [expired] = await Promise.all([
      startAndDrive(
        api,
        receiver,
        drivenKeys,
        drivenKeys.map(() => ({ kind: 'close' as const, score: 5 })),
        failures,
        o.driveTimeoutMs,
      ),
      startAndDrive(
        api,
        receiver,
        earlyAbandoned,
        earlyAbandoned.map(() => ({ kind: 'abandon' as const })),
        failures,
        o.driveTimeoutMs,
      ),
    ]);
    // B: the gateway goes down; requests started now get no SMS through and their deadlines break meanwhile.
    // It stays down `downMs` from the last of their starts (however slow the machine), so every receipt SMS of
    // theirs runs out of budget while it is down.
    down = { from: Date.now(), to: Infinity };
    await startAndDrive(
      api,
      receiver,
      lateAbandoned,
      lateAbandoned.map(() => ({ kind: 'abandon' as const })),
      failures,
      o.driveTimeoutMs,
    );
    const lateStarted = Date.now();
    down.to = lateStarted + downMs;
    log(`${name}: gateway down for ${down.to - down.from} ms (SMS budget ${budgetMs} ms)`);
    await sleep(Math.max(0, down.to - Date.now()));
    await waitForDeadlines(lateStarted);
    const expected: Expectation[] = [
      ...drivenKeys.map((k) => ({ id: api.tokens.requestId(k), outcome: expired.has(k) ? ('no_feedback' as const) : ('closed' as const) })),
      ...abandonedKeys.map((k) => ({ id: api.tokens.requestId(k), outcome: 'open' as const })),
    ];
    if (receiver.stats.duplicates409 === 0) failures.push('no retry of an accepted message reached the gateway (409 path not exercised)');
    // The outage must have cost SMS for good and paged ops for them; deadlines of the late batch still fired.
    const lateIds = new Set(lateAbandoned.map((k) => api.tokens.requestId(k)));
    return await finish(
      name,
      t0,
      stack,
      receiver,
      expected,
      { downMs: down.to - down.from, budgetMs, gateway: receiver.stats, ratingLinkExpired: expired.size },
      failures,
      (report) => {
        for (const c of report.checks.filter((x) => lateIds.has(x.id))) {
          if (c.sms.smsFailureEscalations === 0) failures.push(`${c.id}: no sms_failure escalation although its SMS could not go out`);
          if (c.deadlines.fired === 0) failures.push(`${c.id}: no deadline fired during the outage`);
        }
      },
    );
  } finally {
    await stack.stop();
    await receiver.close();
    forget();
  }
}

// ── 4. Concurrent identical and conflicting starts ─────────────────────────────────────────────────────────
export async function chaosConcurrentStarts(o: ChaosOptions & { concurrent?: number } = {}): Promise<ChaosResult> {
  const name = 'fault 4: concurrent identical / conflicting starts';
  const c = o.concurrent ?? 50;
  const t0 = Date.now();
  return onChaosStack({ name: 'chaos-4', address: o.address, integrationTokens: 64 }, async (stack, sms, api) => {
    const run = Date.now().toString(36);
    const failures: string[] = [];
    const groups: { key: string; via: 'body' | 'header'; conflicting: boolean }[] = [
      { key: `K4-${run}-same-body`, via: 'body', conflicting: false },
      { key: `K4-${run}-same-hdr`, via: 'header', conflicting: false },
      { key: `K4-${run}-conflict-body`, via: 'body', conflicting: true },
      { key: `K4-${run}-conflict-hdr`, via: 'header', conflicting: true },
    ];
    const statuses: Record<string, Record<number, number>> = {};
    for (const g of groups) {
      const calls = Array.from({ length: c }, (_, i) => {
        const over = g.conflicting ? { problem: { description: `热水器点火后自动熄火，显示 E${i + 1}，第 ${i + 1} 种说法` } } : {};
        const body = startBody(g.via === 'body' ? g.key : undefined, over);
        // A client that gets 503 / 429 (the server's limit of concurrent updates per workflow, a slow machine)
        // sends the same call again, as real integrations do.
        return () => api.retrying(() => api.start(body, g.via === 'header' ? { 'idempotency-key': g.key } : {}), 60_000);
      });
      const results = await Promise.all(calls.map((f) => f()));
      const count: Record<number, number> = {};
      for (const r of results) count[r.status] = (count[r.status] ?? 0) + 1;
      statuses[g.key] = count;
      const ids = new Set(results.filter((r) => r.status < 300).map((r) => (r.body as { requestId: string }).requestId));
      // Exactly one caller learns it created the request — unless that caller's answer was lost (it retried
      // after a 503 and got 200, a repeat): then none does, but never two.
      const retried = results.some((r) => r.attempts > 1);
      if (retried ? (count[201] ?? 0) > 1 : count[201] !== 1)
        failures.push(`${g.key}: ${count[201] ?? 0} × 201 (want ${retried ? 'at most' : 'exactly'} 1)`);
      if (g.conflicting) {
        if ((count[409] ?? 0) !== c - 1) failures.push(`${g.key}: ${count[409] ?? 0} × 409 of ${c - 1} conflicting bodies`);
      } else if ((count[200] ?? 0) + (count[201] ?? 0) !== c)
        failures.push(`${g.key}: ${count[200] ?? 0} × 200 + ${count[201] ?? 0} × 201 of ${c} identical calls`);
      if (ids.size !== 1 || !ids.has(api.tokens.requestId(g.key))) failures.push(`${g.key}: answered with ids ${[...ids].join(', ')}`);
      const runs = await stack.client.workflow.count(`WorkflowId = '${api.tokens.requestId(g.key)}'`);
      if (runs.count !== 1) failures.push(`${g.key}: ${runs.count} workflow runs`);
    }
    // Each request's receipt SMS exactly once, and nothing else odd (abandoned: deadlines fire on schedule).
    await until(
      'receipt SMS',
      async () => groups.every((g) => sms.forRequest(api.tokens.requestId(g.key)).some((l) => l.kind === 'received')),
      30_000,
    );
    for (const g of groups) {
      const received = sms.forRequest(api.tokens.requestId(g.key)).filter((l) => l.kind === 'received').length;
      if (received !== 1) failures.push(`${g.key}: ${received} receipt SMS`);
    }
    return await finish(
      name,
      t0,
      stack,
      sms,
      groups.map((g) => ({ id: api.tokens.requestId(g.key), outcome: 'open' as const })),
      { statuses },
      failures,
    );
  });
}

// ── 5. API restarted under load ────────────────────────────────────────────────────────────────────────────
export async function chaosApiRestart(o: ChaosOptions & { clients?: number; perClient?: number } = {}): Promise<ChaosResult> {
  const name = 'fault 5: API restarted under load';
  const clients = o.clients ?? 50;
  const perClient = o.perClient ?? 6;
  const t0 = Date.now();
  return onChaosStack({ name: 'chaos-5', address: o.address, integrationTokens: 64 }, async (stack, sms, api) => {
    const run = Date.now().toString(36);
    const failures: string[] = [];
    const restarts: { atSeconds: number; signal: string; downMs: number }[] = [];
    // The restarts are placed by progress, not by the clock (which would miss the load on a fast machine or
    // hit it only once on a slow one): at a quarter, half and three quarters of the requests answered.
    const total = clients * perClient;
    let answered = 0;
    const signals = ['SIGKILL', 'SIGTERM', 'SIGKILL'] as const;
    const chaos = (async () => {
      for (const [k, signal] of signals.entries()) {
        while (answered < (total * (k + 1)) / (signals.length + 1)) await sleep(20);
        const at = Date.now();
        await stack.api!.kill(signal);
        await stack.startApi();
        await stack.waitApiReady();
        restarts.push({ atSeconds: Math.round((at - t0) / 100) / 10, signal, downMs: Date.now() - at });
      }
    })();
    const outcome = new Map<string, { status: number; attempts: number; id?: string }>();
    await Promise.all([
      pool(
        Array.from({ length: clients }, (_, c) => c),
        clients,
        async (c) => {
          for (let j = 0; j < perClient; j++) {
            const key = `K5-${run}-${c}-${j}`;
            // A client that does not know whether its call got through sends it again with the same key.
            const r = await api
              .retrying(() => api.start(startBody(key)), 120_000)
              .catch((err: Error) => ({ status: -1, attempts: 0, body: { message: err.message } }));
            outcome.set(key, { status: r.status, attempts: r.attempts, id: (r.body as { requestId?: string }).requestId });
            answered++;
            await sleep(randomInt(50, 300));
          }
        },
      ),
      chaos,
    ]);
    let retried = 0;
    for (const [key, r] of outcome) {
      if (r.status !== 201 && r.status !== 200) failures.push(`${key}: final answer ${r.status}`);
      else if (r.id !== api.tokens.requestId(key)) failures.push(`${key}: answered with id ${r.id}`);
      if (r.attempts > 1) retried++;
    }
    if (retried === 0) failures.push('no client had to retry: the restarts did not hit in-flight calls');
    const keys = [...outcome.keys()];
    // One workflow per key, one receipt SMS per request.
    await pool(keys, 16, async (key) => {
      const runs = await stack.client.workflow.count(`WorkflowId = '${api.tokens.requestId(key)}'`);
      if (runs.count !== 1) failures.push(`${key}: ${runs.count} workflow runs`);
    });
    await until(
      'receipt SMS for every request',
      async () => keys.every((k) => sms.forRequest(api.tokens.requestId(k)).some((l) => l.kind === 'received')),
      60_000,
    ).catch(() => undefined);
    for (const key of keys) {
      const received = sms.forRequest(api.tokens.requestId(key)).filter((l) => l.kind === 'received').length;
      if (received !== 1) failures.push(`${key}: ${received} receipt SMS`);
    }
    return await finish(
      name,
      t0,
      stack,
      sms,
      keys.map((k) => ({ id: api.tokens.requestId(k), outcome: 'open' as const })),
      { restarts, requests: keys.length, clientsThatRetried: retried },
      failures,
    );
  });
}

// ── 6. Two workers and two APIs; one worker SIGKILLed while the other runs ─────────────────────────────────
export interface TwoWorkersOptions extends ChaosOptions {
  /** That many SIGKILLs, alternating between the two workers; default: until every driven request is through (at least 4). */
  kills?: number;
  /** How long a killed worker stays down, [min, max) ms (default 4–12 s: longer than the sticky queue's 10 s timeout at the top). */
  downMs?: [number, number];
  /** Extra environment of the processes, e.g. the workers' `AFTERCARE_WORKER_*` limits. */
  env?: Record<string, string>;
  /** Requests driven at once (default all): a steady load rather than one burst of starts. */
  inFlight?: number;
}

/**
 * Scaling out: two worker processes on the one task queue and two API processes, against one server. Every HTTP
 * call (start, transition, state read, photo, feedback, retry) goes to the next API in turn, so each request's
 * steps cross both. One worker at a time is SIGKILLed and left down while the other carries everything: the
 * requests the dead one had cached wait out its sticky queue and move to the shared queue, its activities in
 * flight time out and retry on the survivor. Then it is restarted (and polling) before the other one is killed.
 * Both workers append to one outbox file: an SMS that one wrote before dying and the other retries must be found
 * there, not sent again.
 */
export async function chaosTwoWorkers(o: TwoWorkersOptions = {}): Promise<ChaosResult> {
  const name = 'fault 6: two workers + two APIs, one worker SIGKILLed';
  const n = o.n ?? 200;
  const [downMin, downMax] = o.downMs ?? [4000, 12_000];
  const t0 = Date.now();
  const stackOptions = { name: 'chaos-6', address: o.address, integrationTokens: 32, workers: 2, apis: 2, env: o.env };
  return onChaosStack(stackOptions, async (stack, sms, api) => {
    const run = Date.now().toString(36);
    const keys = Array.from({ length: n }, (_, i) => `K6-${run}-${i}`);
    const plans = keys.map((_, i) => planFor(i));
    const failures: string[] = [];
    const host = hostname();
    // Worker identity (pid@host, as histories record it) → slot, for every process a slot has had.
    const slotOf = new Map<string, number>();
    const serving = async (slot: number): Promise<void> => {
      const identity = workerIdentity(stack.workers[slot]?.pid as number, host);
      slotOf.set(identity, slot);
      await waitPolling(stack.client, stack.taskQueue, identity);
    };
    await Promise.all([serving(0), serving(1)]);
    const down: DownWindow[] = [];
    let done = false;
    const chaos = (async () => {
      while (o.kills !== undefined ? down.length < o.kills : !done || down.length < 4) {
        await sleep(randomInt(1500, 5000));
        const slot = down.length % 2;
        const from = Date.now();
        await stack.workers[slot]!.kill('SIGKILL');
        await sleep(randomInt(downMin, downMax));
        down.push({ slot, from, to: Date.now() });
        await stack.startWorker(slot);
        // Never both down: the next kill (of the other one) waits until this one serves again.
        await serving(slot);
      }
    })();
    const expired = await startAndDrive(api, sms, keys, plans, failures, o.driveTimeoutMs, o.inFlight);
    done = true;
    await chaos;
    await waitForDeadlines(Date.now());

    const expected = expectations(api, keys, plans, expired);
    const ids = expected.map((e) => e.id);
    const placement = await taskPlacement(stack.client, ids, down);
    const bySlot = [0, 1].map((slot) =>
      Object.entries(placement.byIdentity)
        .filter(([id]) => slotOf.get(id) === slot)
        .reduce((a, [, v]) => ({ workflowTasks: a.workflowTasks + v.workflowTasks, activities: a.activities + v.activities }), {
          workflowTasks: 0,
          activities: 0,
        }),
    );
    const unknown = Object.keys(placement.byIdentity).filter((id) => !slotOf.has(id));
    if (unknown.length) failures.push(`tasks ran on workers this scenario did not start: ${unknown.join(', ')}`);
    bySlot.forEach((s, slot) => {
      if (s.workflowTasks === 0 || s.activities === 0)
        failures.push(`worker ${slot + 1} ran ${s.workflowTasks} workflow tasks, ${s.activities} activities`);
    });
    // While one was down the other kept going.
    const survivorWhileDown = down.map((w, i) =>
      Object.entries(placement.startedWhileDown[i] ?? {})
        .filter(([id]) => slotOf.get(id) !== w.slot)
        .reduce((a, [, v]) => a + v, 0),
    );
    if (down.length && survivorWhileDown.every((x) => x === 0)) failures.push('the surviving worker ran no task while the other was down');
    const calls = api instanceof BalancedApi ? api.callsPerBase : [];
    if (calls.length !== 2 || calls.some((c) => c === 0)) failures.push(`API calls per instance: ${calls.join(', ')}`);
    // Never two receipts for one request (the verify below checks every message the histories say went out
    // exactly once; a receipt that ran out of SMS budget is not there, and paged ops).
    await sms.refresh();
    for (const id of ids) {
      const received = sms.forRequest(id).filter((l) => l.kind === 'received').length;
      if (received > 1) failures.push(`${id}: ${received} receipt SMS`);
    }
    const faults: Record<string, unknown> = {
      workerKills: down.map((w) => ({ worker: w.slot + 1, atSeconds: Math.round((w.from - t0) / 100) / 10, downMs: w.to - w.from })),
      apiCallsPerInstance: calls,
      tasksPerWorker: bySlot,
      survivorTasksWhileDown: survivorWhileDown,
      requestsOnBothWorkers: placement.movedRequests,
      stickyQueueTimeouts: placement.stickyTimeouts,
      tasksLostWithAWorker: placement.startedTaskTimeouts,
      workflowTaskFailures: placement.taskFailures,
      maxWorkflowTaskAttempt: placement.maxTaskAttempt,
      retriedActivities: placement.retriedActivities,
      stepWaitMs: { all: pick(placement.stepWaitMs.all), whileAWorkerWasDown: pick(placement.stepWaitMs.whileDown) },
      ratingLinkExpired: expired.size,
    };
    const abandoned = new Set(ids.filter((_, i) => plans[i]?.kind === 'abandon'));
    return await finish(name, t0, stack, sms, expected, faults, failures, (report) => {
      // Requests left alone breached their deadlines, and were escalated (verify: recorded and notified).
      for (const c of report.checks.filter((x) => abandoned.has(x.id)))
        if (c.deadlines.fired === 0) failures.push(`${c.id}: left alone, but no deadline fired`);
      const breaches = report.checks.flatMap((c) => c.breaches);
      const dueWhileDown = breaches.filter((b) => down.some((w) => b.dueAt >= w.from && b.dueAt <= w.to));
      faults.breachLateMs = {
        all: pick(summarize(breaches.map((b) => b.lateMs))),
        dueWhileAWorkerWasDown: pick(summarize(dueWhileDown.map((b) => b.lateMs))),
      };
    });
  });
}

/** n, p50, p99 and max of a summary, rounded, for the results. */
const pick = (s: Summary): { n: number; p50: number; p99: number; max: number } => ({
  n: s.n,
  p50: Math.round(s.p50),
  p99: Math.round(s.p99),
  max: Math.round(s.max),
});

export const SCENARIOS = {
  1: chaosWorkerKill,
  2: chaosServerKill,
  3: chaosFlakySms,
  4: chaosConcurrentStarts,
  5: chaosApiRestart,
  6: chaosTwoWorkers,
} as const;
