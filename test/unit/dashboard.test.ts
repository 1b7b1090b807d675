/**
 * Issue 15: the Grafana dashboard JSON is valid and has the panels ops need; the metric names in its PromQL are
 * read the way test/e2e/dashboard-metrics.test.ts checks them against the real /metrics of the API and the worker.
 */
import { exposedNames, loadDashboard, metricNames, panelMetrics, unknownMetrics, type Dashboard } from '../support/dashboard';

const dashboard = loadDashboard();
const panels = dashboard.panels.filter((p) => p.type !== 'row');

test('parses, with a fixed uid and title, unique panel ids, and every panel inside the 24-column grid', () => {
  expect(dashboard).toMatchObject({ uid: 'aftercare', title: 'Aftercare: service levels' });
  const ids = dashboard.panels.map((p) => p.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const p of dashboard.panels) {
    expect({ panel: p.title, fits: p.gridPos.x >= 0 && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24 }).toEqual({
      panel: p.title,
      fits: true,
    });
  }
});

test('has the panels of the issue: SLA compliance, breaches by milestone and urgency, SMS failures, open requests by status and level', () => {
  const queries = (title: string) => {
    const p = panels.find((x) => x.title === title);
    if (!p) throw new Error(`no panel "${title}"`);
    return (p.targets ?? []).map((t) => t.expr).join('\n');
  };
  expect(queries('SLA compliance by milestone')).toMatch(/aftercare_deadlines_met[\s\S]*aftercare_deadline_breaches/);
  expect(queries('SLA compliance by milestone')).toMatch(/by \(milestone\)/);
  expect(queries('SLA compliance (all milestones)')).toContain('aftercare_deadlines_met');
  expect(queries('Breaches by milestone and urgency')).toMatch(/sum by \(milestone, urgency\) \(increase\(aftercare_deadline_breaches/);
  expect(queries('SMS failed for good')).toContain('aftercare_sms_undelivered');
  expect(queries('SMS provider failures (attempts)')).toContain('aftercare_sms_failed');
  expect(queries('Open requests by status')).toMatch(/sum by \(status\)[\s\S]*aftercare_open_requests/);
  expect(queries('Open requests by escalation level')).toMatch(/sum by \(escalation_level\)[\s\S]*aftercare_open_requests/);
  for (const p of panels)
    expect({ panel: p.title, hasQueries: (p.targets ?? []).length > 0 }).toEqual({ panel: p.title, hasQueries: true });
});

test('reads metric names out of PromQL: not functions, label names, label values, ranges or keywords', () => {
  expect(metricNames('sum by (milestone) (increase(aftercare_deadlines_met[$__range]))')).toEqual(['aftercare_deadlines_met']);
  expect(metricNames('histogram_quantile(0.95, sum by (le, route) (rate(http_seconds_bucket{route="/v1/x",job=~"api_.*"}[5m])))')).toEqual([
    'http_seconds_bucket',
  ]);
  expect(metricNames('a_total / (b_total + (c_total or a_total * 0)) > bool 0.5')).toEqual(['a_total', 'b_total', 'c_total']);
  expect(metricNames('time() - max(refreshed_seconds) or vector(0)')).toEqual(['refreshed_seconds']);
  expect(metricNames('sum(x) without (instance) and on (job) group_left (status) y offset 5m')).toEqual(['x', 'y']);
});

test('every panel uses at least one metric, all of them ours', () => {
  for (const q of panelMetrics(dashboard)) {
    expect({ panel: q.panel, metrics: q.metrics.length > 0 }).toEqual({ panel: q.panel, metrics: true });
    for (const m of q.metrics)
      expect({ panel: q.panel, metric: m }).toEqual({ panel: q.panel, metric: expect.stringMatching(/^aftercare_/) });
  }
});

test('the check names a panel whose metric no scrape exposes', () => {
  const scrape = ['# HELP known_total x', '# TYPE known_total counter', 'known_total{a="b"} 3', 'other 1'].join('\n');
  expect([...exposedNames(scrape)].sort()).toEqual(['known_total', 'other']);
  const d: Dashboard = {
    uid: 'x',
    title: 'x',
    panels: [
      {
        id: 1,
        type: 'timeseries',
        title: 'ok',
        gridPos: { x: 0, y: 0, w: 1, h: 1 },
        targets: [{ refId: 'A', expr: 'rate(known_total[5m])' }],
      },
      {
        id: 2,
        type: 'stat',
        title: 'typo',
        gridPos: { x: 0, y: 0, w: 1, h: 1 },
        targets: [{ refId: 'A', expr: 'sum(knwon_total) / sum(other)' }],
      },
    ],
  };
  expect(unknownMetrics(d, [scrape])).toEqual([{ panel: 'typo', metric: 'knwon_total' }]);
  // Only HELP/TYPE lines (a metric that never had a value) do not count as exposed.
  expect(unknownMetrics(d, ['# TYPE knwon_total counter', scrape])).toEqual([{ panel: 'typo', metric: 'knwon_total' }]);
});
