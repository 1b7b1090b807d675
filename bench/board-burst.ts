/**
 * `npm run bench:board` — the dispatch board (issue 12) under a burst: N claims at the same instant over T
 * equally placed technicians, through the activities' adapter (src/temporal/dispatchBoard.ts) against a private
 * stack (dev server + the compiled worker, which runs the board workflow); then the N releases at once.
 *
 *   npm run bench:board               200 claims over 20 technicians
 *   npm run bench:board -- --quick    50 over 10
 *
 * Variants: one worker's adapter (its gate: 5 claims in flight), two workers' adapters (own connections, 5 each:
 * the board's limit of 10), and no gate (what the gate is for). Writes bench/results/board.json; BENCHMARKS.md
 * shows it (bench/report.ts; this script prints the section as well).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { BoardCandidate, BoardPick } from '../src/domain/load';
import { PROJECT_ROOT } from '../src/temporal/binaries';
import { TemporalDispatchBoard } from '../src/temporal/dispatchBoard';
import { apiConnectionInterceptors } from '../src/temporal/retry';
import { DISPATCH_BOARD_WORKFLOW, loadQuery } from '../workflows/boardMessages';
import { CpuMeter, loadAverage } from './lib/procstat';
import { quiesce, startStack, type Stack } from './lib/stack';
import { log, round, summarize, type Summary } from './lib/util';
import { boardSection } from './report';

export const BOARD_RESULTS_FILE = join(PROJECT_ROOT, 'bench', 'results', 'board.json');

export interface BoardVariantResult {
  name: string;
  adapters: number;
  maxInFlight: number | null;
  claims: { ok: number; failed: number; wallMs: number; perSecond: number; latencyMs: Summary; attemptsPerClaim: number };
  /** Claims per technician among the answered ones. */
  perTechnician: { min: number; max: number };
  /** The board's own `load` query agrees with the answers. */
  loadAgrees: boolean;
  /** Board runs the burst went through (continue-as-new). */
  runs: number;
  releases: { ok: number; failed: number; wallMs: number; latencyMs: Summary; reservationsLeft: number };
  cores: Record<string, number>;
  errors: string[];
}

export interface BoardBenchResult {
  at: string;
  quick: boolean;
  seconds: number;
  loadBefore: number;
  loadAfter: number;
  command: string;
  claims: number;
  technicians: number;
  variants: BoardVariantResult[];
}

interface Adapter {
  board: TemporalDispatchBoard;
  attempts: () => number;
  close: () => Promise<void>;
}

/** One worker process's adapter: its own connection (as the worker's client: busy refusals left to the adapter). */
async function adapter(stack: Stack, workflowId: string, maxInFlight: number | undefined): Promise<Adapter> {
  const connection = await Connection.connect({ address: stack.address, interceptors: apiConnectionInterceptors() });
  const client = new Client({ connection });
  let attempts = 0;
  const original = client.workflow.executeUpdateWithStart.bind(client.workflow);
  client.workflow.executeUpdateWithStart = ((...a: Parameters<typeof original>) => {
    attempts++;
    return original(...a);
  }) as typeof original;
  const board = new TemporalDispatchBoard({ client, taskQueue: stack.taskQueue, workflowId, ...(maxInFlight ? { maxInFlight } : {}) });
  return { board, attempts: () => attempts, close: () => connection.close() };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; error?: string }> {
  const t0 = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - t0, value };
  } catch (err) {
    return { ms: performance.now() - t0, error: (err as Error).message };
  }
}

/** Runs of the board from its first, following continue-as-new. */
async function runCount(client: Client, workflowId: string, firstRunId: string): Promise<number> {
  let runs = 0;
  for (let runId: string | undefined = firstRunId; runId; runs++) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

async function variant(
  stack: Stack,
  o: { name: string; adapters: number; maxInFlight?: number; claims: number; candidates: BoardCandidate[] },
): Promise<BoardVariantResult> {
  const workflowId = `dispatch-board-bench-${o.name.replace(/\W+/g, '-')}-${Date.now().toString(36)}`;
  const adapters = await Promise.all(Array.from({ length: o.adapters }, () => adapter(stack, workflowId, o.maxInFlight)));
  // Running already, as in production (the board starts once, with the first claim ever: test/e2e covers that race).
  const started = await stack.client.workflow.start(DISPATCH_BOARD_WORKFLOW, { workflowId, taskQueue: stack.taskQueue, args: [{}] });
  const meter = new CpuMeter(() => ({ worker: stack.worker?.pid, server: stack.server?.child.pid }));
  log(`(board) ${o.name}: ${o.claims} claims at once over ${o.candidates.length} technicians`);
  meter.start();
  const t0 = performance.now();
  const claims = await Promise.all(
    Array.from({ length: o.claims }, (_, i) =>
      timed(() => adapters[i % o.adapters]!.board.claim({ requestId: `sr-bench-${i}`, claimId: 'c1', candidates: o.candidates })),
    ),
  );
  const claimWall = performance.now() - t0;
  const cpu = meter.stop();
  const picks = claims.flatMap((c) => (c.value ? [c.value as BoardPick] : []));
  const per: Record<string, number> = Object.fromEntries(o.candidates.map((c) => [c.technicianId, 0]));
  for (const p of picks) per[p.technicianId] = (per[p.technicianId] ?? 0) + 1;
  const counts = Object.values(per);

  const client = stack.client;
  const handle = client.workflow.getHandle(workflowId);
  const load = await handle.query(loadQuery);
  const loadAgrees = load.reservations === picks.length && Object.entries(per).every(([id, n]) => (load.counts[id] ?? 0) === n);
  const runs = await runCount(client, workflowId, started.firstExecutionRunId);

  log(`(board) ${o.name}: releasing`);
  const r0 = performance.now();
  const releases = await Promise.all(
    claims.map((c, i) =>
      c.value ? timed(() => adapters[i % o.adapters]!.board.release({ requestId: `sr-bench-${i}`, claimId: 'c1' })) : undefined,
    ),
  );
  const releaseWall = performance.now() - r0;
  const done = releases.flatMap((r) => (r ? [r] : []));
  const left = await handle.query(loadQuery);
  const errors = [...new Set([...claims, ...done].flatMap((c) => (c.error ? [c.error] : [])))].slice(0, 3);
  await handle.terminate('benchmark over').catch(() => undefined);
  await Promise.all(adapters.map((a) => a.close()));
  return {
    name: o.name,
    adapters: o.adapters,
    maxInFlight: o.maxInFlight ?? null,
    claims: {
      ok: picks.length,
      failed: claims.length - picks.length,
      wallMs: round(claimWall),
      perSecond: round((picks.length * 1000) / claimWall),
      latencyMs: roundSummary(summarize(claims.map((c) => c.ms))),
      attemptsPerClaim: round(adapters.reduce((n, a) => n + a.attempts(), 0) / claims.length, 2),
    },
    perTechnician: { min: Math.min(...counts), max: Math.max(...counts) },
    loadAgrees,
    runs,
    releases: {
      ok: done.filter((r) => !r.error).length,
      failed: done.filter((r) => r.error).length,
      wallMs: round(releaseWall),
      latencyMs: roundSummary(summarize(done.map((r) => r.ms))),
      reservationsLeft: left.reservations,
    },
    cores: Object.fromEntries(Object.entries(cpu.cores).map(([k, v]) => [k, round(v, 2)])),
    errors,
  };
}

const roundSummary = (s: Summary): Summary =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'n' ? v : round(v)])) as unknown as Summary;

async function main(): Promise<void> {
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const n = quick ? 50 : 200;
  const technicians = quick ? 10 : 20;
  const candidates: BoardCandidate[] = Array.from({ length: technicians }, (_, i) => ({
    technicianId: `t${String(i + 1).padStart(2, '0')}`,
    withinRadius: true,
    starred: true,
    distanceKm: 5,
  }));
  const t0 = Date.now();
  const loadBefore = loadAverage();
  const stack = await startStack({ name: 'board', api: false });
  const variants: BoardVariantResult[] = [];
  try {
    // The board workflow must be in the worker's bundle: a first claim proves it (and warms the worker up).
    const warm = await adapter(stack, 'dispatch-board-warmup', undefined);
    await warm.board.claim({ requestId: 'warm', claimId: 'w', candidates });
    await stack.client.workflow.getHandle('dispatch-board-warmup').terminate('warmed up');
    await warm.close();
    for (const v of [
      { name: 'one worker (gate: 5 in flight)', adapters: 1 },
      { name: 'two workers (5 in flight each)', adapters: 2 },
      { name: 'no gate', adapters: 1, maxInFlight: Number.MAX_SAFE_INTEGER },
    ]) {
      await quiesce(stack.pids, { maxMs: 30_000 });
      variants.push(await variant(stack, { ...v, claims: n, candidates }));
      log(`(board) ${JSON.stringify(variants.at(-1))}`);
    }
  } finally {
    await stack.stop();
  }
  const result: BoardBenchResult = {
    at: new Date().toISOString(),
    quick,
    seconds: Math.round((Date.now() - t0) / 1000),
    loadBefore,
    loadAfter: loadAverage(),
    command: `npm run bench:board --${args.length ? ` ${args.join(' ')}` : ''}`,
    claims: n,
    technicians,
    variants,
  };
  mkdirSync(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(BOARD_RESULTS_FILE, JSON.stringify(result, null, 1));
  console.log(boardSection(result));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
