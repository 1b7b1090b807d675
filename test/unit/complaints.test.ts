/**
 * Lifecycle 5, complaints: the pure rules (accountability, repeat window, the ticket → id candidates of a link) and
 * where a closed product complaint's feedback goes — one JSON line per event in a file by default (a retry, also
 * from a fresh process, adds none), or a webhook signed with COMPLAINT_FEEDBACK_WEBHOOK_SECRET (its own key,
 * required with the URL; 409 = already there).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import pino from 'pino';
import { FileComplaintFeedback, WebhookComplaintFeedback } from '../../src/adapters/complaintFeedback';
import { verifyWebhookSignature } from '../../src/adapters/sms/webhook';
import { candidateIds } from '../../src/api/complaintLink';
import { loadConfig } from '../../src/config';
import { loadPolicyFile } from '../../src/policy';
import {
  closingProblems,
  complaintFeedbackEventId,
  needsProductFeedback,
  repeatOf,
  type ComplaintFeedbackEvent,
} from '../../src/domain/complaints';
import type { EarlierRequest } from '../../src/domain/lifecycle/view';
import { activityDepsFromConfig } from '../../src/runtime/activityDeps';
import { json, startTestServer, type TestServer } from './sms-testServer';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-10T02:00:00.000Z');

describe('rules', () => {
  test('service complaints close only with an accountability outcome; product and other complaints without', () => {
    for (const c of ['service_attitude', 'timeliness', 'charges'] as const) {
      expect(closingProblems(c, {})).toEqual([{ path: 'accountability', message: expect.stringContaining(c) }]);
      expect(closingProblems(c, { accountability: { responsible: { kind: 'department', name: '二组' }, action: '整改' } })).toEqual([]);
    }
    expect(closingProblems('product_quality', {})).toEqual([]);
    expect(closingProblems('other', {})).toEqual([]);
    expect(needsProductFeedback('product_quality')).toBe(true);
    expect(needsProductFeedback('charges')).toBe(false);
  });

  test('a repeat: the latest earlier complaint started within the window; repairs, older and later ones do not count', () => {
    const e = (id: string, daysAgo: number, type: EarlierRequest['type']): EarlierRequest => ({
      requestId: id,
      ticket: id.toUpperCase(),
      startedAt: new Date(NOW - daysAgo * DAY).toISOString(),
      type,
      sameProduct: false,
    });
    const window = 30 * DAY;
    expect(repeatOf([e('c1', 20, 'complaint'), e('c2', 5, 'complaint'), e('r1', 1, 'repair')], NOW, window)?.requestId).toBe('c2');
    expect(repeatOf([e('c0', 31, 'complaint'), e('r1', 1, 'repair')], NOW, window)).toBeUndefined();
    expect(repeatOf([e('c9', -1, 'complaint')], NOW, window)).toBeUndefined();
    expect(repeatOf([{ ...e('old', 2, 'complaint'), type: undefined }], NOW, window)).toBeUndefined();
    expect(repeatOf(undefined, NOW, window)).toBeUndefined();
  });

  test("a link's candidate ids: an id as given; a ticket through the history or the integration's key", () => {
    expect(candidateIds('sr-crm-CRM-1001', 'crm')).toEqual(['sr-crm-CRM-1001']);
    expect(candidateIds('CRM-CRM-1001', 'crm')).toEqual(['sr-crm-CRM-1001', 'sr-crm-crm-1001', 'sr-CRM-CRM-1001']);
    const history: EarlierRequest[] = [
      { requestId: 'sr-crm-Ab-7', ticket: 'CRM-AB-7', startedAt: '2026-03-01T00:00:00.000Z', sameProduct: true },
    ];
    expect(candidateIds('crm-ab-7', 'crm', history)[0]).toBe('sr-crm-Ab-7');
  });

  test('the event id is derived from the request id', () => {
    expect(complaintFeedbackEventId('sr-crm-C-1')).toBe('sr-crm-C-1:complaint-feedback');
  });
});

const event = (requestId = 'sr-crm-C-1'): ComplaintFeedbackEvent => ({
  eventId: complaintFeedbackEventId(requestId),
  type: 'complaint.product_feedback',
  requestId,
  ticket: requestId.slice(3).toUpperCase(),
  classification: 'product_quality',
  product: { model: 'JSQ25-13A', category: 'gas_water_heater', purchaseDate: '2024-03-18' },
  problem: '热交换器漏水',
  closedAt: new Date(NOW).toISOString(),
});

const dir = mkdtempSync(join(tmpdir(), 'aftercare-complaints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileComplaintFeedback (the default)', () => {
  test('one line per event: a retry, concurrent or from a fresh process, writes none', async () => {
    const file = join(dir, 'a', 'complaint-feedback.jsonl');
    const sink = new FileComplaintFeedback(file);
    expect(await Promise.all([sink.send(event()), sink.send(event())])).toEqual(['delivered', 'duplicate']);
    expect(await new FileComplaintFeedback(file).send(event())).toBe('duplicate');
    expect(await sink.send(event('sr-crm-C-2'))).toBe('delivered');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { eventId: string });
    expect(lines.map((l) => l.eventId)).toEqual(['sr-crm-C-1:complaint-feedback', 'sr-crm-C-2:complaint-feedback']);
  });

  test('a torn last line (a crash mid-append) is not an event: the retry writes it whole', async () => {
    const file = join(dir, 'torn.jsonl');
    writeFileSync(file, '{"eventId":"sr-crm-C-1:compl');
    expect(await new FileComplaintFeedback(file).send(event())).toBe('delivered');
  });
});

describe('WebhookComplaintFeedback', () => {
  const SECRET = 'complaint-feedback-secret-0123456789ab';
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  const receiver = async (status: number) => {
    const s = await startTestServer((_req, res) => json(res, status, {}));
    servers.push(s);
    return s;
  };

  test('signed with its own secret over the timestamp and the body, the event id as Idempotency-Key', async () => {
    const r = await receiver(202);
    expect(await new WebhookComplaintFeedback(`${r.url}/events`, SECRET).send(event())).toBe('delivered');
    const [req] = r.requests;
    expect(req!.headers['idempotency-key']).toBe('sr-crm-C-1:complaint-feedback');
    const ts = req!.headers['x-aftercare-timestamp'];
    expect(verifyWebhookSignature(req!.body, req!.headers['x-aftercare-signature'], SECRET, { timestamp: ts })).toBe(true);
    expect(JSON.parse(req!.body)).toEqual(event());
  });

  test('409 is the receiver having it already; 5xx fails (the activity retries)', async () => {
    expect(await new WebhookComplaintFeedback(`${(await receiver(409)).url}/e`, SECRET).send(event())).toBe('duplicate');
    await expect(new WebhookComplaintFeedback(`${(await receiver(503)).url}/e`, SECRET).send(event())).rejects.toThrow(/503/);
  });

  test('configuration: the URL needs its own secret; with both, the worker posts there instead of the file', async () => {
    const env = { SMS_OUTBOX_FILE: join(dir, 'outbox.jsonl'), PHOTO_STORAGE_DIR: join(dir, 'photos') };
    expect(() => loadConfig({ ...env, COMPLAINT_FEEDBACK_WEBHOOK_URL: 'http://127.0.0.1:9/e' })).toThrow(
      /COMPLAINT_FEEDBACK_WEBHOOK_SECRET/,
    );
    const deps = (extra: Record<string, string>) =>
      activityDepsFromConfig(loadConfig({ ...env, ...extra }), {} as Client, pino({ level: 'silent' }), 'Asia/Shanghai');
    expect(deps({}).complaintFeedback).toBeInstanceOf(FileComplaintFeedback);
    expect((deps({}).complaintFeedback as FileComplaintFeedback).file).toBe(join(dir, 'complaint-feedback.jsonl'));
    const r = await receiver(200);
    const hooked = deps({ COMPLAINT_FEEDBACK_WEBHOOK_URL: `${r.url}/e`, COMPLAINT_FEEDBACK_WEBHOOK_SECRET: SECRET }).complaintFeedback;
    expect(hooked.via).toBe('webhook');
    await hooked.send(event());
    expect(r.requests).toHaveLength(1);
  });
});

describe('policy `complaints`', () => {
  test('the shipped policy: a 30-day repeat window and each step its deadline (elapsed)', () => {
    const p = loadPolicyFile(join(__dirname, '../../policy/default.yaml'));
    const h = (n: number) => ({ ms: n * 3_600_000, business: false, text: `${n}h` });
    expect(p.complaints).toEqual({
      repeatWindow: { ms: 30 * DAY, business: false, text: '30 days' },
      deadlines: { analysis: h(24), solution: h(24), implementation: h(48), feedback: h(24) },
    });
  });
});
