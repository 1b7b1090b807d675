/**
 * Issue 15, acceptance 2: every metric the Grafana dashboard (deploy/grafana/dashboards/aftercare.json) queries
 * is on the real `/metrics` of the API (bearer METRICS_TOKEN) or of the worker, as the compose Prometheus scrapes
 * them. The real processes run on the shared dev server, and two requests make every series exist:
 *   A: a critical lift nobody services, whose customer's SMS the gateway refuses → deadline warning and breach,
 *      provider failure, message failed for good; B: an ordinary repair → dispatch deadline met, SMS sent.
 * Both stay open: the API's open-requests gauge counts them from visibility.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { loadDashboard, unknownMetrics } from '../support/dashboard';
import { RATING_WINDOWS, writeFastPolicyVariant } from '../support/policies';
import { freePort } from '../support/ports';
import { startTestServer, type TestServer } from '../unit/sms-testServer';
import type { ServiceRequestState } from '../../workflows/messages';
import { type ApiStack, CUSTOMER, saveArtifact, startApiStack, startBody, TOKENS } from './api-stack';

const METRICS_TOKEN = 'dashboard-metrics-token-0123456789';
/** The gateway refuses every message to this number (HTTP 400: not retryable). */
const REFUSED_PHONE = '13700137999';

let stack: ApiStack;
let gateway: TestServer;
let workerMetricsUrl: string;
let policyDir: string;
const run = `${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  gateway = await startTestServer((req, res) => {
    const refused = (JSON.parse(req.body) as { to: string }).to.endsWith(REFUSED_PHONE);
    res.writeHead(refused ? 400 : 200, { 'content-type': 'application/json' }).end(refused ? '{"error":"blocked"}' : '{"id":"m1"}');
  });
  // B's dispatch deadline is met when its technician accepts: give the test 2 minutes to, on a busy machine.
  policyDir = mkdtempSync(join(tmpdir(), 'aftercare-dashboard-'));
  const fast = parse(readFileSync(join(PROJECT_ROOT, 'policy', 'fast.yaml'), 'utf8')) as { deadlines: Record<string, unknown> };
  const policy = writeFastPolicyVariant(policyDir, '2026.1-fast-dashboard', {
    ...RATING_WINDOWS,
    deadlines: { ...fast.deadlines, dispatch: { normal: '2m', urgent: '4s', critical: '3s' }, accept: '2m' },
  });
  const workerPort = await freePort();
  workerMetricsUrl = `http://127.0.0.1:${workerPort}/metrics`;
  stack = await startApiStack('dashboard', {
    WORKER_METRICS_PORT: String(workerPort),
    WORKER_METRICS_HOST: '127.0.0.1',
    AFTERCARE_POLICY: policy,
    METRICS_TOKEN,
    SMS_PROVIDER: 'webhook',
    SMS_WEBHOOK_URL: `${gateway.url}/sms`,
    SMS_WEBHOOK_SECRET: `dashboard-sms-webhook-secret-${run}`,
  });
}, 90_000);
afterAll(async () => {
  for (const id of started)
    await stack?.call('POST', `/v1/service-requests/${id}/cancel`, { token: TOKENS.ops, body: { reason: 'test over' } });
  saveArtifact('dashboard-metrics-worker.log', stack?.worker.output() ?? '');
  await stack?.stop();
  await gateway?.close();
  if (policyDir) rmSync(policyDir, { recursive: true, force: true });
});

const started: string[] = [];
async function start(externalId: string, over: Record<string, unknown> = {}): Promise<string> {
  const res = await stack.call<ServiceRequestState>('POST', '/v1/service-requests', {
    token: TOKENS.integration,
    body: startBody(externalId, over),
  });
  expect(res.status).toBe(201);
  started.push(res.body.requestId);
  return res.body.requestId;
}

const scrapeApi = async (): Promise<string> =>
  (await fetch(`${stack.base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
const scrapeWorker = async (): Promise<string> => (await fetch(workerMetricsUrl)).text();

test("every metric in the dashboard's queries is exposed by the API or the worker", async () => {
  const a = await start(`DASH-A-${run}`, {
    urgency: 'critical',
    customer: { ...CUSTOMER, phone: REFUSED_PHONE },
    product: { model: 'OTIS-GEN2', purchaseDate: '2020-01-01', category: 'lift' },
  });
  const b = await start(`DASH-B-${run}`, { urgency: 'normal' });
  const deadline = async (id: string, status: string) =>
    (await stack.state(id)).deadlines.find((d) => d.milestone === 'dispatch' && d.status === status) ?? undefined;
  await stack.until('A: dispatch deadline breached', () => deadline(a, 'breached'));
  // B: its technician accepts, which meets the dispatch deadline.
  const assigned = await stack.until('B assigned', async () => {
    const s = await stack.state(b);
    return s.status === 'assigned' && s.technicianId ? s.technicianId : undefined;
  });
  const accept = await stack.call('POST', `/v1/service-requests/${b}/accept`, { token: TOKENS.technician(assigned), body: {} });
  expect(accept.status).toBe(200);
  await stack.until('B: dispatch deadline met', () => deadline(b, 'met'));

  const dashboard = loadDashboard();
  // Series appear as their events are counted (the breach page and A's refused SMS are activities after the breach)
  // and the open-request counts are cached for 30 s: wait for all of them, then check.
  let scrapes: string[] = [];
  let openLine = '';
  await stack
    .until(
      'every dashboard metric on /metrics, and request A among the open requests',
      async () => {
        const stateA = await stack.state(a);
        openLine = `aftercare_open_requests{status="${stateA.status}",escalation_level="${stateA.escalationLevel}"}`;
        scrapes = [await scrapeApi(), await scrapeWorker()];
        return unknownMetrics(dashboard, scrapes).length === 0 && scrapes[0]!.includes(openLine) ? true : undefined;
      },
      90_000,
    )
    .catch(() => undefined);
  saveArtifact('dashboard-metrics-api.txt', scrapes[0] ?? '');
  saveArtifact('dashboard-metrics-worker.txt', scrapes[1] ?? '');
  expect(unknownMetrics(dashboard, scrapes)).toEqual([]);
  expect(scrapes[0]).toContain(openLine);
  // What A and B did, counted under the labels the panels group by.
  expect(scrapes[1]).toMatch(/^aftercare_deadlines_met\{[^}]*milestone="dispatch"[^}]*urgency="normal"[^}]*\} [1-9]/m);
  expect(scrapes[1]).toMatch(/^aftercare_deadline_breaches\{[^}]*milestone="dispatch"[^}]*urgency="critical"[^}]*\} [1-9]/m);
  expect(scrapes[1]).toMatch(/^aftercare_sms_undelivered\{[^}]*kind="received"[^}]*recipient="customer"[^}]*\} [1-9]/m);
  expect(gateway.requests.some((r) => r.body.includes(REFUSED_PHONE))).toBe(true);

  // The same check against the same scrapes names a panel whose metric is misspelt.
  const typo = {
    ...dashboard,
    panels: [
      ...dashboard.panels,
      { ...dashboard.panels[1]!, id: 999, title: 'typo', targets: [{ refId: 'A', expr: 'sum(aftercare_deadline_breach)' }] },
    ],
  };
  expect(unknownMetrics(typo, scrapes)).toEqual([{ panel: 'typo', metric: 'aftercare_deadline_breach' }]);
}, 240_000);
