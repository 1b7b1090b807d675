/**
 * BENCHMARKS.md from bench/results/latest.json (figures), bench/results/chaos.json (fault tests),
 * bench/results/board.json (the dispatch board), bench/results/reports.json (the reporting database) and bench/ANALYSIS.md (the hand-written reading of the figures: why a target is missed, what was fixed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/temporal/binaries';
import type { StartBenchResult } from './a-start';
import type { BoardBenchResult } from './board-burst';
import type { LatenessResult, TimerBaselineResult } from './b-lateness';
import type { ScaleResult } from './c-scale';
import type { E2eResult } from './d-e2e';
import type { ReportsBenchFile } from './reports';
import type { ProfileSummary } from './lib/cpuprofile';
import type { LoadResult } from './lib/load';
import type { OpStat } from './lib/servermetrics';
import type { Summary } from './lib/util';
import { LEAN_WORKER } from './lib/leanWorker';
import type { Results, SectionMeta } from './run';

const r0 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '–' : String(Math.round(x)));
const r1 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '–' : String(Math.round(x * 10) / 10));
const r2 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '–' : String(Math.round(x * 100) / 100));
const yes = (ok: boolean): string => (ok ? '**met**' : '**missed**');

function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function meta(m: SectionMeta): string {
  return `_Run ${m.at.slice(0, 16).replace('T', ' ')} UTC, ${m.seconds} s, \`${m.command}\`${m.quick ? ' (quick sizes)' : ''}; 1-min load average ${r1(m.loadBefore)} → ${r1(m.loadAfter)} on 2 cores._`;
}

function ops(list: [string, OpStat][], n = 6): string {
  return list
    .slice(0, n)
    .map(([op, s]) => `${op} ${r2(s.count)} (${r1(s.totalMs)} ms)`)
    .join(', ');
}

function dist(label: string, s: Summary): (string | number)[] {
  return [label, r0(s.p50), r0(s.p90), r0(s.p99), r0(s.max), s.n];
}

function profiles(list: ProfileSummary[] | undefined): string {
  if (!list?.length) return '';
  const out = ['', '<details><summary>CPU profiles (node --cpu-prof; self time, busy = not idle)</summary>', ''];
  for (const p of list) {
    out.push(`**${p.file.split('/').slice(-2).join('/')}** — busy ${p.busyMs} ms of ${p.totalMs} ms, GC ${p.gcMs} ms`, '');
    out.push(
      table(
        ['package / area', 'self ms', '% of busy'],
        p.byPackage.slice(0, 8).map((x) => [x.name, x.selfMs, x.pct]),
      ),
      '',
    );
    out.push(
      table(
        ['function', 'self ms', '% of busy'],
        p.topFunctions.slice(0, 10).map((x) => [`\`${x.name.replace(/\|/g, '\\|').slice(0, 90)}\``, x.selfMs, x.pct]),
      ),
      '',
    );
  }
  out.push('</details>');
  return out.join('\n');
}

function sectionA(s: Results['sections'][string]): string {
  const a = s.result as StartBenchResult;
  const row = (name: string, l: LoadResult): (string | number)[] => [
    name,
    r1(l.rps),
    r1(l.latency.p50),
    r1(l.latency.p99),
    r1(l.latency.max),
    l.ok,
    l.errors,
  ];
  const cpu = (name: string): string =>
    Object.entries(a.cpu[name]?.cpuMsPerOp ?? {})
      .filter(([, v]) => v >= 0.05)
      .map(([k, v]) => `${k} ${r1(v)}`)
      .join(', ');
  return [
    `## (a) HTTP start overhead`,
    '',
    meta(s.meta),
    '',
    `Closed loop, ${a.concurrency} concurrent callers, ${a.durationMs / 1000} s per run after a warm-up, default policy (no timer fires during the run). ` +
      '`POST /v1/service-requests` via autocannon (keep-alive, rotating integration tokens); the baseline is `client.workflow.start` of an empty ' +
      "workflow (bench/workflows) with its own worker; the middle row is the API's own Temporal call (`TemporalRequests.start`: intake, " +
      'update-with-start of the real workflow) from the load generator, without HTTP.',
    '',
    table(
      ['run', 'starts/s', 'p50 ms', 'p99 ms', 'max ms', 'ok', 'errors'],
      [
        row('baseline: bare `workflow.start`, empty workflow', a.baseline),
        row('**HTTP** `POST /v1/service-requests`', a.http),
        row('update-with-start of `serviceRequest`, no HTTP', a.updateWithStart),
        row('baseline again (drift check)', a.baselineAfter),
      ],
    ),
    '',
    table(
      ['ratio', 'HTTP ÷ baseline', 'target', '', "HTTP ÷ update-with-start (API's own cost)"],
      [
        ['throughput', r2(a.ratios.throughput), '≥ 0.8', yes(a.ratios.throughput >= 0.8), r2(a.http.rps / a.updateWithStart.rps)],
        ['p50 latency', r2(a.ratios.p50), '≤ 1.25', yes(a.ratios.p50 <= 1.25), r2(a.http.latency.p50 / a.updateWithStart.latency.p50)],
        ['p99 latency', r2(a.ratios.p99), '', '', r2(a.http.latency.p99 / a.updateWithStart.latency.p99)],
      ],
    ),
    '',
    'CPU ms per start, by process: ' + ['baseline', 'http', 'updateWithStart'].map((k) => `**${k}**: ${cpu(k)}`).join('; ') + '.',
    '',
    'Server calls per start (count, total server latency): ' +
      ['baseline', 'http'].map((k) => `**${k}**: ${ops(a.server[k]?.frontend ?? [])}`).join('; ') +
      '.',
    profiles(s.profiles),
  ].join('\n');
}

function sectionB(s: Results['sections'][string]): string {
  const {
    baseline: b0,
    aftercare: b,
    aftercareLean: bl,
  } = s.result as { baseline: TimerBaselineResult; aftercare: LatenessResult; aftercareLean?: LatenessResult };
  return [
    `## (b) Timer lateness: ${b.n} dispatch deadlines due in the same second`,
    '',
    meta(s.meta),
    '',
    `${b.n} requests (default policy, a product category nobody services, so no one is assigned), each with its own dispatch span so that ` +
      `receipt + span lands on one instant (spread of the due times: ${b.dueSpreadMs} ms); started in ${b.startSeconds} s, then idle until the deadlines. ` +
      "Times in ms after each request's own due time, from its history and the outbox. Baseline: the same number of bare workflows that only " +
      '`sleep()` until the same instant (bench/workflows), on a fresh server and worker.',
    '',
    table(
      ['ms after due', 'p50', 'p90', 'p99', 'max', 'n'],
      [
        dist('baseline: timer fired (server)', b0.timerFired),
        dist('baseline: workflow task completed', b0.taskCompleted),
        dist('timer fired (server)', b.timerFired),
        dist('workflow task started (worker has it)', b.taskStarted),
        dist('**escalation recorded** (task completed)', b.escalationRecorded),
        dist('**breach SMS in the outbox**', b.smsInOutbox),
        ...(bl
          ? [dist('lean worker: escalation recorded', bl.escalationRecorded), dist('lean worker: breach SMS in the outbox', bl.smsInOutbox)]
          : []),
      ],
    ),
    '',
    table(
      ['target', 'measured', ''],
      [
        ['p99 ≤ 1 s (escalation recorded)', `${r0(b.escalationRecorded.p99)} ms`, yes(b.escalationRecorded.p99 <= 1000)],
        ['max ≤ 2 s (escalation recorded)', `${r0(b.escalationRecorded.max)} ms`, yes(b.escalationRecorded.max <= 2000)],
        ['p99 ≤ 1 s (SMS in outbox)', `${r0(b.smsInOutbox.p99)} ms`, yes(b.smsInOutbox.p99 <= 1000)],
        ['every deadline fired', `${b.breached}/${b.n} breached, ${b.missing} without SMS`, yes(b.breached === b.n && b.missing === 0)],
        ...(bl
          ? [
              [
                'lean worker: every deadline fired',
                `${bl.breached}/${bl.n} breached, ${bl.missing} not measured (${bl.armedLate ?? 0} armed after their due time)`,
                yes(bl.breached === bl.n && bl.missing === 0),
              ],
            ]
          : []),
      ],
    ),
    bl ? `\nLean worker: ${LEAN} (README "Worker memory vs. bursts"; its memory is in (c)).` : '',
    '',
    `CPU during the burst (${r1(b.burst.wallMs / 1000)} s, share of one core): ${Object.entries(b.burst.cores)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; ` +
      `baseline: ${Object.entries(b0.burst.cores)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} over ${r1(b0.burst.wallMs / 1000)} s. ` +
      `Server calls per request during the burst: ${ops(b.server.frontend)}; persistence: ${ops(b.server.persistence, 4)}.`,
  ].join('\n');
}

const LEAN = `${Object.entries(LEAN_WORKER.env)
  .map(([k, v]) => `\`${k}=${v}\``)
  .join(', ')}, \`node ${LEAN_WORKER.nodeArgs.join(' ')}\``;

function sectionC(
  s: Results['sections'][string],
  title = '## (c) Scale of waiting work: open requests with pending timers',
  lead = '',
): string {
  const c = s.result as ScaleResult;
  const last = c.steps[c.steps.length - 1];
  return [
    title,
    '',
    meta(s.meta),
    '',
    ...(lead ? [lead, ''] : []),
    'Requests started through the API (autocannon, 32 connections, default policy: every deadline hours away; auto-dispatch assigns a ' +
      'technician, whose accept window then waits), in steps; after each step the stack is left to go idle, then RSS is read from /proc. ' +
      `Idle stack before the first request: ${Object.entries(c.idleRss)
        .map(([k, v]) => `${k} ${v} MB`)
        .join(', ')}.`,
    '',
    table(
      [
        'open requests',
        'step: started',
        'step time s',
        'starts/s',
        'start p50 / p99 ms',
        'settle s',
        'worker RSS MB',
        'server RSS MB',
        'API RSS MB',
        'probe: 1 start ms (p50)',
        'probe: visibility count ms (p50)',
        'visibility counts per start',
      ],
      c.steps.map((x) => [
        x.open,
        x.started,
        x.startSeconds,
        r1(x.start.rps),
        `${r0(x.start.latency.p50)} / ${r0(x.start.latency.p99)}`,
        x.settleSeconds,
        x.rss.worker ?? '–',
        x.rss.server ?? '–',
        x.rss.api ?? '–',
        r0(x.probeStart.p50),
        r1(x.probeCount.p50),
        r2(x.server?.frontend.find(([op]) => op === 'CountWorkflowExecutions')?.[1].count ?? (x.server ? 0 : undefined)),
      ]),
    ),
    '',
    last
      ? table(
          ['target', 'measured', ''],
          [[`worker RSS ≤ 400 MB at ${last.open} open`, `${last.rss.worker} MB`, yes((last.rss.worker ?? Infinity) <= 400)]],
        )
      : '',
  ].join('\n');
}

function sectionD(s: Results['sections'][string]): string {
  const d = s.result as E2eResult;
  const total = Object.values(d.steps).reduce((a, b) => a + b, 0);
  return [
    `## (d) End-to-end lifecycle throughput (policy/fast.yaml)`,
    '',
    meta(s.meta),
    '',
    `${d.n} requests, ${d.inFlight} in flight, each driven over HTTP: start → (auto-dispatch) → accept → appointment → arrival → 3 photo uploads → ` +
      'completion → (photo check, completion SMS with rating link) → customer score 5 → closed. Waiting steps poll `GET` every 200 ms or tail the outbox.',
    '',
    table(
      ['closed', 'failed', 'wall s', '**lifecycles/s**', 'lifecycle p50 ms', 'p99 ms'],
      [[d.closed, d.failed, d.wallSeconds, d.lifecyclesPerSecond, r0(d.lifecycle.p50), r0(d.lifecycle.p99)]],
    ),
    '',
    "Where a lifecycle's wall time goes (mean ms per lifecycle, API calls and waits for the workflow):",
    '',
    table(
      ['step', 'ms', 'share'],
      Object.entries(d.steps).map(([k, v]) => [k, r0(v), `${r0((100 * v) / total)} %`]),
    ),
    '',
    "Where the machine's time goes — CPU ms per lifecycle and cores used over the run:",
    '',
    table(
      ['process', 'CPU ms / lifecycle', 'cores'],
      Object.entries(d.cpuMsPerLifecycle).map(([k, v]) => [k, r0(v), d.cores[k] ?? '–']),
    ),
    '',
    `Server calls per lifecycle: ${ops(d.server.frontend, 9)}.`,
    profiles(s.profiles),
  ].join('\n');
}

interface ChaosFile {
  at: string;
  quick: boolean;
  results: {
    name: string;
    ok: boolean;
    seconds: number;
    requests: number;
    summary: string;
    faults: Record<string, unknown>;
    failures: string[];
  }[];
}

function chaos(): string {
  let file: ChaosFile;
  try {
    file = JSON.parse(readFileSync(join(PROJECT_ROOT, 'bench', 'results', 'chaos.json'), 'utf8')) as ChaosFile;
  } catch {
    return '## Fault tests\n\nNot run yet: `npm run chaos`.';
  }
  return [
    '## Fault tests (`npm run chaos`)',
    '',
    `_Run ${file.at.slice(0, 16).replace('T', ' ')} UTC${file.quick ? ' (quick sizes)' : ''}._ Each ends with the check of bench/lib/verify.ts: every request in its planned state, ` +
      'every deadline that came due fired (breached, escalated, breach notice scheduled), and every SMS the workflow history says was sent is in the ' +
      "outbox (or the gateway's record) exactly once — matched per idempotency key from the activities' inputs.",
    '',
    table(
      ['fault', 'result', 'requests', 's', 'details'],
      file.results.map((r) => [
        r.name,
        r.ok ? 'pass' : '**FAIL**',
        r.requests,
        r.seconds,
        `${r.summary.replace(/^[^—]*— /, '').replace(/\|/g, '/')} ${'`'}${JSON.stringify(r.faults).slice(0, 300).replace(/\|/g, '/')}${'`'}`,
      ]),
    ),
  ].join('\n');
}

/** Issue 12: the dispatch board under a burst of claims (`npm run bench:board`, bench/results/board.json). */
export function boardSection(r: BoardBenchResult): string {
  const when = `_Run ${r.at.slice(0, 16).replace('T', ' ')} UTC, ${r.seconds} s, \`${r.command}\`${r.quick ? ' (quick sizes)' : ''}; 1-min load average ${r1(r.loadBefore)} → ${r1(r.loadAfter)} on 2 cores._`;
  const v = r.variants;
  return [
    '## (e) Dispatch board: simultaneous claims (issue 12)',
    '',
    when,
    '',
    `${r.claims} claims at the same instant over ${r.technicians} equally placed technicians, through the activities' adapter ` +
      '(`TemporalDispatchBoard`: update-with-start of the one board workflow, run by the compiled worker on a private dev server; ' +
      'the board already running). Then the claims are released at once (signal-with-start). Latency: from the call to its answer, ' +
      "waiting in the adapter's gate included. Attempts: update-with-start calls per claim (refusals for the per-workflow limit " +
      'and for the board moving to a new run are retried).',
    '',
    table(
      [
        'variant',
        'answered',
        'failed',
        'claims per technician min / max',
        'board load agrees',
        'wall s',
        'claims/s',
        'claim p50 / p99 / max ms',
        'attempts per claim',
        'board runs',
        'release p50 / p99 ms',
        'left reserved',
        'cores: worker / server',
      ],
      v.map((x) => [
        x.name,
        x.claims.ok,
        x.claims.failed,
        `${x.perTechnician.min} / ${x.perTechnician.max}`,
        x.loadAgrees ? 'yes' : '**no**',
        r1(x.claims.wallMs / 1000),
        r1(x.claims.perSecond),
        `${r0(x.claims.latencyMs.p50)} / ${r0(x.claims.latencyMs.p99)} / ${r0(x.claims.latencyMs.max)}`,
        r2(x.claims.attemptsPerClaim),
        x.runs,
        `${r0(x.releases.latencyMs.p50)} / ${r0(x.releases.latencyMs.p99)}`,
        x.releases.reservationsLeft,
        `${r2(x.cores.worker)} / ${r2(x.cores.server)}`,
      ]),
    ),
    ...(v.some((x) => x.errors.length)
      ? [
          '',
          ...v
            .filter((x) => x.errors.length)
            .map((x) => `Errors (${x.name}): ${x.errors.map((e) => `\`${e.replace(/\|/g, '/')}\``).join('; ')}`),
        ]
      : []),
  ].join('\n');
}

function board(): string {
  try {
    return boardSection(JSON.parse(readFileSync(join(PROJECT_ROOT, 'bench', 'results', 'board.json'), 'utf8')) as BoardBenchResult);
  } catch {
    return '## (e) Dispatch board\n\nNot run yet: `npm run bench:board`.';
  }
}

/** Issue 15: the reports on a seeded reporting database (`npm run bench:reports`, bench/results/reports.json). */
export function reportsSection(file: ReportsBenchFile): string {
  const engines = Object.values(file);
  const out = [
    '## (f) Reports on the reporting database (issue 15)',
    '',
    'Target: with 100,000 requests in the database, a monthly report answers in under 2 s. The synthetic data set of ' +
      '`npm run db:seed` (12 months to 2026-12-01, Asia/Shanghai, 60 technicians, 40 models, 16 regions; ~8,300 requests a ' +
      'month), seeded, `ANALYZE`d, then each report run once to warm up and timed over the runs from the client (pg over ' +
      'TCP, as the API does). Indexes: what `EXPLAIN (ANALYZE)` shows each query of the report using.',
  ];
  for (const e of engines) {
    out.push(
      '',
      `### ${e.label}`,
      '',
      `\`${e.command}\` — ${e.date}, commit ${e.commit}; ${e.requests.toLocaleString('en')} requests, ` +
        `${e.events.toLocaleString('en')} events, seeded in ${e.seedSeconds} s.`,
      '',
      table(
        ['report', 'median ms', 'min', 'max', 'runs'],
        e.timings.map((t) => [t.name, t.medianMs, t.minMs, t.maxMs, t.runs]),
      ),
      '',
      table(
        ['report', 'query (select list)', 'execution ms', 'indexes used', 'sequential scans'],
        e.plans.map((p) => [
          p.report,
          `\`${p.query.replace(/\|/g, '\\|')}…\``,
          p.executionMs,
          p.indexes.join(', ') || '—',
          p.scans.join(', ') || '—',
        ]),
      ),
    );
  }
  return out.join('\n');
}

function reportsDb(): string {
  try {
    return reportsSection(JSON.parse(readFileSync(join(PROJECT_ROOT, 'bench', 'results', 'reports.json'), 'utf8')) as ReportsBenchFile);
  } catch {
    return '## (f) Reports on the reporting database\n\nNot run yet: `npm run bench:reports`.';
  }
}

export function renderBenchmarks(results: Results): string {
  const m = results.machine ?? {};
  let analysis: string;
  try {
    analysis = readFileSync(join(PROJECT_ROOT, 'bench', 'ANALYSIS.md'), 'utf8').trim();
  } catch {
    analysis = '';
  }
  const s = results.sections;
  return [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (bench/report.ts) from bench/results/latest.json, bench/results/chaos.json, bench/results/board.json, bench/results/reports.json and bench/ANALYSIS.md. -->',
    '',
    'How fast Aftercare starts requests, how late its deadlines fire, how much memory waiting work costs, and that nothing is lost under',
    'faults — measured on one machine against its own Temporal dev server.',
    '',
    '```bash',
    'npm run bench              # (a)–(d) full size, ~35 min on 2 cores; --quick for small N; --only a,c-lean; --profile',
    'npm run chaos              # fault tests 1–6 full size; --quick; --only 1,3',
    'npm run bench:board        # (e) dispatch board: 200 simultaneous claims over 20 technicians; --quick',
    'npm run bench:reports      # (f) reports on a seeded reporting database (100,000 requests); --url for PostgreSQL',
    'npx jest --selectProjects integration -- test/e2e/chaos-   # the quick fault tests, as in CI',
    '```',
    '',
    table(
      ['machine', ''],
      Object.entries(m).map(([k, v]) => [k, String(v)]),
    ),
    '',
    'Every stack is private: a `temporal server start-dev` on free ports with a SQLite file in a temp folder (same flags as `npm start`), the',
    'compiled worker and API (`dist/src/worker.js`, `dist/src/api.js`) as child processes, a temp outbox. The load average is given per',
    "section (it counts the benchmark's own processes): absolute figures move with the machine; ratios are measured within one run.",
    '',
    analysis,
    '',
    s.a ? sectionA(s.a) : '## (a)\n\nNot run.',
    '',
    s.b ? sectionB(s.b) : '## (b)\n\nNot run.',
    '',
    s.c ? sectionC(s.c) : '## (c)\n\nNot run.',
    '',
    s['c-lean']
      ? sectionC(
          s['c-lean'],
          '### (c) with the lean worker',
          `The same steps with the worker capped: ${LEAN}. Requests not in its cache are replayed when they wake; (b) shows what that costs.`,
        )
      : '',
    '',
    s.d ? sectionD(s.d) : '## (d)\n\nNot run.',
    '',
    board(),
    '',
    reportsDb(),
    '',
    chaos(),
    '',
  ].join('\n');
}
