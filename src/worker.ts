/**
 * Worker process: polls the task queue, runs workflows (prebuilt bundle in production, source in development)
 * and the activities. `npm run worker` runs it alone against any cluster.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities, type ActivityDeps } from '../activities';
import { assertCurrency, loadCatalogue } from './catalogue';
import { codecDataConverter, codecFromKeys } from './codec';
import { loadConfig, type Config } from './config';
import { installWorkerRuntime } from './metrics/worker';
import { createLogger } from './logger';
import { POLICY_DEFAULTS } from './domain/policy';
import { loadPolicyFile } from './policy';
import { findCjkFont } from './reports/serviceReport/font';
import { renderServiceReportPdf } from './reports/serviceReport/pdf';
import { PROJECT_ROOT } from './temporal/binaries';
import { SHARED_WORKFLOW_MODULES, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from './temporal/bundle';
import { connectClient, connectWorker } from './temporal/connection';
import { apiConnectionInterceptors } from './temporal/retry';
import { activityDepsFromConfig } from './runtime/activityDeps';
import { openReportingDb } from './reporting';
import { workerTracingOptions } from './telemetry/temporal';
import { startTracing, type Tracing } from './telemetry/tracing';

export const PREBUILT_BUNDLE = join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Prebuilt bundle path; falls back to bundling `workflows/` at start (development). */
  bundlePath?: string;
  /** PII codec; must match the API's. */
  dataConverter?: DataConverter;
  /** Cache and concurrency limits (`AFTERCARE_WORKER_*`, src/config.ts); unset fields keep the SDK's defaults. */
  tuning?: Partial<
    Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions'>
  >;
  /** OpenTelemetry (src/telemetry/tracing.ts); off when absent. */
  tracing?: Tracing;
}

export async function createWorker(s: WorkerSetup): Promise<Worker> {
  const prebuilt = s.bundlePath && existsSync(s.bundlePath);
  // Production images carry only the prebuilt bundle; bundling from source there would fail obscurely later.
  if (!prebuilt && process.env.NODE_ENV === 'production')
    throw new Error(`workflow bundle ${s.bundlePath ?? '(none)'} is missing: run npm run build`);
  // Bundled at start, the workflows get the same shared modules as the prebuilt bundle (src/temporal/bundle.ts).
  const bundle = prebuilt
    ? { workflowBundle: { codePath: s.bundlePath as string } }
    : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: [...SHARED_WORKFLOW_MODULES] } };
  const tracing = workerTracingOptions(s.tracing);
  // The prebuilt bundle carries the workflow interceptor modules; bundled at start, the worker adds them.
  const workflowModules = prebuilt ? {} : { workflowModules: [...WORKFLOW_INTERCEPTOR_MODULES] };
  return Worker.create({
    connection: s.connection,
    namespace: s.namespace,
    taskQueue: s.taskQueue,
    activities: createActivities(s.deps),
    ...bundle,
    sinks: tracing.sinks,
    interceptors: { ...workflowModules, ...tracing.interceptors },
    ...(s.dataConverter ? { dataConverter: s.dataConverter } : {}),
    ...s.tuning,
  });
}

/** Builds the worker from configuration; the caller runs and shuts it down. */
export async function workerFromConfig(
  config: Config,
  logger: Logger,
  tracing?: Tracing,
): Promise<{ worker: Worker; close: () => Promise<void> }> {
  const policy = loadPolicyFile(config.policyFile);
  // Price list and parts catalogue, checked before any connection (a bad file stops start-up, as a bad policy does).
  const catalogue = loadCatalogue(config.catalogue);
  assertCurrency(catalogue, policy.charges ?? POLICY_DEFAULTS.charges);
  const dataConverter = codecDataConverter(codecFromKeys(config.codec.keys));
  // Per-workflow refusals (the dispatch board's burst of claims) are retried by the board adapter itself (retry.ts).
  const client = await connectClient(config.temporal, {
    interceptors: apiConnectionInterceptors(),
    ...(dataConverter ? { dataConverter } : {}),
  });
  const connection = await connectWorker(config.temporal);
  // Migrated before the first task: projections find their tables. Without DATABASE_URL nothing is projected.
  const reporting = config.reporting.databaseUrl ? await openReportingDb(config.reporting.databaseUrl, logger) : undefined;
  if (!reporting) logger.warn('no DATABASE_URL: requests are not projected into a reporting database');
  const deps = {
    ...activityDepsFromConfig(config, client, logger.child({ component: 'activities' }), policy.calendar.timeZone, reporting?.pool),
    catalogue,
    reportPdf: reportPdfRenderer(logger),
    ...(reporting ? { reporting } : {}),
  };
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps,
    bundlePath: PREBUILT_BUNDLE,
    dataConverter,
    tuning: config.worker,
    ...(tracing ? { tracing } : {}),
  });
  return {
    worker,
    close: async () => {
      await connection.close();
      await client.connection.close();
      await reporting?.close();
    },
  };
}

/**
 * Service report PDFs need a CJK font (Debian: fonts-noto-cjk; or REPORT_FONT_FILE). Without one the worker still
 * stores the report for the page, says so once, and leaves the PDF out rather than printing empty boxes.
 */
function reportPdfRenderer(logger: Logger): ActivityDeps['reportPdf'] {
  const font = findCjkFont();
  if (!font) {
    logger.warn('no CJK font found: service reports are stored without a PDF (apt-get install fonts-noto-cjk, or set REPORT_FONT_FILE)');
    return undefined;
  }
  logger.info({ font: font.file }, 'service report PDFs use this font');
  return (doc, lang) => renderServiceReportPdf(doc, lang, font);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel).child({ component: 'worker' });
  // SDK runtime metrics and our counters on one Prometheus endpoint; before any connection is made.
  installWorkerRuntime({ metricsPort: config.metrics.workerPort, host: config.metrics.workerHost });
  // Traces only when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/operations.md, Traces).
  const tracing = startTracing('aftercare-worker', config.otlpEndpoint);
  const { worker, close } = await workerFromConfig(config, logger, tracing);
  logger.info({ taskQueue: config.temporal.taskQueue, temporalAddress: config.temporal.address }, 'worker started');
  // Worker.run() handles SIGINT/SIGTERM itself: it stops polling and finishes in-flight tasks.
  await worker.run();
  await close();
  await tracing?.shutdown();
  logger.info('worker stopped');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
