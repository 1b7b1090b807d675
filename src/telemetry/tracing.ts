/**
 * OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (then nothing of the SDK is started at all).
 * On, each process registers a global tracer provider (AsyncLocalStorage context, W3C trace context) that batches
 * spans to `<endpoint>/v1/traces` over OTLP/HTTP with JSON bodies, under its service name (`aftercare-api`,
 * `aftercare-worker`). One request's trace: the API's HTTP span (@fastify/otel) → the Temporal client's
 * `UpdateWithStartWorkflow` / `StartWorkflowUpdate` … spans → the workflow's `RunWorkflow` and `StartActivity` spans
 * (exported from the workflow sandbox through the worker's `exporter` sink) → the worker's `RunActivity` spans.
 * The context crosses Temporal in the `_tracer-data` header (src/telemetry/temporal.ts, workflows/tracing.ts).
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export type ServiceName = 'aftercare-api' | 'aftercare-worker';

export interface Tracing {
  serviceName: ServiceName;
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Sends every span ended so far (tests; shutdown does it too). */
  flush(): Promise<void>;
  /** Flushes and stops; the global provider, context manager and propagator are unregistered. */
  shutdown(): Promise<void>;
}

/** `<endpoint>/v1/traces`, as the OTLP/HTTP exporter spec builds it from OTEL_EXPORTER_OTLP_ENDPOINT. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Starts tracing when `endpoint` (OTEL_EXPORTER_OTLP_ENDPOINT, validated by src/config.ts) is set; undefined
 * otherwise. `exporter` replaces the OTLP exporter (tests).
 */
export function startTracing(serviceName: ServiceName, endpoint: string | undefined, exporter?: SpanExporter): Tracing | undefined {
  if (!endpoint && !exporter) return undefined;
  const resource = new Resource({ 'service.name': serviceName });
  const spanProcessor = new BatchSpanProcessor(exporter ?? new OTLPTraceExporter({ url: tracesUrl(endpoint as string) }), {
    scheduledDelayMillis: 1000,
  });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return {
    serviceName,
    resource,
    spanProcessor,
    flush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
