/**
 * `npm run bench:reports -- [--requests 100000] [--runs 7] [--url postgres://… --label "PostgreSQL 15"]`: the
 * reports on a seeded reporting database (BENCHMARKS.md, "Reporting database"). Without --url it starts the embedded
 * PGlite in this process. Seeds the synthetic data set (npm run db:seed's), then times the monthly report, the
 * appraisal, a weekly and a daily report and dispatch's ratings (runs after one warm-up; median, min, max), and
 * EXPLAIN ANALYZEs each query of the monthly report and the appraisal to name the indexes they use. Writes
 * bench/results/reports.json (one entry per engine label); BENCHMARKS.md is rendered from it (bench/report.ts).
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Pool, QueryResult } from 'pg';
import { seed } from '../scripts/db-seed';
import { appraisalReport } from '../src/reports/appraisal';
import { dailyFromDatabase } from '../src/reports/database';
import { periodBounds, periodReport } from '../src/reports/period';
import { databaseRatings } from '../src/reports/technicianRatings';
import { startEmbeddedDb } from '../src/reporting/embedded';
import { reportingPool } from '../src/reporting/pool';
import { PROJECT_ROOT } from '../src/temporal/binaries';

export const REPORTS_RESULTS_FILE = join(PROJECT_ROOT, 'bench', 'results', 'reports.json');
const TZ = 'Asia/Shanghai';

export interface Timing {
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
}

export interface PlanLine {
  report: string;
  query: string;
  executionMs: number;
  indexes: string[];
  scans: string[];
}

export interface ReportsBenchEngine {
  label: string;
  date: string;
  commit: string;
  command: string;
  requests: number;
  events: number;
  seedSeconds: number;
  timings: Timing[];
  plans: PlanLine[];
}

export type ReportsBenchFile = Record<string, ReportsBenchEngine>;

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function time(name: string, runs: number, fn: () => Promise<unknown>): Promise<Timing> {
  await fn(); // warm-up: plans cached, pages in memory
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { name, medianMs: r(ms[Math.floor(ms.length / 2)]!), minMs: r(ms[0]!), maxMs: r(ms[ms.length - 1]!), runs };
}

interface PlanNode {
  'Node Type'?: string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function walk(n: PlanNode, indexes: Set<string>, scans: Set<string>): void {
  if (n['Index Name']) indexes.add(n['Index Name']);
  if (n['Node Type'] === 'Seq Scan' && n['Relation Name']) scans.add(`Seq Scan on ${n['Relation Name']}`);
  for (const c of n.Plans ?? []) walk(c, indexes, scans);
}

/** Records the queries a report runs, then EXPLAIN ANALYZEs each. */
async function plans(pool: Pool, report: string, run: (p: Pool) => Promise<unknown>): Promise<PlanLine[]> {
  const seen: { sql: string; params: unknown[] }[] = [];
  const spy = { query: (sql: string, params: unknown[]) => (seen.push({ sql, params }), pool.query(sql, params)) } as unknown as Pool;
  await run(spy);
  const out: PlanLine[] = [];
  for (const q of seen) {
    const r: QueryResult<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }> = await pool.query(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${q.sql}`,
      q.params,
    );
    const plan = r.rows[0]!['QUERY PLAN'][0];
    const indexes = new Set<string>();
    const scans = new Set<string>();
    walk(plan.Plan, indexes, scans);
    const first = /SELECT\s+([\s\S]*?)\s+FROM/i.exec(q.sql.replace(/^WITH[\s\S]*?\)\s*(,\s*\w+ AS \([\s\S]*?\)\s*)?SELECT/i, 'SELECT'));
    out.push({
      report,
      query: (first?.[1] ?? q.sql).replace(/\s+/g, ' ').slice(0, 60),
      executionMs: Math.round(plan['Execution Time'] * 10) / 10,
      indexes: [...indexes].sort(),
      scans: [...scans].sort(),
    });
  }
  return out;
}

async function main(): Promise<void> {
  const requests = Number(arg('--requests', '100000'));
  const runs = Number(arg('--runs', '7'));
  const url = arg('--url');
  const embedded = url ? undefined : await startEmbeddedDb();
  const label = arg('--label', url ? 'PostgreSQL' : 'PGlite (embedded)')!;
  const pool = reportingPool({ url: url ?? embedded!.url, connectTimeoutMs: 30_000 });
  try {
    const t0 = Date.now();
    const seeded = await seed(pool, { requests, replace: true, timeZone: TZ }, (n) => {
      if (n % 20_000 === 0) process.stderr.write(`seeded ${n}\n`);
    });
    const seedSeconds = Math.round((Date.now() - t0) / 100) / 10;
    const month = periodBounds('month', '2026-11', TZ);
    const week = periodBounds('week', '2026-W47', TZ);
    const techs = Array.from({ length: 60 }, (_, i) => `t-${String(i + 1).padStart(3, '0')}`);
    const timings = [
      await time('monthly report (2026-11)', runs, () => periodReport(pool, month)),
      await time('technician appraisal (2026-11)', runs, () => appraisalReport(pool, month)),
      await time('weekly report (2026-W47)', runs, () => periodReport(pool, week)),
      await time('daily report (2026-11-18)', runs, () => dailyFromDatabase(pool, '2026-11-18', { timeZone: TZ })),
      await time('ratings of 60 technicians (uncached)', runs, () => databaseRatings(pool, { ttlMs: 0 })(techs)),
    ];
    const planLines = [
      ...(await plans(pool, 'monthly', (p) => periodReport(p, month))),
      ...(await plans(pool, 'appraisal', (p) => appraisalReport(p, month))),
      ...(await plans(pool, 'ratings', (p) => databaseRatings(p, { ttlMs: 0 })(['t-001']))),
    ];
    const result: ReportsBenchEngine = {
      label,
      date: new Date().toISOString().slice(0, 10),
      commit: execSync('git rev-parse --short HEAD', { cwd: PROJECT_ROOT }).toString().trim(),
      command: `npm run bench:reports -- --requests ${requests} --runs ${runs}${url ? ` --url <postgres> --label "${label}"` : ''}`,
      requests: seeded.rows,
      events: seeded.events,
      seedSeconds,
      timings,
      plans: planLines,
    };
    let file: ReportsBenchFile = {};
    try {
      file = JSON.parse(readFileSync(REPORTS_RESULTS_FILE, 'utf8')) as ReportsBenchFile;
    } catch {
      file = {};
    }
    file[label] = result;
    mkdirSync(dirname(REPORTS_RESULTS_FILE), { recursive: true });
    writeFileSync(REPORTS_RESULTS_FILE, JSON.stringify(file, null, 1));
    console.log(JSON.stringify(result, null, 1));
  } finally {
    await pool.end();
    await embedded?.stop();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
