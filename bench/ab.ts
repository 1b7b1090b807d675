/**
 * Before/after figures of the performance fixes, back to back on the same machine state:
 *   sqlite   dev server with SQLite's default rollback journal vs WAL (src/dev.ts, bench/lib/stack.ts)
 *   preload  workflow bundle without vs with the shared calendar module (src/temporal/bundle.ts): worker RSS
 *            and workflow-thread heap per open request
 *   openjobs dispatch counting every technician's open jobs per request vs the 2 s cache
 *            (src/runtime/activityDeps.ts): start rate and server calls at 1,000 and 3,000 open requests
 * Writes bench/results/ab.json, which ANALYSIS.md quotes.   npm run build && node dist/bench/ab.js [sqlite|preload]
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { PROJECT_ROOT } from '../src/temporal/binaries';
import { WORKFLOWS_PATH } from '../src/temporal/bundle';
import { PREBUILT_BUNDLE } from '../src/worker';
import { benchStart } from './a-start';
import { benchTimerBaseline } from './b-lateness';
import { benchScale } from './c-scale';
import { loadAverage } from './lib/procstat';
import { log } from './lib/util';

const FILE = join(PROJECT_ROOT, 'bench', 'results', 'ab.json');

async function withEnv<T>(env: Record<string, string | undefined>, f: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

async function main(): Promise<void> {
  // Children are killed on exit (bench/lib/stack.ts): make Ctrl-C and kill end through exit too.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  const which = new Set(process.argv.slice(2).length ? process.argv.slice(2) : ['sqlite', 'preload']);
  let out: Record<string, unknown>;
  try {
    out = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    out = {};
  }
  if (which.has('sqlite')) {
    const r: Record<string, unknown> = { at: new Date().toISOString(), loadBefore: loadAverage() };
    for (const [name, env] of [
      ['rollbackJournal', { BENCH_SQLITE_DEFAULT: '1' }],
      ['wal', { BENCH_SQLITE_DEFAULT: undefined }],
    ] as const) {
      r[name] = {
        timers200: await withEnv(env, () => benchTimerBaseline({ n: 200 })),
        start: await withEnv(env, () => benchStart({ concurrency: 16, durationMs: 8000, warmupMs: 2000 })).then((a) => ({
          baseline: a.baseline,
          http: a.http,
        })),
      };
      log(`sqlite ${name} done`);
    }
    r.loadAfter = loadAverage();
    out.sqlite = r;
  }
  if (which.has('preload')) {
    const r: Record<string, unknown> = { at: new Date().toISOString(), loadBefore: loadAverage() };
    const saved = `${PREBUILT_BUNDLE}.ab-saved`;
    copyFileSync(PREBUILT_BUNDLE, saved);
    try {
      const plain = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
      writeFileSync(PREBUILT_BUNDLE, plain.code);
      r.perWorkflowModules = await benchScale({ steps: [1000], concurrency: 32 });
      copyFileSync(saved, PREBUILT_BUNDLE);
      r.sharedCalendar = await benchScale({ steps: [1000], concurrency: 32 });
    } finally {
      copyFileSync(saved, PREBUILT_BUNDLE);
    }
    r.loadAfter = loadAverage();
    out.preload = r;
  }
  if (which.has('openjobs')) {
    const r: Record<string, unknown> = { at: new Date().toISOString(), loadBefore: loadAverage() };
    r.countEveryDispatch = await withEnv({ BENCH_TUNED_WORKER: '1', BENCH_NO_OPEN_JOBS_CACHE: '1' }, () =>
      benchScale({ steps: [1000, 3000], concurrency: 32 }),
    );
    r.cached = await benchScale({ steps: [1000, 3000], concurrency: 32 });
    r.loadAfter = loadAverage();
    out.openjobs = r;
  }
  mkdirSync(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(FILE, JSON.stringify(out, null, 1));
  log(`written ${FILE}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
