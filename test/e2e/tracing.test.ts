/**
 * Issue 15, acceptance 3: with OTEL_EXPORTER_OTLP_ENDPOINT set, one request's trace runs from the API's HTTP span
 * through the Temporal client and the workflow to its activities, under one trace id — the one the caller sent in
 * `traceparent`. The real API and worker processes export to a local OTLP/HTTP receiver (JSON bodies on
 * POST /v1/traces). The request is cancelled so that its workflow ends (`RunWorkflow` is exported when it ends);
 * then the processes stop, which flushes their exporters, before the spans are checked. Its history, written with
 * tracing on, replays on the workflow bundle without nondeterminism.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { workerTracingOptions } from '../../src/telemetry/temporal';
import { workflowBundle } from '../support/bundle';
import { startTestServer, type TestServer } from '../unit/sms-testServer';
import type { ServiceRequestState } from '../../workflows/messages';
import { type ApiStack, startApiStack, startBody, TOKENS } from './api-stack';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string } }[];
}
interface OtlpBody {
  resourceSpans: { resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}
interface Span extends OtlpSpan {
  service: string;
}

let receiver: TestServer;
let stack: ApiStack | undefined;
const run = `${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  receiver = await startTestServer((req, res) => {
    res.writeHead(req.method === 'POST' && req.url === '/v1/traces' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
  });
  stack = await startApiStack('tracing', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const attr = (s: OtlpSpan, key: string): string | undefined => s.attributes?.find((a) => a.key === key)?.value.stringValue;

/** Every span the receiver got, with the service that sent it. */
function received(): Span[] {
  return receiver.requests
    .filter((r) => r.url === '/v1/traces')
    .flatMap((r) => (JSON.parse(r.body) as OtlpBody).resourceSpans)
    .flatMap((rs) => {
      const service = rs.resource.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
      return rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, service })));
    });
}

test('spans of the API, the workflow and its activities share the trace id of the caller', async () => {
  const s = stack!;
  expect(receiver.requests.every((r) => r.headers['content-type']?.startsWith('application/json'))).toBe(true);
  const traceId = randomBytes(16).toString('hex');
  const callerSpan = randomBytes(8).toString('hex');
  const res = await s.call<ServiceRequestState>('POST', '/v1/service-requests', {
    token: TOKENS.integration,
    body: startBody(`TRACE-${run}`),
    headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
  });
  expect(res.status).toBe(201);
  const id = res.body.requestId;
  // The customer's "received" SMS is the first activity; then the workflow is ended so that RunWorkflow is exported.
  await s.until('received SMS sent', async () => ((await s.outbox()).some((l) => l.requestId === id) ? true : undefined));
  expect(
    (await s.call('POST', `/v1/service-requests/${id}/cancel`, { token: TOKENS.ops, body: { reason: 'trace test over' } })).status,
  ).toBe(200);
  const inTrace = () => received().filter((x) => x.traceId === traceId);
  const has = (service: string, name: string) => inTrace().some((x) => x.service === service && x.name === name);
  await s.until(
    'the spans of the API, the workflow and an activity',
    async () =>
      has('aftercare-api', 'request') &&
      has('aftercare-worker', 'RunWorkflow:serviceRequest') &&
      has('aftercare-worker', 'RunActivity:sendCustomerSms')
        ? true
        : undefined,
    60_000,
  );
  // Stopping the processes flushes their exporters: what was still batched arrives before the checks.
  await s.stop();
  stack = undefined;

  const spans = inTrace();
  const byId = new Map(spans.map((x) => [x.spanId, x]));
  const one = (service: string, name: string): Span => {
    const found = spans.filter((x) => x.service === service && x.name === name);
    if (!found.length)
      throw new Error(`no span ${service} ${name} in trace ${traceId}: ${spans.map((x) => `${x.service} ${x.name}`).join(', ')}`);
    return found[0]!;
  };
  const ancestors = (x: Span): Span[] => {
    const chain: Span[] = [];
    for (let p = x.parentSpanId && byId.get(x.parentSpanId); p; p = p.parentSpanId && byId.get(p.parentSpanId)) chain.push(p);
    return chain;
  };

  // API: the HTTP span (route pattern, never the raw URL) under the caller's span; the client's start under it.
  const http = one('aftercare-api', 'request');
  expect(http.parentSpanId).toBe(callerSpan);
  expect(attr(http, 'http.route')).toBe('/v1/service-requests');
  expect(attr(http, 'url.path')).toBe('/v1/service-requests');
  const start = spans.find((x) => x.service === 'aftercare-api' && x.name.startsWith('UpdateWithStartWorkflow:'));
  expect(start && ancestors(start)).toContainEqual(http);
  // Workflow: RunWorkflow under the client's start (the trace header crossed Temporal), StartActivity under it.
  const workflow = one('aftercare-worker', 'RunWorkflow:serviceRequest');
  expect(workflow.parentSpanId).toBe(start!.spanId);
  const schedule = one('aftercare-worker', 'StartActivity:sendCustomerSms');
  expect(ancestors(schedule)).toContainEqual(workflow);
  // Activity: RunActivity under the workflow's StartActivity, in the worker.
  const activity = spans
    .filter((x) => x.name === 'RunActivity:sendCustomerSms')
    .find((x) => byId.get(x.parentSpanId ?? '')?.name === schedule.name);
  expect(activity).toBeDefined();
  expect(ancestors(activity!).map((x) => x.name)).toEqual(expect.arrayContaining(['RunWorkflow:serviceRequest', 'request']));
  expect(attr(activity!, 'temporalWorkflowId')).toBe(id);

  // The history written with tracing on (its start carries the trace header) replays without nondeterminism.
  const connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS! });
  try {
    const history = await new Client({ connection }).workflow.getHandle(id).fetchHistory();
    const startedEvent = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    expect(Object.keys(startedEvent?.header?.fields ?? {})).toContain('_tracer-data');
    await Worker.runReplayHistory({ workflowBundle: workflowBundle(), sinks: workerTracingOptions(undefined).sinks }, history, id);
  } finally {
    await connection.close();
  }
}, 240_000);
