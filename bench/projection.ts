/**
 * What the reporting projection costs the worker (issue 15: at most 10 % of a lifecycle's worker CPU): benchmark (d)'s
 * lifecycles in rounds, each round every mode once (order rotating, so drift in the machine's load falls on all alike):
 *   off   this build, no reporting database (the projection runs, its activity has nowhere to write);
 *   on    this build writing to a PostgreSQL server of its own (its CPU is not counted as the worker's);
 *   base  (with --baseline <checkout>) the worker of another built checkout, e.g. main before the projection: the
 *         lifecycle benchmark as it was, against which "on" is the projection's whole cost.
 *   npm run bench:projection -- [--n 100] [--rounds 3] [--baseline /path/to/built/checkout]
 */
import { benchE2e, type E2eResult } from './d-e2e';
import { startPostgres } from './lib/postgres';
import { log, round } from './lib/util';

type Mode = 'base' | 'off' | 'on';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const n = Number(arg('--n') ?? 100);
  const rounds = Number(arg('--rounds') ?? 3);
  const baseline = arg('--baseline');
  const modes: Mode[] = baseline ? ['base', 'off', 'on'] : ['off', 'on'];
  process.once('SIGINT', () => process.exit(130));
  const pg = await startPostgres();
  const runs: { mode: Mode; r: E2eResult }[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const order = [...modes.slice(i % modes.length), ...modes.slice(0, i % modes.length)];
      for (const mode of order) {
        log(`round ${i + 1}, ${mode}`);
        const r = await benchE2e({
          n,
          inFlight: 20,
          env: { DATABASE_URL: mode === 'on' ? pg.url : '' },
          ...(mode === 'base' ? { workerRoot: baseline } : {}),
        });
        if (r.failed) throw new Error(`${r.failed} lifecycles failed: ${r.firstError ?? ''}`);
        runs.push({ mode, r });
      }
    }
    const rows = await (async () => {
      const { Client } = await import('pg');
      const c = new Client({ connectionString: pg.url });
      await c.connect();
      const q = await c.query<{ requests: string; events: string }>(
        'SELECT (SELECT count(*) FROM requests) AS requests, (SELECT count(*) FROM request_events) AS events',
      );
      await c.end();
      return q.rows[0];
    })();
    const of = (mode: Mode, f: (r: E2eResult) => number) => runs.filter((x) => x.mode === mode).map((x) => f(x.r));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const worker = (r: E2eResult) => r.cpuMsPerLifecycle.worker ?? NaN;
    const over = (from: Mode, to: Mode) => round(((mean(of(to, worker)) - mean(of(from, worker))) / mean(of(from, worker))) * 100, 1);
    const per = <T>(f: (m: Mode) => T) => Object.fromEntries(modes.map((m) => [m, f(m)]));
    console.log(
      JSON.stringify(
        {
          n,
          rounds,
          baseline,
          workerCpuMsPerLifecycle: per((m) => of(m, worker).map((x) => round(x, 1))),
          meanWorkerCpuMs: per((m) => round(mean(of(m, worker)), 1)),
          overheadPercent: {
            onVsOff: over('off', 'on'),
            ...(baseline ? { onVsBase: over('base', 'on'), offVsBase: over('base', 'off') } : {}),
          },
          lifecyclesPerSecond: per((m) => round(mean(of(m, (r) => r.lifecyclesPerSecond)), 2)),
          lifecycleP50Ms: per((m) => round(mean(of(m, (r) => r.lifecycle.p50)), 0)),
          database: rows,
        },
        null,
        2,
      ),
    );
  } finally {
    await pg.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
