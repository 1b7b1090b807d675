/**
 * Trace context across Temporal (@temporalio/interceptors-opentelemetry): the client interceptor that puts the
 * caller's span into a start / update / query / signal header, and the worker's side — activity interceptors
 * (`RunActivity` spans) and the `exporter` sink through which the workflow interceptors (workflows/tracing.ts)
 * hand their spans out of the sandbox. Without tracing nothing is added, except a sink that drops spans: a worker
 * with tracing off may still run a workflow that an API with tracing on started.
 */
import type { ClientInterceptors } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { Tracing } from './tracing';

export function tracingClientInterceptors(tracing: Tracing | undefined): ClientInterceptors | undefined {
  return tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}

export function workerTracingOptions(tracing: Tracing | undefined): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  if (!tracing) {
    const sinks: InjectedSinks<OpenTelemetrySinks> = { exporter: { export: { fn: () => undefined } } };
    return { sinks };
  }
  const sinks: InjectedSinks<OpenTelemetrySinks> = { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) };
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks,
  };
}
