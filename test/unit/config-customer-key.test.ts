/**
 * CUSTOMER_KEY_SECRET (customer history): the rules of RATING_LINK_SECRET — a dev value on loopback only, required
 * and strength-checked wherever the API is exposed, messages that never echo it — and a value of its own.
 */
import { ConfigError, DEV_CUSTOMER_KEY_SECRET, loadConfig } from '../../src/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

/** `openssl rand -hex 32` outputs, fixed. */
const RATING = '653403fabc48d26d7e9d926b4f3a790dccd40c64f7da301b58a8cd83113228da';
const CUSTOMER = '8c2e71d04b9f36a5e1d7c08b42f9a63e5d1b7c94a0e26f83b5c9d14e7a02f6b8';
const PROD = { NODE_ENV: 'production', RATING_LINK_SECRET: RATING, METRICS_TOKEN: 'metrics-scrape-token-0123456789' };
const customerProblems = (env: NodeJS.ProcessEnv) => problemsOf(env).filter((p) => p.includes('CUSTOMER_KEY_SECRET'));

test('on loopback outside production the built-in dev value applies; any explicit value is taken', () => {
  expect(problemsOf({})).toEqual([]);
  expect(loadConfig({}).customerKeySecret).toBe(DEV_CUSTOMER_KEY_SECRET);
  expect(loadConfig({ HOST: '::1' }).customerKeySecret).toBe(DEV_CUSTOMER_KEY_SECRET);
  expect(loadConfig({ CUSTOMER_KEY_SECRET: 'local-customer-secret' }).customerKeySecret).toBe('local-customer-secret');
});

test.each([
  ['production', PROD],
  ['HOST beyond loopback', { HOST: '0.0.0.0', RATING_LINK_SECRET: RATING }],
])('is required when exposed (%s), with a message that says why and not to change it', (_what, env) => {
  expect(problemsOf(env)).toEqual([expect.stringMatching(/^CUSTOMER_KEY_SECRET must be set .*never change it/)]);
  expect(problemsOf({ ...env, CUSTOMER_KEY_SECRET: CUSTOMER })).toEqual([]);
  expect(loadConfig({ ...env, CUSTOMER_KEY_SECRET: CUSTOMER }).customerKeySecret).toBe(CUSTOMER);
});

test.each([
  ['too short', 'correct-horse-battery'],
  ['one character repeated', 'b'.repeat(64)],
  ['a sequence', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF'],
  ['the dev value', DEV_CUSTOMER_KEY_SECRET],
  ['a placeholder', 'please-change-me-before-going-live-0123'],
])('refuses a weak value when exposed (%s), without echoing it', (_what, secret) => {
  for (const env of [
    { ...PROD, CUSTOMER_KEY_SECRET: secret },
    { HOST: '0.0.0.0', RATING_LINK_SECRET: RATING, CUSTOMER_KEY_SECRET: secret },
  ]) {
    const problems = problemsOf(env);
    expect(problems).toEqual([expect.stringMatching(/^CUSTOMER_KEY_SECRET is too weak/)]);
    expect(problems[0]).not.toContain(secret);
  }
});

test('must differ from RATING_LINK_SECRET and from every webhook secret, on loopback too', () => {
  expect(customerProblems({ RATING_LINK_SECRET: RATING, CUSTOMER_KEY_SECRET: RATING })).toEqual([
    'CUSTOMER_KEY_SECRET must differ from RATING_LINK_SECRET',
  ]);
  expect(customerProblems({ ...PROD, CUSTOMER_KEY_SECRET: RATING })).toEqual(['CUSTOMER_KEY_SECRET must differ from RATING_LINK_SECRET']);
  const base = { RATING_LINK_SECRET: RATING, CUSTOMER_KEY_SECRET: CUSTOMER };
  expect(problemsOf({ ...base, ESCALATION_WEBHOOK_SECRET: CUSTOMER })).toEqual([
    expect.stringMatching(/^ESCALATION_WEBHOOK_SECRET must differ from CUSTOMER_KEY_SECRET/),
  ]);
  expect(problemsOf({ ...base, CALL_CENTRE_WEBHOOK_URL: 'http://127.0.0.1:9/cc', CALL_CENTRE_WEBHOOK_SECRET: CUSTOMER })).toEqual([
    expect.stringMatching(/^CALL_CENTRE_WEBHOOK_SECRET must differ from CUSTOMER_KEY_SECRET/),
  ]);
  expect(problemsOf({ ...base, SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: 'http://127.0.0.1:9/sms', SMS_WEBHOOK_SECRET: CUSTOMER })).toEqual(
    [expect.stringMatching(/^SMS_WEBHOOK_SECRET must differ from CUSTOMER_KEY_SECRET/)],
  );
  // The built-in dev values differ from each other: `npm start` with no settings starts.
  expect(customerProblems({})).toEqual([]);
});
