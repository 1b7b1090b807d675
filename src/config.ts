import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { aliyunTemplateProblems } from './adapters/sms/aliyunTemplates';
import type { SmsKind } from './adapters/sms/types';
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
  /** Price list and parts catalogue (PRICE_LIST_FILE, PARTS_CATALOGUE_FILE; docs/catalogue.md). */
  catalogue: { priceListFile: string; partsFile: string };
  techniciansFile: string;
  tokensFile: string;
  publicBaseUrl: string;
  ratingLinkSecret: string;
  /**
   * HMAC key of the customer key (CUSTOMER_KEY_SECRET; src/customers/keys.ts), which links a customer's requests
   * without their phone. Must never change: a new key splits every customer's history.
   */
  customerKeySecret: string;
  sms: {
    provider: 'outbox' | 'webhook' | 'twilio' | 'aliyun';
    outboxFile: string;
    webhookUrl?: string;
    webhookSecret?: string;
    twilio?: { accountSid: string; authToken: string; from?: string; messagingServiceSid?: string; baseUrl?: string };
    aliyun?: {
      accessKeyId: string;
      accessKeySecret: string;
      signName: string;
      templates: Partial<Record<SmsKind, string>>;
      endpoint?: string;
      paramMaxLength?: number;
    };
  };
  storage: {
    kind: 'local' | 's3';
    dir: string;
    s3?: { bucket: string; region: string; endpoint?: string; forcePathStyle: boolean };
  };
  /** Photos one request may hold, and their total bytes (PHOTO_MAX_PER_REQUEST, PHOTO_MAX_MB_PER_REQUEST). */
  photoQuota: { maxPerRequest: number; maxBytesPerRequest: number };
  /** Call-centre webhook that receives satisfaction call-back tasks and escalation pages; none = outbox only. */
  callCentreWebhookUrl?: string;
  /** HMAC key of the call-centre webhook (CALL_CENTRE_WEBHOOK_SECRET); required with the URL. */
  callCentreWebhookSecret?: string;
  /** Lifecycle 5: closed product complaints go here (signed) instead of var/complaint-feedback.jsonl. */
  complaintFeedbackWebhookUrl?: string;
  /** HMAC key of the complaint feedback webhook (COMPLAINT_FEEDBACK_WEBHOOK_SECRET); required with the URL. */
  complaintFeedbackWebhookSecret?: string;
  /** HMAC key of escalation contacts' webhooks (policy `webhookUrl`); without it those pages are not sent. */
  escalationWebhookSecret?: string;
  /** Fastify `trustProxy` (TRUST_PROXY): false, a hop count, or the proxies' addresses / CIDRs. */
  trustProxy: TrustProxy;
  /** `npm start`'s embedded Temporal. temporalPort: TEMPORAL_DEV_PORT, unset = TEMPORAL_ADDRESS's (devServerAddress). */
  dev: { uiPort: number; temporalPort?: number; dbFile: string };
  /**
   * PII payload codec (AES-256-GCM); off when no keys are set. keyFile (AFTERCARE_CODEC_KEY_FILE): where `npm start`
   * keeps the key it creates when AFTERCARE_CODEC_KEYS is unset (src/codec/keyFile.ts).
   */
  codec: { keys: CodecKey[]; tokens: string[]; uiOrigins: string[]; keyFile: string };
  metrics: { workerPort: number; workerHost: string; token?: string };
  /**
   * The reporting database (src/reporting/): DATABASE_URL (postgres://…); unset = none (`npm start` then runs the
   * embedded one, `embedded`, and hands its URL to the worker and the API).
   */
  reporting: { databaseUrl?: string; embedded: { dir: string; port: number } };
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

// ---- secrets and exposure (issue 16) ---------------------------------------------------------------------

export type TrustProxy = false | number | string[];

/** HOST values that keep the API on this machine: the only place the built-in dev rating secret is accepted. */
export const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'];
/** Signs rating links in a loopback-only development setup; refused anywhere else. */
export const DEV_RATING_LINK_SECRET = 'dev-only-rating-secret-change-me';
/** Keys customers' phones in a loopback-only development setup; refused anywhere else (secretWeakness: a placeholder). */
export const DEV_CUSTOMER_KEY_SECRET = 'dev-only-customer-key-secret-change-me';
const MIN_SECRET_BYTES = 32;
const MIN_SECRET_BITS = 128;
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Why `secret` is too weak to sign anything that leaves the machine, or undefined. Key material is counted in
 * bytes (hex counts half: `openssl rand -hex 32` is 32 bytes); obvious patterns are refused: placeholders, repeated
 * units, long runs of neighbouring characters, and anything whose character statistics carry under 128 bits.
 * The messages never quote the secret.
 */
export function secretWeakness(secret: string): string | undefined {
  const bytes = /^(?:[0-9a-f]{2})+$/i.test(secret) ? secret.length / 2 : Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_SECRET_BYTES) return `${bytes} bytes of key material; at least ${MIN_SECRET_BYTES} are needed`;
  if (secret === DEV_RATING_LINK_SECRET || /change-?me|dev-only|example|placeholder/i.test(secret)) return 'a placeholder, not a secret';
  const chars = [...secret];
  for (let period = 1; period <= chars.length / 2; period++) {
    if (chars.every((c, i) => i < period || c === chars[i - period])) return 'a repeated pattern';
  }
  let neighbours = 0;
  for (let i = 1; i < chars.length; i++) if (Math.abs(chars[i]!.codePointAt(0)! - chars[i - 1]!.codePointAt(0)!) <= 1) neighbours++;
  if (neighbours * 2 >= chars.length - 1) return 'mostly a sequence of neighbouring characters';
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bitsPerChar = 0;
  for (const n of counts.values()) bitsPerChar -= (n / chars.length) * Math.log2(n / chars.length);
  if (counts.size < 10 || bitsPerChar * chars.length < MIN_SECRET_BITS) return 'too little variety (low entropy)';
  return undefined;
}

function isIpOrCidr(v: string): boolean {
  const [ip = '', prefix, ...rest] = v.split('/');
  const family = isIP(ip);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

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

  /** Aliyun kind → template code table: inline JSON, or the path of a JSON file; one problem per bad entry. */
  const aliyunTemplates = (name: string): Partial<Record<SmsKind, string>> => {
    const raw = opt(name);
    if (raw === undefined) {
      problems.push(
        `SMS_PROVIDER=aliyun needs ${name} (JSON object, or path of a JSON file, mapping each message kind to a template code)`,
      );
      return {};
    }
    let text = raw;
    if (!raw.trim().startsWith('{')) {
      try {
        text = readFileSync(resolve(PROJECT_ROOT, raw), 'utf8');
      } catch (err) {
        problems.push(`${name}=${JSON.stringify(raw)}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
        return {};
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      problems.push(`${name}: not valid JSON`);
      return {};
    }
    const bad = aliyunTemplateProblems(parsed);
    problems.push(...bad.map((p) => `${name}: ${p}`));
    return bad.length === 0 ? (parsed as Partial<Record<SmsKind, string>>) : {};
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
  const smsProvider = oneOf('SMS_PROVIDER', 'outbox', ['outbox', 'webhook', 'twilio', 'aliyun'] as const);
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
  let aliyun: Config['sms']['aliyun'];
  if (smsProvider === 'aliyun') {
    const accessKeyId = opt('ALIYUN_ACCESS_KEY_ID');
    const accessKeySecret = opt('ALIYUN_ACCESS_KEY_SECRET');
    const signName = opt('ALIYUN_SMS_SIGN_NAME')?.trim();
    if (!accessKeyId) problems.push('SMS_PROVIDER=aliyun needs ALIYUN_ACCESS_KEY_ID');
    if (!accessKeySecret) problems.push('SMS_PROVIDER=aliyun needs ALIYUN_ACCESS_KEY_SECRET');
    if (!signName) problems.push('SMS_PROVIDER=aliyun needs ALIYUN_SMS_SIGN_NAME (the registered signature name)');
    else if (/[【】[\]]/.test(signName))
      problems.push(`ALIYUN_SMS_SIGN_NAME=${JSON.stringify(signName)}: expected the name without 【】 (Aliyun adds them)`);
    const endpoint = url('ALIYUN_SMS_ENDPOINT');
    if (endpoint && /^https?:\/\/[^/]+\/./.test(endpoint))
      problems.push(`ALIYUN_SMS_ENDPOINT=${JSON.stringify(endpoint)}: expected scheme and host only (SendSms is at "/")`);
    else if (endpoint && env.NODE_ENV === 'production' && /^http:/i.test(endpoint)) {
      problems.push(`ALIYUN_SMS_ENDPOINT=${JSON.stringify(endpoint)}: expected an https URL in production (requests carry customer data)`);
    }
    aliyun = {
      accessKeyId: accessKeyId ?? '',
      accessKeySecret: accessKeySecret ?? '',
      signName: signName ?? '',
      templates: aliyunTemplates('ALIYUN_SMS_TEMPLATES'),
      endpoint,
      paramMaxLength: optInt('ALIYUN_SMS_PARAM_MAX_LENGTH', 2, 500),
    };
  }

  const storageKind = oneOf('PHOTO_STORAGE', 'local', ['local', 's3'] as const);
  let s3: Config['storage']['s3'];
  if (storageKind === 's3') {
    const bucket = opt('S3_BUCKET');
    if (!bucket) problems.push('PHOTO_STORAGE=s3 needs S3_BUCKET');
    s3 = {
      bucket: bucket ?? '',
      region: str('S3_REGION', 'us-east-1'),
      endpoint: url('S3_ENDPOINT'),
      forcePathStyle: bool('S3_FORCE_PATH_STYLE'),
    };
  }

  // ---- secrets and exposure (issue 16): strong keys wherever the API is reachable from elsewhere ----
  const production = env.NODE_ENV === 'production';
  const host = str('HOST', production ? '0.0.0.0' : '127.0.0.1');
  const exposed = production
    ? 'NODE_ENV=production'
    : LOOPBACK_HOSTS.includes(host.toLowerCase())
      ? undefined
      : `HOST=${host} is beyond loopback`;
  const explicitRatingSecret = opt('RATING_LINK_SECRET');
  const ratingLinkSecret = explicitRatingSecret ?? DEV_RATING_LINK_SECRET;
  if (exposed && explicitRatingSecret === undefined) {
    problems.push(`RATING_LINK_SECRET must be set (${exposed}): it signs customers' rating links; e.g. openssl rand -hex 32`);
  } else if (exposed) {
    const weak = secretWeakness(ratingLinkSecret);
    if (weak) problems.push(`RATING_LINK_SECRET is too weak (${exposed}): ${weak}; e.g. openssl rand -hex 32`);
  }
  // The customer key's secret: the same rules. Its own key, so nobody holding another secret can compute customer keys.
  const explicitCustomerSecret = opt('CUSTOMER_KEY_SECRET');
  const customerKeySecret = explicitCustomerSecret ?? DEV_CUSTOMER_KEY_SECRET;
  if (exposed && explicitCustomerSecret === undefined) {
    problems.push(
      `CUSTOMER_KEY_SECRET must be set (${exposed}): it links a customer's requests by their phone; e.g. openssl rand -hex 32, then never change it`,
    );
  } else if (exposed) {
    const weak = secretWeakness(customerKeySecret);
    if (weak) problems.push(`CUSTOMER_KEY_SECRET is too weak (${exposed}): ${weak}; e.g. openssl rand -hex 32`);
  }
  if (customerKeySecret === ratingLinkSecret) problems.push('CUSTOMER_KEY_SECRET must differ from RATING_LINK_SECRET');
  // Webhook receivers hold their key: never the one that signs rating links, and no fallback to it.
  const callCentreWebhookUrl = url('CALL_CENTRE_WEBHOOK_URL');
  const callCentreWebhookSecret = opt('CALL_CENTRE_WEBHOOK_SECRET');
  if (callCentreWebhookUrl && !callCentreWebhookSecret)
    problems.push('CALL_CENTRE_WEBHOOK_SECRET must be set with CALL_CENTRE_WEBHOOK_URL (signs the call-back tasks)');
  const complaintFeedbackWebhookUrl = url('COMPLAINT_FEEDBACK_WEBHOOK_URL');
  const complaintFeedbackWebhookSecret = opt('COMPLAINT_FEEDBACK_WEBHOOK_SECRET');
  if (complaintFeedbackWebhookUrl && !complaintFeedbackWebhookSecret)
    problems.push(
      'COMPLAINT_FEEDBACK_WEBHOOK_SECRET must be set with COMPLAINT_FEEDBACK_WEBHOOK_URL (signs the product complaint feedback)',
    );
  const escalationWebhookSecret = opt('ESCALATION_WEBHOOK_SECRET');
  for (const name of [
    'SMS_WEBHOOK_SECRET',
    'CALL_CENTRE_WEBHOOK_SECRET',
    'ESCALATION_WEBHOOK_SECRET',
    'COMPLAINT_FEEDBACK_WEBHOOK_SECRET',
  ]) {
    if (opt(name) !== undefined && opt(name) === ratingLinkSecret)
      problems.push(`${name} must differ from RATING_LINK_SECRET (the receiver could sign rating links)`);
    if (opt(name) !== undefined && opt(name) === customerKeySecret)
      problems.push(`${name} must differ from CUSTOMER_KEY_SECRET (the receiver could compute customer keys from phone numbers)`);
  }
  if (production) {
    for (const name of ['SMS_WEBHOOK_URL', 'CALL_CENTRE_WEBHOOK_URL', 'COMPLAINT_FEEDBACK_WEBHOOK_URL']) {
      const v = opt(name);
      if (v !== undefined && /^http:/i.test(v))
        problems.push(`${name}=${JSON.stringify(v)}: expected an https URL in production (signed bodies carry customer data)`);
    }
  }
  const databaseUrl = opt('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/[^\s]+$/.test(databaseUrl))
    problems.push('DATABASE_URL: expected a postgres:// or postgresql:// URL (the reporting database)');
  const metricsToken = opt('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) problems.push('METRICS_TOKEN: expected at least 16 characters');
  else if (production && metricsToken === undefined)
    problems.push('METRICS_TOKEN must be set in production (NODE_ENV=production): /metrics is open without it');
  const workerHost = str('WORKER_METRICS_HOST', '127.0.0.1');
  if (!isIP(workerHost) && workerHost !== 'localhost')
    problems.push(`WORKER_METRICS_HOST=${JSON.stringify(workerHost)}: expected an IP address (0.0.0.0 for every interface) or localhost`);
  let trustProxy: TrustProxy = false;
  const trustRaw = opt('TRUST_PROXY')?.trim();
  if (trustRaw !== undefined && trustRaw !== '' && trustRaw !== '0' && trustRaw.toLowerCase() !== 'false') {
    const items = trustRaw.split(',').map((t) => t.trim());
    if (/^\d+$/.test(trustRaw) && Number(trustRaw) >= 1 && Number(trustRaw) <= 32) trustProxy = Number(trustRaw);
    else if (items.every((t) => isIpOrCidr(t) || PROXY_NAMES.includes(t))) trustProxy = items;
    else {
      problems.push(
        `TRUST_PROXY=${JSON.stringify(opt('TRUST_PROXY'))}: expected false, a hop count from 1 to 32, or a comma-separated list of proxy addresses / CIDRs ` +
          `(or ${PROXY_NAMES.join(', ')}); never true, which would let any client choose its own address`,
      );
    }
  }

  let codecKeys: CodecKey[] = [];
  try {
    codecKeys = parseCodecKeys(opt('AFTERCARE_CODEC_KEYS'));
  } catch (err) {
    if (!(err instanceof CodecKeyError)) throw err;
    problems.push(...err.problems.map((p) => `AFTERCARE_CODEC_KEYS: ${p}`));
  }
  const codecTokens = (opt('AFTERCARE_CODEC_TOKENS') ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (codecTokens.some((t) => t.length < 16)) problems.push('AFTERCARE_CODEC_TOKENS: every token needs at least 16 characters');
  const uiPort = int('TEMPORAL_UI_PORT', 8233, 1, 65535);

  const worker: WorkerTuning = {};
  const maxCached = optInt('AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS', 0, 1_000_000, 'an integer from 0 (no cache) to 1000000');
  const maxWft = optInt('AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 2, 10_000);
  const maxActivities = optInt('AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES', 1, 10_000);
  if (maxCached === 1) {
    problems.push(
      `AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS=${JSON.stringify(opt('AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS'))}: expected 0 (no cache) or at least 2 (the SDK needs two)`,
    );
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
      tls: tlsWanted ? { serverName: opt('TEMPORAL_TLS_SERVER_NAME'), caPath: opt('TEMPORAL_TLS_CA'), certPath, keyPath } : undefined,
      apiKey,
    },
    port,
    host,
    logLevel,
    policyFile: file('AFTERCARE_POLICY', 'policy/default.yaml'),
    catalogue: {
      priceListFile: file('PRICE_LIST_FILE', 'catalogue/prices.yaml'),
      partsFile: file('PARTS_CATALOGUE_FILE', 'catalogue/parts.yaml'),
    },
    techniciansFile: file('AFTERCARE_TECHNICIANS', 'policy/technicians.yaml'),
    tokensFile: file('AFTERCARE_TOKENS', 'policy/tokens.demo.json'),
    publicBaseUrl: url('PUBLIC_BASE_URL', `http://localhost:${port}`) ?? '',
    ratingLinkSecret,
    customerKeySecret,
    sms: {
      provider: smsProvider,
      outboxFile: file('SMS_OUTBOX_FILE', 'var/sms-outbox.jsonl'),
      webhookUrl,
      webhookSecret: opt('SMS_WEBHOOK_SECRET'),
      twilio,
      aliyun,
    },
    storage: { kind: storageKind, dir: file('PHOTO_STORAGE_DIR', 'var/photos'), s3 },
    photoQuota: {
      maxPerRequest: int('PHOTO_MAX_PER_REQUEST', 30, 1, 10_000),
      maxBytesPerRequest: int('PHOTO_MAX_MB_PER_REQUEST', 60, 1, 100_000) * 1024 * 1024,
    },
    callCentreWebhookUrl,
    callCentreWebhookSecret,
    complaintFeedbackWebhookUrl,
    complaintFeedbackWebhookSecret,
    escalationWebhookSecret,
    trustProxy,
    dev: {
      uiPort,
      temporalPort: optInt('TEMPORAL_DEV_PORT', 1, 65535),
      dbFile: file('TEMPORAL_DB_FILE', 'var/temporal.db'),
    },
    codec: {
      keys: codecKeys,
      tokens: codecTokens,
      keyFile: file('AFTERCARE_CODEC_KEY_FILE', 'var/codec-keys'),
      uiOrigins: str('AFTERCARE_CODEC_UI_ORIGINS', `http://localhost:${uiPort},http://127.0.0.1:${uiPort}`)
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    },
    metrics: { workerPort: int('WORKER_METRICS_PORT', 9464, 0, 65535), workerHost, token: metricsToken },
    reporting: {
      databaseUrl,
      embedded: { dir: file('REPORTING_DB_DIR', 'var/reporting-db'), port: int('REPORTING_DB_PORT', 54329, 1, 65535) },
    },
    worker,
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/**
 * Where `npm start` runs its Temporal dev server, and so where that stack's worker and API connect.
 * TEMPORAL_DEV_PORT decides the port (a second stack needs only that), on TEMPORAL_ADDRESS's host; without it,
 * TEMPORAL_ADDRESS decides both. Both set with different ports is refused: either guess could join the
 * other stack's server. `explicitAddress` is TEMPORAL_ADDRESS as set (undefined when unset), already validated.
 */
export function devServerAddress(explicitAddress: string | undefined, devPort: number | undefined): { host: string; port: number } {
  const [host = '127.0.0.1', portText = '7233'] = (explicitAddress ?? '127.0.0.1:7233').split(':');
  const addressPort = Number(portText);
  if (devPort === undefined) return { host, port: addressPort };
  if (explicitAddress !== undefined && addressPort !== devPort) {
    throw new ConfigError([
      `TEMPORAL_DEV_PORT=${devPort} and TEMPORAL_ADDRESS=${explicitAddress} disagree on the dev server's port; set one of them`,
    ]);
  }
  return { host, port: devPort };
}
