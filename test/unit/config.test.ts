import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSmsProvider } from '../../src/adapters/sms';
import { SMS_KINDS } from '../../src/adapters/sms/types';
import { ConfigError, loadConfig } from '../../src/config';

/** The problems loadConfig reports for this environment (none: []). */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('loadConfig: worker tuning (AFTERCARE_WORKER_*)', () => {
  it('leaves every limit to the SDK when nothing is set', () => {
    expect(loadConfig({}).worker).toEqual({});
    // Empty means unset, as for every other variable.
    expect(loadConfig({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '', AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES: '' }).worker).toEqual({});
  });

  it('maps the variables onto the WorkerOptions of the same meaning', () => {
    const cfg = loadConfig({
      AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '1500',
      AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20',
      AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES: '50',
    });
    expect(cfg.worker).toEqual({
      maxCachedWorkflows: 1500,
      maxConcurrentWorkflowTaskExecutions: 20,
      maxConcurrentActivityTaskExecutions: 50,
    });
  });

  it('sets only what is given', () => {
    expect(loadConfig({ AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES: '8' }).worker).toEqual({ maxConcurrentActivityTaskExecutions: 8 });
    expect(loadConfig({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '40' }).worker).toEqual({ maxCachedWorkflows: 40 });
  });

  it('accepts 0 for the cache (disabled: every workflow task replays its history)', () => {
    expect(loadConfig({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '0' }).worker).toEqual({ maxCachedWorkflows: 0 });
    // Without a cache the concurrent tasks are not bounded by it.
    expect(
      loadConfig({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '0', AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '100' }).worker,
    ).toEqual({ maxCachedWorkflows: 0, maxConcurrentWorkflowTaskExecutions: 100 });
  });

  it.each([
    ['AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS', 'lots', /expected an integer from 0 \(no cache\) to 1000000/],
    ['AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS', '-1', /expected an integer from 0/],
    ['AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS', '2.5', /expected an integer from 0/],
    ['AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS', '1', /expected 0 \(no cache\) or at least 2/],
    ['AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', '1', /expected an integer from 2 to 10000/],
    ['AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', '1e9', /expected an integer from 2 to 10000/],
    ['AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES', '0', /expected an integer from 1 to 10000/],
    ['AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES', ' ', /expected an integer from 1 to 10000/],
  ])('refuses %s=%j with one message naming it', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${name}=${JSON.stringify(value)}`);
    expect(problems[0]).toMatch(message);
  });

  it('refuses a cache smaller than the concurrent workflow tasks (a task in progress holds its workflow in the cache)', () => {
    expect(problemsOf({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '100', AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '200' })).toEqual([
      'AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS=200: cannot exceed AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS (100)',
    ]);
    // Against the SDK's default of 40 concurrent tasks when only the cache is set.
    const [problem, ...rest] = problemsOf({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '10' });
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS=10: below the 40 concurrent workflow tasks \(SDK default\)/);
    expect(
      loadConfig({ AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: '10', AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '10' }).worker,
    ).toEqual({ maxCachedWorkflows: 10, maxConcurrentWorkflowTaskExecutions: 10 });
  });

  it('reports every bad variable at once, with the rest of the configuration', () => {
    const problems = problemsOf({
      AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS: 'x',
      AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '0',
      AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES: 'y',
      LOG_LEVEL: 'loud',
    });
    expect(problems.map((p) => p.split('=')[0])).toEqual(
      expect.arrayContaining([
        'AFTERCARE_WORKER_MAX_CACHED_WORKFLOWS',
        'AFTERCARE_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS',
        'AFTERCARE_WORKER_MAX_CONCURRENT_ACTIVITIES',
        'LOG_LEVEL',
      ]),
    );
    expect(problems).toHaveLength(4);
  });
});

// ---- issue 16: secure by default ------------------------------------------------------------------------

/** `openssl rand -hex 32` / `-base64 32` outputs, fixed so the tests are deterministic. */
const STRONG = '653403fabc48d26d7e9d926b4f3a790dccd40c64f7da301b58a8cd83113228da';
const STRONG_B64 = 'hMifyMuPsihjln+Bo5DObe2fRHmktVZg96qd0zSTwzk=';
const OTHER_STRONG = 'da1457c0a64e24c819e6768cdf576e1d75f76d65d30f361efa75261767bc4f75';
const THIRD_STRONG = 'JW_rrYAeoo7lkUduya_jslj6R6aXtQUO-secret-for-the-call-centre';
/** CUSTOMER_KEY_SECRET wherever the rating secret is checked (its own rules: config-customer-key.test.ts). */
const CUSTOMER_STRONG = '8c2e71d04b9f36a5e1d7c08b42f9a63e5d1b7c94a0e26f83b5c9d14e7a02f6b8';
const PROD = {
  NODE_ENV: 'production',
  RATING_LINK_SECRET: STRONG,
  CUSTOMER_KEY_SECRET: CUSTOMER_STRONG,
  METRICS_TOKEN: 'metrics-scrape-token-0123456789',
};

describe('loadConfig: listener and rating-link secret', () => {
  it('listens on loopback unless told otherwise; on all interfaces in production', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig(PROD).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '::1' }).host).toBe('::1');
  });

  it('keeps the built-in dev rating secret for loopback outside production only', () => {
    expect(problemsOf({})).toEqual([]);
    expect(problemsOf({ HOST: 'localhost' })).toEqual([]);
    expect(problemsOf({ HOST: '::1', NODE_ENV: 'development' })).toEqual([]);
    for (const env of [
      { HOST: '0.0.0.0' },
      { HOST: '192.168.1.20' },
      { NODE_ENV: 'staging', HOST: '0.0.0.0' },
      { NODE_ENV: 'production', METRICS_TOKEN: PROD.METRICS_TOKEN },
    ]) {
      const problems = problemsOf(env);
      expect({ env, problems }).toEqual({
        env,
        problems: [expect.stringMatching(/^RATING_LINK_SECRET/), expect.stringMatching(/^CUSTOMER_KEY_SECRET/)],
      });
    }
  });

  it.each([
    ['too short', 'correct-horse-battery'],
    ['16 bytes of hex', 'f4e1197f70624cbc7977adfacd0dcbaf'],
    ['one character repeated', 'a'.repeat(64)],
    ['a repeated word', 'password'.repeat(6)],
    ['a sequence', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF'],
    ['the dev value', 'dev-only-rating-secret-change-me'],
    ['a placeholder', 'please-change-me-before-going-live-0123'],
  ])('refuses a weak RATING_LINK_SECRET beyond loopback (%s) with one message that does not echo it', (_what, secret) => {
    for (const env of [
      { HOST: '0.0.0.0', RATING_LINK_SECRET: secret, CUSTOMER_KEY_SECRET: CUSTOMER_STRONG },
      { ...PROD, RATING_LINK_SECRET: secret },
    ]) {
      const problems = problemsOf(env);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^RATING_LINK_SECRET/);
      expect(problems[0]).not.toContain(secret);
    }
  });

  it('accepts strong secrets (openssl rand -hex 32 / -base64 32) anywhere, and any explicit secret on loopback', () => {
    for (const s of [STRONG, STRONG_B64]) {
      expect(problemsOf({ HOST: '0.0.0.0', RATING_LINK_SECRET: s, CUSTOMER_KEY_SECRET: CUSTOMER_STRONG })).toEqual([]);
      expect(problemsOf({ ...PROD, RATING_LINK_SECRET: s })).toEqual([]);
    }
    expect(loadConfig({ RATING_LINK_SECRET: 'worker-kill-secret' }).ratingLinkSecret).toBe('worker-kill-secret');
  });
});

describe('loadConfig: metrics', () => {
  it('requires a METRICS_TOKEN of at least 16 characters in production', () => {
    const { METRICS_TOKEN: _token, ...withoutToken } = PROD;
    expect(problemsOf(withoutToken)).toEqual([expect.stringMatching(/^METRICS_TOKEN/)]);
    expect(problemsOf({ ...PROD, METRICS_TOKEN: 'short' })).toEqual([expect.stringMatching(/^METRICS_TOKEN/)]);
    expect(problemsOf(PROD)).toEqual([]);
    expect(loadConfig(PROD).metrics.token).toBe(PROD.METRICS_TOKEN);
  });

  it('binds the worker metrics endpoint to loopback unless WORKER_METRICS_HOST says otherwise', () => {
    expect(loadConfig({}).metrics.workerHost).toBe('127.0.0.1');
    expect(loadConfig(PROD).metrics.workerHost).toBe('127.0.0.1');
    expect(loadConfig({ WORKER_METRICS_HOST: '0.0.0.0' }).metrics.workerHost).toBe('0.0.0.0');
    expect(loadConfig({ WORKER_METRICS_HOST: '::' }).metrics.workerHost).toBe('::');
    expect(problemsOf({ WORKER_METRICS_HOST: 'every where' })).toEqual([expect.stringMatching(/^WORKER_METRICS_HOST=/)]);
  });
});

describe('loadConfig: TRUST_PROXY', () => {
  it("is off by default; a hop count or the proxies' addresses / CIDRs", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7 ,fd00::/8,loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
      'loopback',
    ]);
  });

  it.each(['true', '10.0.0.0/33', 'lb.example', '-1', '1.5'])('refuses TRUST_PROXY=%j with one message naming it', (value) => {
    expect(problemsOf({ TRUST_PROXY: value })).toEqual([
      expect.stringMatching(new RegExp(`^TRUST_PROXY=${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)),
    ]);
  });
});

describe('loadConfig: webhook secrets and targets', () => {
  it('CALL_CENTRE_WEBHOOK_URL needs its own CALL_CENTRE_WEBHOOK_SECRET (no fallback to the rating secret)', () => {
    expect(problemsOf({ CALL_CENTRE_WEBHOOK_URL: 'http://127.0.0.1:9/cc' })).toEqual([
      expect.stringMatching(/^CALL_CENTRE_WEBHOOK_SECRET/),
    ]);
    const cfg = loadConfig({ CALL_CENTRE_WEBHOOK_URL: 'http://127.0.0.1:9/cc', CALL_CENTRE_WEBHOOK_SECRET: OTHER_STRONG });
    expect(cfg.callCentreWebhookSecret).toBe(OTHER_STRONG);
    expect(loadConfig({}).callCentreWebhookSecret).toBeUndefined();
  });

  it('refuses webhook secrets equal to RATING_LINK_SECRET (third parties would hold the key of the rating links)', () => {
    const base = { RATING_LINK_SECRET: STRONG };
    expect(problemsOf({ ...base, CALL_CENTRE_WEBHOOK_URL: 'http://127.0.0.1:9/cc', CALL_CENTRE_WEBHOOK_SECRET: STRONG })).toEqual([
      expect.stringMatching(/^CALL_CENTRE_WEBHOOK_SECRET.*RATING_LINK_SECRET/),
    ]);
    expect(problemsOf({ ...base, SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: 'http://127.0.0.1:9/sms', SMS_WEBHOOK_SECRET: STRONG })).toEqual(
      [expect.stringMatching(/^SMS_WEBHOOK_SECRET.*RATING_LINK_SECRET/)],
    );
    expect(problemsOf({ ...base, ESCALATION_WEBHOOK_SECRET: STRONG })).toEqual([
      expect.stringMatching(/^ESCALATION_WEBHOOK_SECRET.*RATING_LINK_SECRET/),
    ]);
    expect(loadConfig({ ...base, ESCALATION_WEBHOOK_SECRET: OTHER_STRONG }).escalationWebhookSecret).toBe(OTHER_STRONG);
  });

  it('refuses plain-http webhook targets in production, one message each', () => {
    const hooks = { SMS_PROVIDER: 'webhook', SMS_WEBHOOK_SECRET: OTHER_STRONG, CALL_CENTRE_WEBHOOK_SECRET: THIRD_STRONG };
    const problems = problemsOf({
      ...PROD,
      ...hooks,
      SMS_WEBHOOK_URL: 'http://sms.example/hook',
      CALL_CENTRE_WEBHOOK_URL: 'http://cc.example/hook',
    });
    expect(problems).toHaveLength(2);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SMS_WEBHOOK_URL=.*https/),
        expect.stringMatching(/^CALL_CENTRE_WEBHOOK_URL=.*https/),
      ]),
    );
    expect(
      problemsOf({ ...PROD, ...hooks, SMS_WEBHOOK_URL: 'https://sms.example/hook', CALL_CENTRE_WEBHOOK_URL: 'https://cc.example/hook' }),
    ).toEqual([]);
    // Outside production (local receivers, tests) http is fine.
    expect(problemsOf({ ...hooks, SMS_WEBHOOK_URL: 'http://127.0.0.1:9/sms', CALL_CENTRE_WEBHOOK_URL: 'http://127.0.0.1:9/cc' })).toEqual(
      [],
    );
  });
});

// ---- issue 17: Aliyun SMS ----------------------------------------------------------------------------------

describe('loadConfig: SMS_PROVIDER=aliyun', () => {
  const templates = Object.fromEntries(SMS_KINDS.map((k, i) => [k, `SMS_${200000 + i}`]));
  const ALIYUN = {
    SMS_PROVIDER: 'aliyun',
    ALIYUN_ACCESS_KEY_ID: 'LTAI5tExampleKeyId',
    ALIYUN_ACCESS_KEY_SECRET: 'example-access-key-secret',
    ALIYUN_SMS_SIGN_NAME: '售后服务',
    ALIYUN_SMS_TEMPLATES: JSON.stringify(templates),
  };
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aftercare-aliyun-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the settings, templates given inline, and builds the provider from them', () => {
    const cfg = loadConfig({ ...ALIYUN, ALIYUN_SMS_ENDPOINT: 'http://127.0.0.1:9', ALIYUN_SMS_PARAM_MAX_LENGTH: '20' });
    expect(cfg.sms.provider).toBe('aliyun');
    expect(cfg.sms.aliyun).toEqual({
      accessKeyId: 'LTAI5tExampleKeyId',
      accessKeySecret: 'example-access-key-secret',
      signName: '售后服务',
      templates,
      endpoint: 'http://127.0.0.1:9',
      paramMaxLength: 20,
    });
    expect(createSmsProvider(cfg.sms).name).toBe('aliyun');
    // Optional ones stay unset (the provider's defaults: dysmsapi.aliyuncs.com, 35).
    expect(loadConfig(ALIYUN).sms.aliyun).toMatchObject({ endpoint: undefined, paramMaxLength: undefined });
  });

  it('reads the templates from a JSON file when the value is a path', () => {
    const file = join(dir, 'aliyun-templates.json');
    writeFileSync(file, JSON.stringify(templates, null, 2));
    expect(loadConfig({ ...ALIYUN, ALIYUN_SMS_TEMPLATES: file }).sms.aliyun?.templates).toEqual(templates);
    expect(problemsOf({ ...ALIYUN, ALIYUN_SMS_TEMPLATES: join(dir, 'missing.json') })).toEqual([
      `ALIYUN_SMS_TEMPLATES=${JSON.stringify(join(dir, 'missing.json'))}: cannot read the file (ENOENT)`,
    ]);
  });

  it('names each missing variable once', () => {
    expect(problemsOf({ SMS_PROVIDER: 'aliyun' })).toEqual([
      'SMS_PROVIDER=aliyun needs ALIYUN_ACCESS_KEY_ID',
      'SMS_PROVIDER=aliyun needs ALIYUN_ACCESS_KEY_SECRET',
      'SMS_PROVIDER=aliyun needs ALIYUN_SMS_SIGN_NAME (the registered signature name)',
      'SMS_PROVIDER=aliyun needs ALIYUN_SMS_TEMPLATES (JSON object, or path of a JSON file, mapping each message kind to a template code)',
    ]);
    // Aliyun settings are not read for another provider.
    expect(problemsOf({ ALIYUN_SMS_TEMPLATES: '{' })).toEqual([]);
  });

  it('reports one message per kind without a template code, unknown kind and bad code', () => {
    const { survey: _s, tech_photo_reminder: _t, ...partial } = templates;
    expect(problemsOf({ ...ALIYUN, ALIYUN_SMS_TEMPLATES: JSON.stringify({ ...partial, delay: '模板一', visit: 'SMS_1' }) })).toEqual([
      `ALIYUN_SMS_TEMPLATES: 'delay': "模板一" is not an Aliyun template code (SMS_…)`,
      `ALIYUN_SMS_TEMPLATES: unknown message kind 'visit' (kinds: ${SMS_KINDS.join(', ')})`,
      "ALIYUN_SMS_TEMPLATES: no template code for 'survey'",
      "ALIYUN_SMS_TEMPLATES: no template code for 'tech_photo_reminder'",
    ]);
    expect(problemsOf({ ...ALIYUN, ALIYUN_SMS_TEMPLATES: '{"received": ' })).toEqual(['ALIYUN_SMS_TEMPLATES: not valid JSON']);
  });

  it.each([
    ['ALIYUN_SMS_SIGN_NAME', '【售后服务】', /expected the name without 【】/],
    ['ALIYUN_SMS_ENDPOINT', 'dysmsapi.aliyuncs.com', /expected an http\(s\) URL/],
    ['ALIYUN_SMS_ENDPOINT', 'https://dysmsapi.aliyuncs.com/sms', /expected scheme and host only/],
    ['ALIYUN_SMS_PARAM_MAX_LENGTH', '1', /expected an integer from 2 to 500/],
  ])('refuses %s=%j with one message naming it', (name, value, message) => {
    const problems = problemsOf({ ...ALIYUN, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${name}=${JSON.stringify(value)}`);
    expect(problems[0]).toMatch(message);
  });

  it('wants an https endpoint in production (requests carry customer data)', () => {
    const prod = { ...PROD, ...ALIYUN };
    expect(problemsOf(prod)).toEqual([]);
    expect(problemsOf({ ...prod, ALIYUN_SMS_ENDPOINT: 'http://dysmsapi.aliyuncs.com' })).toEqual([
      'ALIYUN_SMS_ENDPOINT="http://dysmsapi.aliyuncs.com": expected an https URL in production (requests carry customer data)',
    ]);
    expect(problemsOf({ ...prod, ALIYUN_SMS_ENDPOINT: 'https://dysmsapi.ap-southeast-1.aliyuncs.com' })).toEqual([]);
  });

  it('never echoes the access key secret', () => {
    const problems = problemsOf({ ...ALIYUN, ALIYUN_SMS_SIGN_NAME: '', ALIYUN_SMS_TEMPLATES: '{}' });
    expect(problems.length).toBeGreaterThan(1);
    expect(problems.join('\n')).not.toContain(ALIYUN.ALIYUN_ACCESS_KEY_SECRET);
  });
});
