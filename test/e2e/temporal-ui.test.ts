/**
 * Issue 5, acceptance 1 (and the UI half of acceptance 3): headless Chromium opens the dev server's Temporal
 * Web UI, finds an escalated request with a typed query, and sees its summary/details and the escalation
 * events with readable summaries. The PII codec is on: every payload in the history — summaries included —
 * is encrypted, and the UI reads them through our codec endpoint (`--ui-codec-endpoint`, key in the URL, CORS
 * for the UI's origin). Screenshots are kept in test-artifacts/: temporal-ui-list.png (the query's result),
 * temporal-ui-escalated.png (the request's timeline) and temporal-ui-metadata.png (summary, details, current
 * details).
 */
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { codecRoutes } from '../../src/api/routes/codec';
import { installErrorHandling } from '../../src/api/plugins/errors';
import { createValidatorCompiler } from '../../src/api/plugins/validation';
import { ErrorBody } from '../../src/api/schemas/common';
import { AesGcmCodec, codecDataConverter } from '../../src/codec';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { loadPolicyFile } from '../../src/policy';
import { bodyText, expectOnPage, launchBrowser, type Browser } from '../support/browser';
import { createOpsStack, type OpsStack } from '../support/opsStack';
import { freePort } from '../support/ports';
import { createDevServerEnv } from '../support/servers';
import { ACTION_UPDATES } from '../../workflows/messages';

const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts');
const SCREENSHOT = join(ARTIFACTS, 'temporal-ui-escalated.png');
const UI_KEY = randomBytes(24).toString('hex');

const codec = new AesGcmCodec([{ id: 'ui-e2e', key: randomBytes(32) }]);
const codecServer = Fastify();
const decodeCalls: { origin?: string; namespace?: string }[] = [];
let env: TestWorkflowEnvironment;
let stack: OpsStack;
let uiPort: number;
let browser: Browser;

beforeAll(async () => {
  uiPort = await freePort();
  codecServer.addSchema(ErrorBody);
  codecServer.setValidatorCompiler(createValidatorCompiler([ErrorBody]));
  installErrorHandling(codecServer);
  codecServer.addHook('onRequest', async (req) => {
    if (req.method === 'POST')
      decodeCalls.push({ origin: req.headers.origin, namespace: req.headers['x-namespace'] as string | undefined });
  });
  await codecServer.register(codecRoutes, {
    codec,
    codecTokens: [UI_KEY],
    allowedOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
  });
  const codecUrl = await codecServer.listen({ host: '127.0.0.1', port: 0 });
  env = await createDevServerEnv({ uiPort, uiCodecEndpoint: `${codecUrl}/codec/${UI_KEY}` });
  stack = await createOpsStack({ address: env.connection.options.address, dataConverter: codecDataConverter(codec) });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await env?.teardown();
  await codecServer.close();
});

test('an escalated request, found by a typed query, reads like a service log', async () => {
  // Critical gas-heater repair; nobody acts on it. Timers alone escalate it: nobody accepts, so the fast policy's
  // 3 s dispatch deadline breaks (level 1, confirmed dispatch), then the 6 s response deadline (level 2).
  const h = await stack.start({ urgency: 'critical', externalId: 'CRM-UI-1' });
  const ticket = h.workflowId.slice(3).toUpperCase();
  // A control the query must leave out: on the shipped policy (minutes and hours, not seconds), so no deadline can
  // break however slow the machine, and cancelled (level 0).
  const quiet = await stack.start({ urgency: 'normal' }, { policy: loadPolicyFile(join(PROJECT_ROOT, 'policy', 'default.yaml')) });
  await stack.until('control assigned', async () => (await quiet.state()).status === 'assigned');
  await quiet.executeUpdate(ACTION_UPDATES.cancel, { args: [{ reason: 'customer fixed it' }] });
  await stack.until('two escalations by timers', async () => (await h.state()).escalationLevel >= 2, 30_000);
  await stack.until('visibility', async () => {
    for await (const wf of stack.client.workflow.list({ query: 'EscalationLevel >= 1' })) if (wf.workflowId === h.workflowId) return true;
    return undefined;
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  const page = await browser.context.newPage();
  const base = `http://127.0.0.1:${uiPort}`;

  // 1. The typed query, as ops would paste it into the list's search box.
  await page.goto(`${base}/namespaces/default/workflows?query=${encodeURIComponent('EscalationLevel>=1')}`, { waitUntil: 'networkidle' });
  const link = page.locator(`a:has-text("${h.workflowId}")`).first();
  await link.waitFor({ timeout: 30_000 });
  const list = await bodyText(page);
  expect(list).not.toContain(quiet.workflowId);
  await page.screenshot({ path: join(ARTIFACTS, 'temporal-ui-list.png') });

  // 2. The request: timeline with the timers' and activities' summaries (decoded through our codec endpoint).
  await link.click();
  await page.waitForURL(new RegExp(`/workflows/${h.workflowId}/`), { timeout: 30_000 });
  // Oldest first: the timeline renders a window of rows, and the deadlines looked for are the request's first events
  // (later ones — re-dispatches, pages, the reporting projection's local activities — would push them out of it).
  await page.getByRole('button', { name: 'Descending' }).click({ timeout: 30_000 });
  const timeline = await expectOnPage(page, [
    'Dispatch deadline 3s (critical)',
    'Response (visit booked) deadline 6s (critical)',
    'On site deadline 10s (critical)',
    'Escalation L1 → dispatch_lead: Dispatch',
    'Escalation L2 → service_supervisor: Response (visit booked)',
    'SMS to customer: received',
  ]);
  // With the codec the input is readable here only because the UI decoded it through our endpoint.
  expect(timeline).toContain('"urgency": "critical"');
  await page.screenshot({ path: SCREENSHOT });

  // 3. User metadata: static summary and details, current details, events with metadata.
  await page.getByRole('tab', { name: 'User Metadata' }).click();
  const meta = await expectOnPage(page, [
    `${ticket} · repair · critical · JSQ25-13A`,
    `Ticket ${ticket}`,
    'JSQ25-13A (gas_water_heater), purchased 2024-03-18',
    'External id CRM-UI-1',
    // Level 2 when found; the 10 s on-site deadline may have raised it to 3 by the time the page is read.
    /Escalation level: [23]/,
    /Breached: .*Dispatch at .*Response \(visit booked\) at /,
  ]);
  // No PII in what ops see first (summary, details, current details); the customer is only in the input.
  for (const pii of ['13812345678', '漕溪北路']) expect(meta).not.toContain(pii);
  await page.screenshot({ path: join(ARTIFACTS, 'temporal-ui-metadata.png') });

  // The UI really went through the codec endpoint, from its own origin, naming the namespace.
  expect(decodeCalls.length).toBeGreaterThan(0);
  expect(decodeCalls.every((c) => c.origin === base || c.origin === `http://localhost:${uiPort}`)).toBe(true);
  expect(decodeCalls.some((c) => c.namespace === 'default')).toBe(true);
});
