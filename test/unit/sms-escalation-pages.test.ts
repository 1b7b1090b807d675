/**
 * Escalation pages (activities/escalate.ts): warnings and breaches have their own SMS kinds; every other notice
 * (no candidate, unresolved, missing photos, unreached call-back, failed SMS, and lifecycle 4's overdue parts and
 * expired quotes) is paged as an ops alert naming ticket, level and reason, in Chinese, plus the contact's webhook.
 */
import pino from 'pino';
import type { ActivityDeps } from '../../activities';
import type { EscalationNotice } from '../../activities/contract';
import { escalateActivities } from '../../activities/escalate';
import { aliyunTemplateParams } from '../../src/adapters/sms/aliyunTemplates';
import type { SmsMessage } from '../../src/adapters/sms/types';

const WAREHOUSE = {
  level: 1 as const,
  role: 'warehouse',
  name: '备件仓 李工',
  phone: '+8613900139009',
  webhookUrl: 'https://hooks.example.com/wh',
};
const LEAD = { level: 1 as const, role: 'dispatch_lead', name: '派工组长', phone: '+8613900139001' };

function page(n: Partial<EscalationNotice> & Pick<EscalationNotice, 'kind'>) {
  const sent: SmsMessage[] = [];
  const hooks: { url: string; body: Record<string, unknown>; key: string }[] = [];
  const deps = {
    sms: {
      name: 'fake',
      send: async (m: SmsMessage) => {
        sent.push(m);
        return { status: 'sent' as const };
      },
    },
    postWebhook: async (url: string, body: unknown, key: string) => {
      hooks.push({ url, body: body as Record<string, unknown>, key });
    },
    timeZone: 'Asia/Shanghai',
    logger: pino({ level: 'silent' }),
  } as unknown as ActivityDeps;
  const notice: EscalationNotice = { requestId: 'sr-1', ticket: 'SR-20240612-0001', seq: 3, level: 1, contact: LEAD, ...n };
  return { run: () => escalateActivities(deps).notifyEscalation(notice), sent, hooks };
}

describe('notifyEscalation', () => {
  it.each([
    ['callback_unreached', undefined, '【Aftercare】运维告警：SR-20240612-0001 L1 callback_unreached（服务单 SR-20240612-0001）'],
    ['photos_missing', 'signature', '【Aftercare】运维告警：SR-20240612-0001 L1 photos_missing: signature（服务单 SR-20240612-0001）'],
    ['parts_overdue', '热电偶 ×1', '【Aftercare】运维告警：SR-20240612-0001 L1 parts_overdue: 热电偶 ×1（服务单 SR-20240612-0001）'],
    ['quote_expired', undefined, '【Aftercare】运维告警：SR-20240612-0001 L1 quote_expired（服务单 SR-20240612-0001）'],
  ] as const)('%s is paged as an ops alert naming ticket, level and reason', async (kind, detail, text) => {
    const p = page({ kind, ...(detail ? { detail } : {}) });
    await p.run();
    expect(p.sent).toHaveLength(1);
    expect(p.sent[0]).toMatchObject({ to: LEAD.phone, kind: 'ops_alert', text, idempotencyKey: 'sr-1:ops_alert:L1:3', requestId: 'sr-1' });
    // The same variables fill the Aliyun template, within its limits.
    const params = aliyunTemplateParams('ops_alert', p.sent[0]!.vars ?? {});
    expect(params.ticket).toBe('SR-20240612-0001');
    expect([...params.summary].length).toBeLessThanOrEqual(35);
  });

  it.each([
    ['parts_overdue', '热电偶 ×1', 'SR-20240612-0001 L1 parts_overdue:…'],
    ['quote_expired', undefined, 'SR-20240612-0001 L1 quote_expired'],
  ] as const)('%s keeps its reason within the Aliyun summary limit (35)', async (kind, detail, summary) => {
    const p = page({ kind, ...(detail ? { detail } : {}) });
    await p.run();
    expect(aliyunTemplateParams('ops_alert', p.sent[0]!.vars ?? {})).toEqual({ ticket: 'SR-20240612-0001', summary });
  });

  it('pages overdue parts to the warehouse contact by SMS and webhook', async () => {
    const p = page({ kind: 'parts_overdue', milestone: 'parts', dueAt: '2024-06-14T10:00:00Z', detail: '热电偶 ×1', contact: WAREHOUSE });
    await p.run();
    expect(p.sent.map((m) => [m.to, m.kind])).toEqual([[WAREHOUSE.phone, 'ops_alert']]);
    expect(p.sent[0]!.text).toContain('parts_overdue: 热电偶 ×1');
    expect(p.hooks).toEqual([
      {
        url: WAREHOUSE.webhookUrl,
        key: 'sr-1:ops_alert:L1:3',
        body: {
          type: 'ops_alert',
          kind: 'parts_overdue',
          requestId: 'sr-1',
          ticket: 'SR-20240612-0001',
          seq: 3,
          level: 1,
          milestone: 'parts',
          dueAt: '2024-06-14T10:00:00Z',
          detail: '热电偶 ×1',
          // The contact's role and level only: no name or phone in the payload.
          contact: { role: 'warehouse', level: 1 },
        },
      },
    ]);
  });

  it('pages an expired quote with its webhook payload; no webhook without a URL', async () => {
    const withHook = page({
      kind: 'quote_expired',
      milestone: 'quote',
      contact: { ...LEAD, webhookUrl: 'https://hooks.example.com/lead' },
    });
    await withHook.run();
    expect(withHook.hooks).toHaveLength(1);
    expect(withHook.hooks[0]!.body).toMatchObject({
      type: 'ops_alert',
      kind: 'quote_expired',
      milestone: 'quote',
      contact: { role: 'dispatch_lead', level: 1 },
    });
    expect(withHook.hooks[0]!.body).not.toHaveProperty('contact.phone');

    const without = page({ kind: 'quote_expired', milestone: 'quote' });
    await without.run();
    expect(without.sent[0]!.text).toBe('【Aftercare】运维告警：SR-20240612-0001 L1 quote_expired（服务单 SR-20240612-0001）');
    expect(without.hooks).toEqual([]);
  });
});
