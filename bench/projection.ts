/**
 * What the reporting projection costs the worker (issue 15: at most 10 % of a lifecycle's worker CPU): benchmark (d)'s
 * lifecycles, alternately without a reporting database and with one (a PostgreSQL server of its own, so the database's
 * CPU is not counted as the worker's), in rounds so drift in the machine's load falls on both alike.
 *   npm run bench:projection -- [--n 100] [--rounds 3]
 */
import { benchE2e, type E2eResult } from './d-e2e';
import { startPostgres } from './lib/postgres';
import { log, round } from './lib/util';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const num = (flag: string, fallback: number): number => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const n = num('--n', 100);
  const rounds = num('--rounds', 3);
  process.once('SIGINT', () => process.exit(130));
  const pg = await startPostgres();
  const runs: { mode: 'off' | 'on'; r: E2eResult }[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      for (const mode of i % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        log(`round ${i + 1}, projection ${mode}`);
        const r = await benchE2e({ n, inFlight: 20, env: mode === 'on' ? { DATABASE_URL: pg.url } : { DATABASE_URL: '' } });
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
    const mean = (mode: 'off' | 'on', f: (r: E2eResult) => number) => {
      const xs = runs.filter((x) => x.mode === mode).map((x) => f(x.r));
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const worker = (r: E2eResult) => r.cpuMsPerLifecycle.worker ?? NaN;
    const off = mean('off', worker);
    const on = mean('on', worker);
    console.log(
      JSON.stringify(
        {
          n,
          rounds,
          workerCpuMsPerLifecycle: {
            off: runs.filter((x) => x.mode === 'off').map((x) => round(worker(x.r), 1)),
            on: runs.filter((x) => x.mode === 'on').map((x) => round(worker(x.r), 1)),
          },
          meanOff: round(off, 1),
          meanOn: round(on, 1),
          overheadPercent: round(((on - off) / off) * 100, 1),
          lifecyclesPerSecond: {
            off: round(
              mean('off', (r) => r.lifecyclesPerSecond),
              2,
            ),
            on: round(
              mean('on', (r) => r.lifecyclesPerSecond),
              2,
            ),
          },
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
