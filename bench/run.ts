/**
 * `npm run bench` — the benchmarks of issue 6 on private stacks (own dev server on free ports, temp SQLite
 * file; worker and API as the compiled processes), then BENCHMARKS.md.
 *
 *   npm run bench                      a, b, c, c-lean, d at full size (~35 min on 2 cores)
 *   npm run bench -- --quick           small N (~5 min)
 *   npm run bench -- --only a,c-lean   some sections (a, b, c, c-lean, d); the others keep their last figures in bench/results/latest.json
 *   npm run bench -- --profile         also --cpu-prof the worker and API during (a) and (d) and list the hot spots
 *   npm run bench -- --render          only rewrite BENCHMARKS.md from bench/results/latest.json
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, temporalCliPath } from '../src/temporal/binaries';
import { benchStart } from './a-start';
import { benchLateness, benchTimerBaseline } from './b-lateness';
import { benchScale } from './c-scale';
import { benchE2e } from './d-e2e';
import { profilesIn, summarizeProfile, type ProfileSummary } from './lib/cpuprofile';
import { loadAverage } from './lib/procstat';
import { LEAN_WORKER } from './lib/leanWorker';
import { renderBenchmarks } from './report';
import { log } from './lib/util';

export const RESULTS_FILE = join(PROJECT_ROOT, 'bench', 'results', 'latest.json');

export interface SectionMeta {
  at: string;
  quick: boolean;
  seconds: number;
  loadBefore: number;
  loadAfter: number;
  command: string;
}

export interface Results {
  machine?: Record<string, string | number>;
  sections: Record<string, { meta: SectionMeta; result: unknown; profiles?: ProfileSummary[] }>;
}

function machine(): Record<string, string | number> {
  const version = (pkg: string): string =>
    (JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  let cli = '?';
  try {
    cli = execFileSync(temporalCliPath(), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // reported as '?'
  }
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  } catch {
    // not a checkout
  }
  return {
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    temporalCli: cli.replace(/\s+/g, ' '),
    sdk: version('@temporalio/worker'),
    fastify: version('fastify'),
    autocannon: version('autocannon'),
    commit,
  };
}

function load(): Results {
  try {
    return JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Results;
  } catch {
    return { sections: {} };
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (f: string): boolean => args.includes(f);
  const quick = flag('--quick');
  const onlyArg = args[args.indexOf('--only') + 1];
  const only = flag('--only') && onlyArg ? new Set(onlyArg.split(',')) : undefined;
  const results = load();
  if (flag('--render')) {
    writeFileSync(join(PROJECT_ROOT, 'BENCHMARKS.md'), renderBenchmarks(results));
    log('BENCHMARKS.md rewritten');
    return;
  }
  // Children are killed on exit (bench/lib/stack.ts): make Ctrl-C and kill end through exit too.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  results.machine = machine();
  const command = `npm run bench --${args.length ? ` ${args.join(' ')}` : ''}`;
  const profileRoot = flag('--profile') ? mkdtempSync(join(tmpdir(), 'aftercare-prof-')) : undefined;
  const profDir = (name: string): string | undefined => {
    if (!profileRoot) return undefined;
    const dir = join(profileRoot, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const profArgs = (name: string): string[] | undefined => {
    const dir = profDir(name);
    return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : undefined;
  };
  const profilesOf = (name: string): ProfileSummary[] | undefined =>
    profileRoot ? profilesIn(join(profileRoot, name)).map((f) => summarizeProfile(f, 12)) : undefined;

  const lean = { workerEnv: LEAN_WORKER.env, nodeArgs: LEAN_WORKER.nodeArgs };
  const sections: [string, () => Promise<unknown>][] = [
    ['a', () => benchStart({ concurrency: 16, durationMs: quick ? 8000 : 20_000, warmupMs: 3000, profileDir: profDir('a') })],
    [
      'b',
      async () => ({
        baseline: await benchTimerBaseline({ n: quick ? 200 : 1000 }),
        aftercare: await benchLateness({ n: quick ? 200 : 1000 }),
        // The lean worker needs longer to get a burst of starts through their first tasks (its cache is smaller
        // than the burst): without the extra lead, deadlines come due before their requests have armed them.
        aftercareLean: await benchLateness({ n: quick ? 200 : 1000, leadMs: 120_000, ...lean }),
      }),
    ],
    ['c', () => benchScale({ steps: quick ? [200, 500, 1000] : [1000, 5000, 10_000], concurrency: 32 })],
    ['c-lean', () => benchScale({ steps: quick ? [200, 500, 1000] : [1000, 5000, 10_000], concurrency: 32, ...lean })],
    [
      'd',
      () =>
        benchE2e({ n: quick ? 60 : 300, inFlight: 20, nodeArgs: profileRoot ? { worker: profArgs('d'), api: profArgs('d') } : undefined }),
    ],
  ];
  for (const [name, run] of sections) {
    if (only && !only.has(name)) continue;
    const t0 = Date.now();
    const loadBefore = loadAverage();
    log(`── (${name}) ──`);
    const result = await run();
    results.sections[name] = {
      meta: {
        at: new Date().toISOString(),
        quick,
        seconds: Math.round((Date.now() - t0) / 1000),
        loadBefore,
        loadAfter: loadAverage(),
        command,
      },
      result,
      profiles: profilesOf(name),
    };
    mkdirSync(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(RESULTS_FILE, JSON.stringify(results, null, 1));
  }
  writeFileSync(join(PROJECT_ROOT, 'BENCHMARKS.md'), renderBenchmarks(results));
  log(`results: ${RESULTS_FILE}; BENCHMARKS.md written`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
