/**
 * The API's HTTP spans (@fastify/otel, src/telemetry/http.ts) and tracing's on/off switch: a span per call with the
 * route pattern only — paths carry rating-link tokens and customers' phones, which never reach a trace — under the
 * caller's `traceparent`; probes and scrapes untraced; nothing at all without OTEL_EXPORTER_OTLP_ENDPOINT.
 */
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { loadConfig } from '../../src/config';
import { startTracing, tracesUrl, type Tracing } from '../../src/telemetry/tracing';
import { bearer, makeApp, ratingToken, TOKENS } from './support';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing('aftercare-api', undefined, exporter)!;
});
afterAll(async () => {
  await tracing?.shutdown();
});
beforeEach(() => exporter.reset());

const PHONE = '13800138000';

test('a span per call with the route pattern, never the raw URL, under the caller’s traceparent; probes untraced', async () => {
  const { app } = await makeApp({ tracing: true });
  const token = ratingToken('sr-crm-TRACE-1');
  await app.inject({ method: 'GET', url: `/r/${token}?phone=${PHONE}` });
  const traceId = 'a'.repeat(32);
  await app.inject({
    method: 'GET',
    url: `/v1/service-requests/sr-crm-TRACE-1?phone=${PHONE}`,
    headers: { ...bearer(TOKENS.ops), traceparent: `00-${traceId}-${'b'.repeat(16)}-01` },
  });
  await app.inject({ method: 'GET', url: '/healthz' });
  await app.inject({ method: 'GET', url: '/metrics' });
  await tracing.flush();

  const spans = exporter.getFinishedSpans();
  const requests = spans.filter((s) => s.name === 'request');
  expect(requests.map((s) => s.attributes['http.route']).sort()).toEqual(['/r/:token', '/v1/service-requests/:id']);
  for (const s of requests) expect(s.attributes['url.path']).toBe(s.attributes['http.route']);
  const text = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
  expect(text).not.toContain(PHONE);
  expect(text).not.toContain(token);
  const read = requests.find((s) => s.attributes['http.route'] === '/v1/service-requests/:id')!;
  expect(read.spanContext().traceId).toBe(traceId);
  expect(read.parentSpanId).toBe('b'.repeat(16));
});

test('a server built without tracing makes no spans', async () => {
  const { app } = await makeApp();
  expect((await app.inject({ method: 'GET', url: '/v1/service-requests/sr-crm-TRACE-2', headers: bearer(TOKENS.ops) })).statusCode).toBe(
    404,
  );
  await tracing.flush();
  expect(exporter.getFinishedSpans()).toEqual([]);
});

test('OTEL_EXPORTER_OTLP_ENDPOINT switches tracing on; unset or empty it stays off; a bad value is refused', () => {
  expect(loadConfig({}).otlpEndpoint).toBeUndefined();
  expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }).otlpEndpoint).toBeUndefined();
  expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).otlpEndpoint).toBe('http://collector:4318');
  expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  expect(startTracing('aftercare-worker', undefined)).toBeUndefined();
  expect(tracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
});
