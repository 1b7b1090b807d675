/**
 * API process: configuration → policy, tokens, storage → Temporal client → Fastify server → listen.
 * It listens at once (liveness, docs, 503 with Retry-After) while the Temporal connection comes up in the
 * background. SIGINT/SIGTERM: stop accepting, finish in-flight requests, close the connection, exit.
 * SIGHUP: reload the policy file (new requests only; running ones keep theirs).
 */
import type { Client } from '@temporalio/client';
import { assertCurrency, loadCatalogue } from './catalogue';
import { createStorage } from './adapters/storage';
import { codecDataConverter, codecFromKeys, type AesGcmCodec } from './codec';
import { DeferredPort } from './api/deferredPort';
import { buildServer, type ApiServer } from './api/server';
import { TemporalRequests } from './temporal/requests';
import { ConfigError, loadConfig, type Config } from './config';
import { POLICY_DEFAULTS } from './domain/policy';
import type { ResolvedPolicy } from './domain/policyTypes';
import { createLogger, type Logger } from './logger';
import { loadPolicyFile } from './policy';
import { cachedReportSource } from './reports/cache';
import { localDate } from './reports/daily';
import { databaseReportSource } from './reports/database';
import { deferredReportSource } from './reports/fetch';
import { registerOpenRequestsGauge, openRequestsFromVisibility } from './metrics/openRequests';
import { tracingClientInterceptors } from './telemetry/temporal';
import { startTracing, type Tracing } from './telemetry/tracing';
import { reportingPool } from './reporting/pool';
import { connectClient } from './temporal/connection';
import { apiConnectionInterceptors } from './temporal/retry';
import { DEMO_TOKENS_FILE, loadTokenFile, type TokenStore } from './tokens';

const SHUTDOWN_TIMEOUT_MS = 20_000;

/** Production refuses an empty token file and the demo tokens, recognised by content (not by the file's name). */
export function checkProductionSafety(
  config: Pick<Config, 'tokensFile'>,
  tokens: TokenStore,
  env: NodeJS.ProcessEnv = process.env,
  demoFile = DEMO_TOKENS_FILE,
): void {
  if (env.NODE_ENV !== 'production') return;
  if (tokens.size === 0) throw new ConfigError(['AFTERCARE_TOKENS has no tokens']);
  const holders = tokens.demoHolders(demoFile);
  if (holders.length) {
    throw new ConfigError([
      `AFTERCARE_TOKENS (${config.tokensFile}) holds the public demo tokens of ${holders.join(', ')}; set your own tokens in production`,
    ]);
  }
}

/** Connects in the background, retrying with back-off, and hands the port its target once connected. */
async function connectWithRetry(
  config: Config,
  logger: Logger,
  port: DeferredPort,
  policy: () => ResolvedPolicy,
  signal: AbortSignal,
  codec: AesGcmCodec | undefined,
  tracing: Tracing | undefined,
): Promise<Client | undefined> {
  const clientInterceptors = tracingClientInterceptors(tracing);
  // Same PII codec as the worker (AFTERCARE_CODEC_KEYS), or the SDK default when it is off.
  const dataConverter = codecDataConverter(codec);
  let delay = 500;
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      // The API retries Temporal's per-workflow refusals itself, briefly (src/temporal/retry.ts).
      const client = await connectClient(config.temporal, {
        ...(dataConverter ? { dataConverter } : {}),
        ...(clientInterceptors ? { clientInterceptors } : {}),
        interceptors: apiConnectionInterceptors(),
      });
      if (signal.aborted) {
        await client.connection.close();
        return undefined;
      }
      port.set(new TemporalRequests({ client, taskQueue: config.temporal.taskQueue, policy }));
      logger.info({ temporalAddress: config.temporal.address, namespace: config.temporal.namespace }, 'connected to Temporal');
      return client;
    } catch (err) {
      logger.warn(
        { attempt, temporalAddress: config.temporal.address, err: { message: (err as Error).message } },
        'Temporal not reachable yet; retrying',
      );
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }
  return undefined;
}

export async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel).child({ component: 'api' });
  // Traces only when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/operations.md, Traces); before the server is built.
  const tracing = startTracing('aftercare-api', config.otlpEndpoint);
  let policy = loadPolicyFile(config.policyFile);
  // Price list and parts catalogue: checked like the policy, in the policy's currency (docs/catalogue.md).
  const catalogue = loadCatalogue(config.catalogue);
  assertCurrency(catalogue, policy.charges ?? POLICY_DEFAULTS.charges);
  const tokens = loadTokenFile(config.tokensFile);
  checkProductionSafety(config, tokens);
  const storage = createStorage(config.storage);
  const port = new DeferredPort();
  const codec = codecFromKeys(config.codec.keys);
  let client: Client | undefined;
  // Reports read the reporting database when one is configured (weekly, monthly and appraisal only exist there);
  // else the daily report reads Temporal, cached (docs/operations.md, Reports).
  const reportingDb = config.reporting.databaseUrl ? reportingPool({ url: config.reporting.databaseUrl }) : undefined;
  const dbReports = reportingDb ? databaseReportSource(reportingDb, { timeZone: policy.calendar.timeZone }) : undefined;

  const app: ApiServer = await buildServer({
    config,
    logger,
    requests: port,
    storage,
    tokens,
    reports:
      dbReports ??
      cachedReportSource(
        deferredReportSource(() => client, { timeZone: policy.calendar.timeZone }),
        {
          today: () => localDate(Date.now(), policy.calendar.timeZone),
        },
      ),
    periods: dbReports,
    ...(codec ? { codec: { codec, codecTokens: config.codec.tokens, allowedOrigins: config.codec.uiOrigins } } : {}),
    metrics: { bearerToken: config.metrics.token },
    catalogue,
    // The current policy's (SIGHUP reloads it): the status page's times and hotline.
    statusPage: () => ({ timeZone: policy.calendar.timeZone, hotline: policy.hotline }),
    tracing: !!tracing,
  });
  // Open requests by status and escalation level, from visibility once connected (src/metrics/openRequests.ts).
  registerOpenRequestsGauge(app.metricsRegistry, () => (client ? openRequestsFromVisibility(client) : undefined));
  await app.listen({ port: config.port, host: config.host });
  logger.info(
    { port: config.port, host: config.host, policyVersion: policy.version, reports: reportingDb ? 'database' : 'temporal' },
    'API listening',
  );

  const abort = new AbortController();
  void connectWithRetry(config, logger, port, () => policy, abort.signal, codec, tracing).then((c) => {
    client = c;
  });

  process.on('SIGHUP', () => {
    try {
      const next = loadPolicyFile(config.policyFile);
      // Quotes add the policy's visit fee to catalogue prices: a policy in another currency is refused.
      assertCurrency(catalogue, next.charges ?? POLICY_DEFAULTS.charges);
      policy = next;
      logger.info({ policyVersion: policy.version }, 'policy reloaded; applies to new requests');
    } catch (err) {
      logger.error({ err: { message: (err as Error).message } }, 'policy reload failed; keeping the previous policy');
    }
  });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    abort.abort();
    try {
      await app.close();
      await client?.connection.close();
      await reportingDb?.end();
      await storage.close?.();
      await tracing?.shutdown();
      logger.info('API stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
