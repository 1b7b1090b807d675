/**
 * Worker-side metrics: the Temporal SDK's runtime metrics (task slots, poll latency, workflow/activity task
 * latencies, sticky cache …) and our own counters, all on one Prometheus endpoint served by the SDK's core:
 *   http://<host>:<metricsPort>/metrics   (host: WORKER_METRICS_HOST, default 127.0.0.1 — it has no authentication)
 * Our counters (emitted from workflow and activity code through the SDK's metric meters):
 *   aftercare_deadline_warnings{milestone,urgency}   80 % warnings sent          (workflows/metrics.ts)
 *   aftercare_deadline_breaches{milestone,urgency}   deadlines that broke         (workflows/metrics.ts)
 *   aftercare_deadlines_met{milestone,urgency}       deadlines met on time        (workflows/metrics.ts)
 *   aftercare_sms_undelivered{recipient,kind}        messages failed for good     (workflows/metrics.ts)
 *   aftercare_sms_sent{kind,provider,status}         messages the provider took   (src/metrics/sms.ts)
 *   aftercare_sms_failed{kind,provider,retryable}    provider refusals / errors   (src/metrics/sms.ts)
 * The runtime is process-wide: install it once, before the first Connection/Worker is created.
 */
import { DefaultLogger, Runtime, type Logger, type RuntimeOptions } from '@temporalio/worker';

export interface WorkerRuntimeOptions {
  /** Port of the Prometheus endpoint (0 = no metrics endpoint). */
  metricsPort: number;
  /**
   * Interface to bind (default 127.0.0.1: the endpoint has no authentication). 0.0.0.0 lets Prometheus in another
   * container scrape; put it on a private network then.
   */
  host?: string;
  /** SDK logger; default: the SDK's own console logger at INFO (as without this call). */
  logger?: Logger;
  /** Prefix of the SDK's own metrics (default `temporal_`). */
  metricPrefix?: string;
  /** Extra constant labels on every series, e.g. `{ service: 'aftercare-worker' }`. */
  globalTags?: Record<string, string>;
}

/** IPv6 addresses go in brackets in host:port. */
const bindHost = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

export function workerRuntimeOptions(o: WorkerRuntimeOptions): RuntimeOptions {
  const logger = o.logger ?? new DefaultLogger('INFO');
  if (!o.metricsPort) return { logger };
  return {
    logger,
    telemetryOptions: {
      metrics: {
        metricPrefix: o.metricPrefix ?? 'temporal_',
        ...(o.globalTags ? { globalTags: o.globalTags } : {}),
        prometheus: { bindAddress: `${bindHost(o.host ?? '127.0.0.1')}:${o.metricsPort}` },
      },
    },
  };
}

/** Installs the process's Temporal runtime with the Prometheus exporter. Call before connecting. */
export function installWorkerRuntime(o: WorkerRuntimeOptions): Runtime {
  return Runtime.install(workerRuntimeOptions(o));
}
