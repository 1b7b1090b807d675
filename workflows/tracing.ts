/**
 * Workflow interceptor module (bundled with the workflows: src/temporal/bundle.ts): traces a workflow with
 * @temporalio/interceptors-opentelemetry — `RunWorkflow`, `StartActivity`, `HandleUpdate` … spans, exported through
 * the worker's `exporter` sink (src/telemetry/temporal.ts) — but only a workflow whose start carried a trace
 * context (the `_tracer-data` header the API's client interceptor adds when tracing is on).
 *
 * Every other workflow — all requests started while tracing was off, and every recorded history — runs exactly as
 * without this module: each call is handed straight to `next`, no span, no extra await, no SDK flag. The choice
 * is made from the start event's headers, which are in the history, so a replay makes the same one. The tracing
 * interceptors add no commands (spans leave through a sink, which is not called during replay).
 */
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import type {
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

interface Traced {
  inbound: OpenTelemetryInboundInterceptor;
  outbound: OpenTelemetryOutboundInterceptor;
  internals: OpenTelemetryInternalsInterceptor;
}

export const interceptors = (): WorkflowInterceptors => {
  // Made at `execute`, the first call of a workflow: the tracer exists only in traced workflows.
  let otel: Traced | undefined;
  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next) {
      if (input.headers[TRACE_HEADER] === undefined) return next(input);
      otel = {
        inbound: new OpenTelemetryInboundInterceptor(),
        outbound: new OpenTelemetryOutboundInterceptor(),
        internals: new OpenTelemetryInternalsInterceptor(),
      };
      return otel.inbound.execute(input, next);
    },
    handleSignal: (input, next) => (otel ? otel.inbound.handleSignal(input, next) : next(input)),
    handleUpdate: (input, next) => (otel ? otel.inbound.handleUpdate(input, next) : next(input)),
    validateUpdate: (input, next) => (otel ? otel.inbound.validateUpdate(input, next) : next(input)),
    handleQuery: (input, next) => (otel ? otel.inbound.handleQuery(input, next) : next(input)),
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => (otel ? otel.outbound.scheduleActivity(input, next) : next(input)),
    scheduleLocalActivity: (input, next) => (otel ? otel.outbound.scheduleLocalActivity(input, next) : next(input)),
    startChildWorkflowExecution: (input, next) => (otel ? otel.outbound.startChildWorkflowExecution(input, next) : next(input)),
    continueAsNew: (input, next) => (otel ? otel.outbound.continueAsNew(input, next) : next(input)),
    signalWorkflow: (input, next) => (otel ? otel.outbound.signalWorkflow(input, next) : next(input)),
    getLogAttributes: (input, next) => (otel ? otel.outbound.getLogAttributes(input, next) : next(input)),
    getMetricTags: (input, next) => (otel ? otel.outbound.getMetricTags(input, next) : next(input)),
  };
  const internals: WorkflowInternalsInterceptor = {
    dispose: (input, next) => (otel ? otel.internals.dispose(input, next) : next(input)),
  };
  return { inbound: [inbound], outbound: [outbound], internals: [internals] };
};
