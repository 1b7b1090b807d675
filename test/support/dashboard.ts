/**
 * The Grafana dashboard (deploy/grafana/dashboards/aftercare.json) and the metric names its PromQL uses, checked
 * against what the API's and the worker's `/metrics` really expose (test/unit/dashboard.test.ts,
 * test/e2e/dashboard-metrics.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

export const DASHBOARD_FILE = join(PROJECT_ROOT, 'deploy', 'grafana', 'dashboards', 'aftercare.json');

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string }[];
  gridPos: { x: number; y: number; w: number; h: number };
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}

export const loadDashboard = (file = DASHBOARD_FILE): Dashboard => JSON.parse(readFileSync(file, 'utf8')) as Dashboard;

/** Words of PromQL that are not metric names when they are not followed by `(`. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
]);

/**
 * The metric names one PromQL expression selects: identifiers left once strings, label matchers, ranges,
 * grouping clauses and Grafana variables are removed, that are neither a function or aggregation (followed by `(`)
 * nor a keyword.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w.:])([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    const [, word, call] = m;
    if (call || KEYWORDS.has(word!.toLowerCase())) continue;
    names.add(word!);
  }
  return [...names];
}

/** Every panel's queries, with the metric names each uses. */
export function panelMetrics(d: Dashboard): { panel: string; expr: string; metrics: string[] }[] {
  return d.panels
    .filter((p) => p.type !== 'row')
    .flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr, metrics: metricNames(t.expr) })));
}

/** Names of the series in Prometheus text exposition (sample lines, so a series that has a value). */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_:][\w:]*)[{ ]/.exec(line);
    if (m) names.add(m[1]!);
  }
  return names;
}

/** The panels' metric names that no scrape exposes: what the dashboard would show as "No data" for ever. */
export function unknownMetrics(d: Dashboard, scrapes: string[]): { panel: string; metric: string }[] {
  const exposed = new Set(scrapes.flatMap((s) => [...exposedNames(s)]));
  return panelMetrics(d).flatMap((q) => q.metrics.filter((m) => !exposed.has(m)).map((metric) => ({ panel: q.panel, metric })));
}
