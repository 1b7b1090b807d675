/**
 * `npm run chaos`: the fault tests at full size (or --quick), each on its own stack; prints a summary and writes
 * bench/results/chaos.json. Exit code 1 if any check failed. `--only 1,3` picks faults (e.g. `npm run chaos --
 * --only 6`); their results replace those of the same faults in an existing chaos.json, the others are kept.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { log } from '../lib/util';
import {
  chaosApiRestart,
  chaosConcurrentStarts,
  chaosFlakySms,
  chaosServerKill,
  chaosTwoWorkers,
  chaosWorkerKill,
  type ChaosResult,
} from './scenarios';

async function main(): Promise<void> {
  // The end-of-scenario replay check runs SDK replay workers in this process: their state changes are noise.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  // Children are killed on exit (bench/lib/stack.ts): make Ctrl-C and kill end through exit too.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyArg = args[args.indexOf('--only') + 1];
  const only = args.includes('--only') && onlyArg ? new Set(onlyArg.split(',').map(Number)) : undefined;
  const runs: [number, () => Promise<ChaosResult>][] = [
    [1, () => chaosWorkerKill({ n: quick ? 40 : 200 })],
    [2, () => chaosServerKill({ n: quick ? 30 : 100, kills: quick ? 1 : 2 })],
    [3, () => chaosFlakySms({ driven: quick ? 8 : 30, abandoned: quick ? 6 : 20 })],
    [4, () => chaosConcurrentStarts({ concurrent: 50 })],
    [5, () => chaosApiRestart({ clients: quick ? 20 : 50, perClient: quick ? 4 : 8 })],
    // 40 in flight at full size: a steady load that two workers, two APIs and the server share on two cores. All
    // 200 at once kept the survivor of each kill behind by minutes (bench/ANALYSIS.md, fault 6).
    [6, () => chaosTwoWorkers({ n: quick ? 30 : 200, inFlight: quick ? undefined : 40 })],
  ];
  if (only) for (const n of only) if (!runs.some(([k]) => k === n)) throw new Error(`--only: no fault ${n} (1–${runs.length})`);
  const results: ChaosResult[] = [];
  for (const [n, f] of runs) {
    if (only && !only.has(n)) continue;
    try {
      results.push(await f());
    } catch (err) {
      log(`fault ${n} crashed: ${(err as Error).stack ?? err}`);
      results.push({
        name: `fault ${n}`,
        ok: false,
        seconds: 0,
        requests: 0,
        faults: {},
        failures: [`crashed: ${(err as Error).message}`],
        summary: `fault ${n}: CRASHED ${(err as Error).message}`,
      });
    }
  }
  const dir = join(PROJECT_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'chaos.json');
  const fresh = results.map(({ report, ...r }) => ({ ...r, report: report && { ...report, checks: undefined } }));
  // A run of some faults keeps the other faults' results of the last run of the same size (in fault order).
  const earlier =
    only && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { quick?: boolean; results?: ChaosResult[] }) : undefined;
  const kept = earlier?.quick === quick ? (earlier.results ?? []).filter((r) => !fresh.some((f) => f.name === r.name)) : [];
  const faultNo = (r: { name: string }): number => Number(/^fault (\d+)/.exec(r.name)?.[1] ?? 99);
  writeFileSync(
    file,
    JSON.stringify({ at: new Date().toISOString(), quick, results: [...kept, ...fresh].sort((a, b) => faultNo(a) - faultNo(b)) }, null, 1),
  );
  console.log('\n' + results.map((r) => `${r.ok ? 'PASS' : 'FAIL'} ${r.summary} (${r.seconds} s)`).join('\n'));
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
