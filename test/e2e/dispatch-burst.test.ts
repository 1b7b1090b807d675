/**
 * Issue 12, acceptance, through the whole stack: the real API and worker processes (api-stack.ts) on the shared dev
 * server. 20 service requests for the same spot are started over HTTP at once, with a roster of 5 technicians who
 * are equally placed, equally rated and equally skilled. Once every request is `assigned`, nobody holds more than
 * 5 of them, and with exact load (lifecycle 3 claims on the dispatch board) exactly 4 each; the board's `load`
 * query says the same.
 *
 * The policy is policy/fast.yaml with every window before the visit long (nobody accepts here: an accept window or
 * dispatch deadline closing on a busy machine would re-dispatch and change the counts), and the roster a
 * temporary file with technicians nobody else on the dev server uses (no other request counts towards them).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { Client, Connection } from '@temporalio/client';
import type { ServiceRequestState } from '../../workflows/messages';
import { boardWorkflowId, loadQuery } from '../../workflows/boardMessages';
import { RATING_WINDOWS, writeFastPolicyVariant } from '../support/policies';
import {
  type ApiStack,
  expectNoPii,
  type HttpResult,
  honouringRetryAfter,
  saveArtifact,
  startApiStack,
  startBody,
  TOKENS,
} from './api-stack';

const run = `${process.pid}-${Date.now().toString(36)}`;
const taskQueue = `burst-e2e-${run}`;
const BURST = 20;
/** Ids sort as written: with everything else equal, the id is the last tie-break of the dispatch order. */
const TECHS = [1, 2, 3, 4, 5].map((n) => `burst-${run}-t${n}`);
/** The customer's spot (startBody) and, 2 km north of it, every technician's home: within the 30 km radius. */
const HOME = { lat: 31.2115, lng: 121.4375 };

/** Longer than this test could ever run, and in the order the policy wants (dispatch < response < on site < …). */
const LONG_WINDOWS = {
  ...RATING_WINDOWS,
  deadlines: {
    acknowledge: '10m',
    dispatch: { normal: '60m', urgent: '45m', critical: '30m' },
    accept: '30m',
    response: { normal: '4h', urgent: '2h', critical: '1h' },
    onSite: { normal: '24h', urgent: '8h', critical: '2h' },
    resolution: { normal: '48h', urgent: '24h', critical: '8h' },
    photos: '30m',
    followUp: '2h',
  },
};

let dir: string;
let stack: ApiStack;
let connection: Connection;
let client: Client;
const requestIds: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aftercare-burst-'));
  const roster = join(dir, 'technicians.yaml');
  writeFileSync(
    roster,
    YAML.stringify({
      technicians: TECHS.map((id, i) => ({
        id,
        name: `测试师傅${i + 1}`,
        workNumber: `T-B${i + 1}`,
        phone: `+86138001399${String(i + 1).padStart(2, '0')}`,
        skills: ['gas_water_heater', 'gas', 'plumbing'],
        tier: 2,
        home: HOME,
        rating: 0.97, // ≥ preferredRating 95 %: all "service stars"
        active: true,
      })),
    }),
  );
  stack = await startApiStack('burst-e2e', {
    TEMPORAL_TASK_QUEUE: taskQueue,
    AFTERCARE_TECHNICIANS: roster,
    AFTERCARE_POLICY: writeFastPolicyVariant(dir, '2026.1-fast-burst', LONG_WINDOWS),
  });
  connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS as string });
  client = new Client({ connection });
}, 90_000);

afterAll(async () => {
  // Not left running on the shared server: the requests (each holds timers for hours) and this stack's board.
  if (client) {
    await Promise.all(
      [...requestIds, boardWorkflowId(taskQueue)].map((id) =>
        client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined),
      ),
    );
  }
  await connection?.close();
  const output = stack?.api.output() ?? '';
  const workerOutput = stack?.worker.output() ?? '';
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  saveArtifact('dispatch-burst-worker.log', workerOutput);
  saveArtifact('dispatch-burst.log', output);
  expectNoPii(output);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET as ops; a 429 (the per-IP limit, 600 a minute) is sent again after its Retry-After. */
async function state(id: string): Promise<ServiceRequestState> {
  const r: HttpResult<ServiceRequestState> = await honouringRetryAfter(() =>
    stack.call<ServiceRequestState>('GET', `/v1/service-requests/${id}`, { token: TOKENS.ops }),
  );
  if (r.status !== 200) throw new Error(`GET ${id}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const perTechnician = (ids: (string | undefined)[]): Record<string, number> => {
  const per: Record<string, number> = {};
  for (const t of ids) if (t) per[t] = (per[t] ?? 0) + 1;
  return per;
};

/** The ranked order a request's "candidates" timeline line shows: `id (… n open jobs); …`. */
function rankedOnTimeline(s: ServiceRequestState): { technicianId: string; openJobs: number }[] {
  const line = s.timeline.find((e) => e.event === 'candidates')?.detail ?? '';
  return line
    .split('; ')
    .map((part) => part.match(/^(\S+) \(.*?(\d+) open jobs?\)$/))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => ({ technicianId: m[1]!, openJobs: Number(m[2]) }));
}

test('20 requests started at once over HTTP, 5 equal technicians: exactly 4 each, on the requests and on the board', async () => {
  const t0 = Date.now();
  // All 20 POSTs in flight together: the requests are received, ranked and dispatched in the same moment.
  const started = await Promise.all(
    Array.from({ length: BURST }, (_, i) =>
      honouringRetryAfter(() =>
        stack.call<ServiceRequestState>('POST', '/v1/service-requests', {
          token: TOKENS.integration,
          body: startBody(`BURST-${run}-${i}`),
        }),
      ),
    ),
  );
  for (const r of started) requestIds.push(r.body.requestId);
  expect(started.map((r) => r.status)).toEqual(Array<number>(BURST).fill(201));
  expect(new Set(requestIds).size).toBe(BURST);

  // Until every request is assigned (polled gently: at most 20 reads every 2 s keeps under the per-IP limit).
  const assigned = new Map<string, ServiceRequestState>();
  const deadline = Date.now() + 180_000;
  while (assigned.size < BURST) {
    const pending = requestIds.filter((id) => !assigned.has(id));
    for (const s of await Promise.all(pending.map(state))) if (s.status === 'assigned' && s.technicianId) assigned.set(s.requestId, s);
    if (assigned.size === BURST) break;
    if (Date.now() > deadline) {
      throw new Error(
        `only ${assigned.size} of ${BURST} assigned after 180 s\n--- worker ---\n${stack.worker.output().slice(-3000)}\n--- api ---\n${stack.api.output().slice(-3000)}`,
      );
    }
    await sleep(2000);
  }
  const allAssignedMs = Date.now() - t0;

  // Settled: the board holds all 20 reservations (a claim's answer reaches the request after the board books it).
  const board = client.workflow.getHandle(boardWorkflowId(taskQueue));
  const load = await stack.until('20 reservations on the board', async () => {
    const l = await board.query(loadQuery);
    return l.reservations === BURST ? l : undefined;
  });

  // Read again after everything settled: still assigned, each once, automatically, to one of our five.
  const final = await Promise.all(requestIds.map(state));
  for (const s of final) {
    expect(s.status).toBe('assigned');
    expect(s.assignments).toHaveLength(1);
    expect(s.assignments[0]).toMatchObject({ by: 'auto' });
    expect(TECHS).toContain(s.technicianId);
  }
  const counts = perTechnician(final.map((s) => s.technicianId));
  const picked = final.map((s) => s.technicianId);

  // What the ranking (visibility's open-job counts) put first for each request: lifecycle 2 assigns exactly that
  // (`remaining[0]`, workflows/lifecycle/dispatch.ts). In a burst the counts are stale (visibility lags ~1 s and the
  // counts are cached 2 s), so requests ranked in the same moment all see "0 open jobs" for everyone and, with
  // everything else equal, rank the same technician first: the lowest id. Without exact load those requests would
  // all have gone to that one technician.
  const rankedFirst = final.map((s) => rankedOnTimeline(s)[0]?.technicianId);
  const blind = final.filter((s) => rankedOnTimeline(s).every((c) => c.openJobs === 0)).length;
  saveArtifact(
    'dispatch-burst-summary.json',
    JSON.stringify({ allAssignedMs, counts, load, blind, byRanking: perTechnician(rankedFirst), picked, rankedFirst }, null, 2),
  );
  for (const s of final) expect(rankedOnTimeline(s).map((c) => c.technicianId)).toEqual(expect.arrayContaining(TECHS));

  // Issue 12's promise: nobody gets more than 5 of the 20 (2 × the fair share of 4 would still be "not 13").
  expect(Math.max(...Object.values(counts))).toBeLessThanOrEqual(5);
  // Exact load makes it exactly 4 each: the board takes claims one at a time and each goes to the least loaded of
  // the five (equal in radius, star and distance, so the count decides and the id only breaks ties), so after k
  // claims the counts differ by at most 1, and 20 claims over 5 technicians leave 4 each. Any stale count (a claim
  // that did not see an earlier one) would leave someone with 5 and someone with 3.
  expect(counts).toEqual(Object.fromEntries(TECHS.map((t) => [t, 4])));
  // The board agrees: its book holds these 20 reservations, 4 per technician.
  expect(load).toEqual({ counts: Object.fromEntries(TECHS.map((t) => [t, 4])), reservations: BURST });

  // The test can fail: at least 6 requests were ranked blind (everyone at 0 open jobs, so the lowest id first),
  // and without the board those 6+ would all have gone to one technician, over the limit of 5 above. If this
  // fails, the requests were not dispatched together and the burst proved nothing.
  expect(blind).toBeGreaterThan(5);
}, 300_000);
