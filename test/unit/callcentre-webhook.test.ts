/**
 * Issue 16, findings 3 and 5: the call-centre and escalation webhooks are signed with their own secrets (never the
 * rating-link secret), over a timestamp and the body, and never follow redirects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import pino from 'pino';
import { WebhookCallCentre, type CallbackTask } from '../../src/adapters/callcentre';
import { verifyWebhookSignature } from '../../src/adapters/sms/webhook';
import { loadConfig } from '../../src/config';
import { activityDepsFromConfig } from '../../src/runtime/activityDeps';
import { json, startTestServer, type TestServer } from './sms-testServer';

const RATING_SECRET = 'rating-secret-only-for-links-0123456789';
const CALL_CENTRE_SECRET = 'call-centre-secret-0123456789abcdef';
const ESCALATION_SECRET = 'escalation-secret-0123456789abcdef';

const task: CallbackTask = {
  key: 'sr-CRM-1:callback',
  requestId: 'sr-CRM-1',
  ticketNo: 'T-CRM-1',
  phone: '+8613800138000',
  dueAt: '2025-06-02T02:00:00.000Z',
  ratingUrl: 'http://localhost:3000/r/x',
  language: 'zh',
};

const dir = mkdtempSync(join(tmpdir(), 'aftercare-hooks-'));
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function receiver(status = 202): Promise<TestServer> {
  const s = await startTestServer((_req, res) => json(res, status, {}));
  servers.push(s);
  return s;
}

/** A receiver that redirects every call to `to`. */
async function redirecting(to: string): Promise<TestServer> {
  const s = await startTestServer((_req, res) => {
    res.writeHead(307, { location: to });
    res.end();
  });
  servers.push(s);
  return s;
}

const fresh = (ts: string | string[] | undefined) => Math.abs(Number(ts) - Date.now() / 1000) < 600;

describe('WebhookCallCentre', () => {
  test('signs each call-back task with its own secret over the timestamp and the body', async () => {
    const r = await receiver();
    await expect(new WebhookCallCentre(`${r.url}/tasks`, CALL_CENTRE_SECRET).createTask(task)).resolves.toBe('created');
    const [req] = r.requests;
    expect(req!.headers['idempotency-key']).toBe(task.key);
    expect(req!.headers['x-aftercare-timestamp']).toMatch(/^\d+$/);
    expect(fresh(req!.headers['x-aftercare-timestamp'])).toBe(true);
    const sig = req!.headers['x-aftercare-signature'];
    expect(verifyWebhookSignature(req!.body, sig, CALL_CENTRE_SECRET, { timestamp: req!.headers['x-aftercare-timestamp'] })).toBe(true);
    expect(verifyWebhookSignature(req!.body, sig, RATING_SECRET, { timestamp: req!.headers['x-aftercare-timestamp'] })).toBe(false);
  });

  test("does not follow a redirect with the customer's phone number in the body", async () => {
    const elsewhere = await receiver(200);
    const r = await redirecting(`${elsewhere.url}/collect`);
    await expect(new WebhookCallCentre(`${r.url}/tasks`, CALL_CENTRE_SECRET).createTask(task)).rejects.toThrow(/redirect/);
    expect(elsewhere.requests).toHaveLength(0);
  });

  test('refuses to run without a secret', () => {
    expect(() => new WebhookCallCentre('http://127.0.0.1:9/tasks', '')).toThrow(/secret/);
  });
});

describe('escalation webhooks (activityDeps.postWebhook)', () => {
  const env = {
    RATING_LINK_SECRET: RATING_SECRET,
    SMS_OUTBOX_FILE: join(dir, 'outbox.jsonl'),
    PHOTO_STORAGE_DIR: join(dir, 'photos'),
  };
  const depsFor = (extra: Record<string, string>) =>
    activityDepsFromConfig(loadConfig({ ...env, ...extra }), {} as Client, pino({ level: 'silent' }), 'Asia/Shanghai');
  const page = { type: 'escalation_breach', requestId: 'sr-CRM-1', level: 2 };

  test('are signed with ESCALATION_WEBHOOK_SECRET over the timestamp and the body, never with the rating secret', async () => {
    const r = await receiver(200);
    await depsFor({ ESCALATION_WEBHOOK_SECRET: ESCALATION_SECRET }).postWebhook!(`${r.url}/page`, page, 'sr-CRM-1:escalation_breach:L2:1');
    const [req] = r.requests;
    const ts = req!.headers['x-aftercare-timestamp'];
    expect(fresh(ts)).toBe(true);
    expect(verifyWebhookSignature(req!.body, req!.headers['x-aftercare-signature'], ESCALATION_SECRET, { timestamp: ts })).toBe(true);
    expect(verifyWebhookSignature(req!.body, req!.headers['x-aftercare-signature'], RATING_SECRET, { timestamp: ts })).toBe(false);
  });

  test('without ESCALATION_WEBHOOK_SECRET nothing is sent (no fallback to the rating secret)', async () => {
    const r = await receiver(200);
    await expect(depsFor({}).postWebhook!(`${r.url}/page`, page, 'k1')).rejects.toThrow(/ESCALATION_WEBHOOK_SECRET/);
    expect(r.requests).toHaveLength(0);
  });

  test('do not follow redirects', async () => {
    const elsewhere = await receiver(200);
    const r = await redirecting(`${elsewhere.url}/collect`);
    await expect(depsFor({ ESCALATION_WEBHOOK_SECRET: ESCALATION_SECRET }).postWebhook!(`${r.url}/page`, page, 'k2')).rejects.toThrow(
      /redirect/,
    );
    expect(elsewhere.requests).toHaveLength(0);
  });

  test('refuse plain http in production', async () => {
    const r = await receiver(200);
    const deps = depsFor({ ESCALATION_WEBHOOK_SECRET: ESCALATION_SECRET });
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await expect(deps.postWebhook!(`${r.url}/page`, page, 'k3')).rejects.toThrow(/https/);
    } finally {
      process.env.NODE_ENV = before;
    }
    expect(r.requests).toHaveLength(0);
  });
});
