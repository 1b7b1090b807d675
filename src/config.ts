import { resolve } from 'node:path';
import { PROJECT_ROOT } from './temporal/binaries';
import { DEFAULT_TASK_QUEUE } from './temporal/ids';
import { CodecKeyError, parseCodecKeys, type CodecKey } from './codec/keys';

/**
 * Environment → typed, validated configuration. Every process reads it here and nowhere else, so a bad
 * value stops start-up with one message per variable instead of failing later.
 */
export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  tls?: { serverName?: string; caPath?: string; certPath?: string; keyPath?: string };
  apiKey?: string;
}

export interface Config {
  temporal: TemporalConfig;
  port: number;
  host: string;
  logLevel: string;
  policyFile: string;
  techniciansFile: string;
  tokensFile: string;
  publicBaseUrl: string;
  ratingLinkSecret: string;
  sms: {
    provider: 'outbox' | 'webhook' | 'twilio';
    outboxFile: string;
    webhookUrl?: string;
    webhookSecret?: string;
    twilio?: { accountSid: string; authToken: string; from?: string; messagingServiceSid?: string; baseUrl?: string };
  };
  storage: {
    kind: 'local' | 's3';
    dir: string;
    s3?: { bucket: string; region: string; endpoint?: string; forcePathStyle: boolean };
  };
  /** Call-centre webhook that receives satisfaction call-back tasks and escalation pages; none = outbox only. */
  callCentreWebhookUrl?: string;
  dev: { uiPort: number; temporalPort: number; dbFile: string };
  /** PII payload codec (AES-256-GCM); off when no keys are set. */
  codec: { keys: CodecKey[]; tokens: string[]; uiOrigins: string[] };
  metrics: { workerPort: number; token?: string };
  /** Worker tuning (WorkerOptions of the same names); unset = the SDK's default. */
  worker: WorkerTuning;
}

export interface WorkerTuning {
  /** Sticky cache size; 0 disables it. SDK default: derived from the heap limit (~2,300 with Node's 4 GB). */
  maxCachedWorkflows?: number;
  /** SDK default 40. */
  maxConcurrentWorkflowTaskExecutions?: number;
  /** SDK default 100. */
  maxConcurrentActivityTaskExecutions?: number;
}

/** The SDK's own default for concurrent workflow tasks (@temporalio/worker worker-options). */
export const SDK_DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS = 40;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const str = (name: string, fallback: string): string => {
    const v = env[name];
    return v === undefined || v === '' ? fallback : v;
  };
  const opt = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  /** Optional integer: undefined when unset (the consumer's own default applies). */
  const optInt = (name: string, min: number, max: number, expected = `an integer from ${min} to ${max}`): number | undefined => {
    const raw = opt(name);
    if (raw === undefined) return undefined;
    const n = Number(raw.trim() === '' ? NaN : raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected ${expected}`);
      return undefined;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, fallback: T, allowed: readonly T[]): T => {
    const v = str(name, fallback);
    if (!(allowed as readonly string[]).includes(v)) {
      problems.push(`${name}=${JSON.stringify(v)}: expected one of ${allowed.join(', ')}`);
      return fallback;
    }
    return v as T;
  };
  const bool = (name: string): boolean => {
    const v = opt(name);
    if (v === undefined) return false;
    if (['1', 'true', 'yes'].includes(v.toLowerCase())) return true;
    if (['0', 'false', 'no'].includes(v.toLowerCase())) return false;
    problems.push(`${name}=${JSON.stringify(v)}: expected true or false`);
    return false;
  };
  const file = (name: string, fallback: string): string => resolve(PROJECT_ROOT, str(name, fallback));
  const url = (name: string, fallback?: string): string | undefined => {
    const v = opt(name) ?? fallback;
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      problems.push(`${name}=${JSON.stringify(v)}: expected an http(s) URL`);
    }
    return v;
  };

  const address = str('TEMPORAL_ADDRESS', '127.0.0.1:7233');
  if (!/^[^\s:]+:\d{1,5}$/.test(address)) problems.push(`TEMPORAL_ADDRESS=${JSON.stringify(address)}: expected host:port`);

  const apiKey = opt('TEMPORAL_API_KEY');
  const tlsWanted = bool('TEMPORAL_TLS') || !!opt('TEMPORAL_TLS_CERT') || !!apiKey;
  const certPath = opt('TEMPORAL_TLS_CERT');
  const keyPath = opt('TEMPORAL_TLS_KEY');
  if (!!certPath !== !!keyPath) problems.push('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together (mTLS)');

  const logLevel = str('LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)}: expected one of ${LOG_LEVELS.join(', ')}`);

  const port = int('PORT', 3000, 0, 65535);
  const smsProvider = oneOf('SMS_PROVIDER', 'outbox', ['outbox', 'webhook', 'twilio'] as const);
  const webhookUrl = url('SMS_WEBHOOK_URL');
  if (smsProvider === 'webhook' && (!webhookUrl || !opt('SMS_WEBHOOK_SECRET'))) {
    problems.push('SMS_PROVIDER=webhook needs SMS_WEBHOOK_URL and SMS_WEBHOOK_SECRET');
  }
  let twilio: Config['sms']['twilio'];
  if (smsProvider === 'twilio') {
    const accountSid = opt('TWILIO_ACCOUNT_SID');
    const authToken = opt('TWILIO_AUTH_TOKEN');
    const from = opt('TWILIO_FROM');
    const messagingServiceSid = opt('TWILIO_MESSAGING_SERVICE_SID');
    if (!accountSid || !authToken) problems.push('SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
    if (!from && !messagingServiceSid) problems.push('SMS_PROVIDER=twilio needs TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID');
    twilio = { accountSid: accountSid ?? '', authToken: authToken ?? '', from, messagingServiceSid, baseUrl: url('TWILIO_BASE_URL') };
  }

  const storageKind = oneOf('PHOTO_STORAGE', 'local', ['local', 's3'] as const);
  let s3: Config['storage']['s3'];
  if (storageKind === 's3') {
    const bucket = opt('S3_BUCKET');
    if (!bucket) problems.push('PHOTO_STORAGE=s3 needs S3_BUCKET');
    s3 = { bucket: bucket ?? '', region: str('S3_REGION', 'us-east-1'), endpoint: url('S3_ENDPOINT'), forcePathStyle: bool('S3_FORCE_PATH_STYLE') };
  }

  const ratingLinkSecret = str('RATING_LINK_SECRET', 'dev-only-rating-secret-change-me');
  if (env.NODE_ENV === 'production' && ratingLinkSecret.startsWith('dev-only')) {
    problems.push('RATING_LINK_SECRET must be set in production (signs customers\' rating links)');
  }

  let codecKeys: CodecKey[] = [];
  try {
    codecKeys = parseCodecKeys(opt('AFTERCARE_CODEC_KEYS'));
  } catch (err) {
    if (!(err instanceof CodecKeyError)) throw err;
    problems.push(...err.problems.map((p) => `AFTERCARE_CODEC_KEYS: ${p}`));
  }
  const codecTokens = (opt('AFTERCARE_CODEC_TOKENS') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (codecTokens.some((t) => t.length < 16)) problems.push('AFTERCARE_CODEC_TOKENS: every token needs at least 16 characters');
  const uiPort = int('TEMPORAL_UI_PORT', 8233, 1, 65535);

  const worker: WorkerTuning = {};
  const maxCached = optInt('AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS', 0, 1_000_000, 'an integer from 0 (no cache) to 1000000');
  const maxWft = optInt('AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 2, 10_000);
  const maxActivities = optInt('AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES', 1, 10_000);
  if (maxCached === 1) {
    problems.push(`AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS=${JSON.stringify(opt('AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS'))}: expected 0 (no cache) or at least 2 (the SDK needs two)`);
  } else if (maxCached !== undefined && maxCached > 0 && maxCached < (maxWft ?? SDK_DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS)) {
    // A workflow task in progress keeps its workflow in the cache: the cache must hold every concurrent task.
    problems.push(
      maxWft === undefined
        ? `AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS=${maxCached}: below the ${SDK_DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS} concurrent workflow tasks (SDK default); lower AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS too`
        : `AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS=${maxWft}: cannot exceed AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS (${maxCached})`,
    );
  } else if (maxCached !== undefined) worker.maxCachedWorkflows = maxCached;
  if (maxWft !== undefined) worker.maxConcurrentWorkflowTaskExecutions = maxWft;
  if (maxActivities !== undefined) worker.maxConcurrentActivityTaskExecutions = maxActivities;

  const config: Config = {
    temporal: {
      address,
      namespace: str('TEMPORAL_NAMESPACE', 'default'),
      taskQueue: str('TEMPORAL_TASK_QUEUE', DEFAULT_TASK_QUEUE),
      tls: tlsWanted
        ? { serverName: opt('TEMPORAL_TLS_SERVER_NAME'), caPath: opt('TEMPORAL_TLS_CA'), certPath, keyPath }
        : undefined,
      apiKey,
    },
    port,
    host: str('HOST', '0.0.0.0'),
    logLevel,
    policyFile: file('AFTERCARE_POLICY', 'policy/default.yaml'),
    techniciansFile: file('AFTERCARE_TECHNICIANS', 'policy/technicians.yaml'),
    tokensFile: file('AFTERCARE_TOKENS', 'policy/tokens.demo.json'),
    publicBaseUrl: url('PUBLIC_BASE_URL', `http://localhost:${port}`) ?? '',
    ratingLinkSecret,
    sms: {
      provider: smsProvider,
      outboxFile: file('SMS_OUTBOX_FILE', 'var/sms-outbox.jsonl'),
      webhookUrl,
      webhookSecret: opt('SMS_WEBHOOK_SECRET'),
      twilio,
    },
    storage: { kind: storageKind, dir: file('PHOTO_STORAGE_DIR', 'var/photos'), s3 },
    callCentreWebhookUrl: url('CALL_CENTRE_WEBHOOK_URL'),
    dev: {
      uiPort,
      temporalPort: int('TEMPORAL_DEV_PORT', 7233, 1, 65535),
      dbFile: file('TEMPORAL_DB_FILE', 'var/temporal.db'),
    },
    codec: {
      keys: codecKeys,
      tokens: codecTokens,
      uiOrigins: str('AFTERCARE_CODEC_UI_ORIGINS', `http://localhost:${uiPort},http://127.0.0.1:${uiPort}`).split(',').map((o) => o.trim()).filter(Boolean),
    },
    metrics: { workerPort: int('WORKER_METRICS_PORT', 9464, 0, 65535), token: opt('METRICS_TOKEN') },
    worker,
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
