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

type Call = (input: unknown, next: (input: unknown) => unknown) => unknown;

/** `names` of `target()`'s interceptor methods when it exists; otherwise each call goes straight to `next`. */
function gated<T extends object, K extends keyof T & string>(target: () => T | undefined, names: readonly K[]): Pick<T, K> {
  const calls = names.map((name) => {
    const call: Call = (input, next) => {
      const t = target();
      return t ? (t[name] as Call).call(t, input, next) : next(input);
    };
    return [name, call] as const;
  });
  return Object.fromEntries(calls) as unknown as Pick<T, K>;
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
    ...gated(() => otel?.inbound, ['handleSignal', 'handleUpdate', 'validateUpdate', 'handleQuery']),
  };
  const outbound: WorkflowOutboundCallsInterceptor = gated(
    () => otel?.outbound,
    [
      'scheduleActivity',
      'scheduleLocalActivity',
      'startChildWorkflowExecution',
      'continueAsNew',
      'signalWorkflow',
      'getLogAttributes',
      'getMetricTags',
    ],
  );
  const internals: WorkflowInternalsInterceptor = gated(() => otel?.internals, ['dispose']);
  return { inbound: [inbound], outbound: [outbound], internals: [internals] };
};
