/**
 * `npm run chaos`: the five fault tests of issue 6 at full size (or --quick), each on its own stack; prints a
 * summary and writes bench/results/chaos.json. Exit code 1 if any check failed. `--only 1,3` picks faults.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { log } from '../lib/util';
import { chaosApiRestart, chaosConcurrentStarts, chaosFlakySms, chaosServerKill, chaosWorkerKill, type ChaosResult } from './scenarios';

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
  ];
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
  writeFileSync(
    join(dir, 'chaos.json'),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        quick,
        results: results.map(({ report, ...r }) => ({ ...r, report: report && { ...report, checks: undefined } })),
      },
      null,
      1,
    ),
  );
  console.log('\n' + results.map((r) => `${r.ok ? 'PASS' : 'FAIL'} ${r.summary} (${r.seconds} s)`).join('\n'));
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
