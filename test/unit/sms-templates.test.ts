import { renderSms, SmsTemplateError, type SmsVarsByKind } from '../../src/adapters/sms/templates';
import { SMS_KINDS, type SmsKind } from '../../src/adapters/sms/types';

/** Full, realistic variables per kind (2024-06-12 was a Wednesday; 06:00Z = 14:00 in Shanghai). */
const VARS: { [K in SmsKind]: SmsVarsByKind[K] } = {
  received: { ticketNo: 'SR-20240612-0001', hotline: '400-800-1234' },
  assigned: { ticketNo: 'SR-20240612-0001', technicianName: '张伟', technicianNo: 'T1024', technicianPhone: '13900139000' },
  delay: { ticketNo: 'SR-20240612-0001', reason: '附近工程师均在服务中', expectedBy: '2024-06-12T06:00:00Z' },
  visit_booked: {
    ticketNo: 'SR-20240612-0001',
    technicianName: '张伟',
    technicianPhone: '13900139000',
    visitAt: '2024-06-12T06:00:00Z',
    visitEnd: '2024-06-12T08:00:00Z',
  },
  completed: { ticketNo: 'SR-20240612-0001', ratingLink: 'https://aftercare.example.com/r/abc123' },
  survey: { ticketNo: 'SR-20240612-0001', ratingLink: 'https://aftercare.example.com/r/abc123' },
  follow_up_apology: { ticketNo: 'SR-20240612-0001', contactWithinHours: 2 },
  cancelled: { ticketNo: 'SR-20240612-0001', reason: '客户已自行解决' },
  tech_assignment: {
    ticketNo: 'SR-20240612-0001',
    urgency: 'urgent',
    productModel: 'JSQ25-13 燃气热水器',
    problem: '点火后约10分钟熄火',
    address: '上海市浦东新区世纪大道100号',
    acceptBy: '2024-06-12T06:00:00Z',
  },
  tech_photo_reminder: { ticketNo: 'SR-20240612-0001', missingPhotos: ['after', 'signature'] },
  escalation_warning: { ticketNo: 'SR-20240612-0001', milestone: 'dispatch', dueAt: '2024-06-12T06:00:00Z', urgency: 'critical' },
  escalation_breach: { ticketNo: 'SR-20240612-0001', milestone: 'on_site', level: 2, overdueMs: 65 * 60_000, urgency: 'normal' },
  ops_alert: { summary: 'SMS provider twilio failing for 15 min', ticketNo: 'SR-20240612-0001' },
};

describe('renderSms', () => {
  describe.each(['zh', 'en'] as const)('%s', (lang) => {
    it.each([...SMS_KINDS])('renders %s', (kind) => {
      const text = renderSms(kind, lang, VARS[kind]);
      expect(text.startsWith(lang === 'zh' ? '【Aftercare】' : '[Aftercare] ')).toBe(true);
      expect(text).toContain('SR-20240612-0001');
      expect(text).not.toMatch(/undefined|null|NaN|\[object/);
      expect(text).not.toMatch(/\s{2,}/);
      // No Chinese punctuation leaking into English texts (the sample values themselves carry none).
      if (lang === 'en') expect(text).not.toMatch(/[，。：（）「」、]/);
    });
  });

  it('defaults to Chinese', () => {
    expect(renderSms('received', undefined, VARS.received)).toBe(renderSms('received', 'zh', VARS.received));
  });

  it('writes the acknowledgement like a service centre would', () => {
    expect(renderSms('received', 'zh', VARS.received)).toBe(
      '【Aftercare】您的服务单 SR-20240612-0001 已受理，我们将尽快安排工程师与您联系，请保持电话畅通。如有疑问请致电 400-800-1234。',
    );
    expect(renderSms('received', 'en', { ticketNo: 'SR-1' })).toBe(
      '[Aftercare] Your service request SR-1 has been received. We will arrange a technician to contact you shortly; please keep your phone available.',
    );
  });

  it('names the technician with work number and phone', () => {
    const zh = renderSms('assigned', 'zh', VARS.assigned);
    expect(zh).toContain('工程师张伟（工号 T1024，电话 13900139000）');
    const en = renderSms('assigned', 'en', VARS.assigned);
    expect(en).toContain('Technician 张伟 (ID T1024, tel. 13900139000)');
  });

  it('formats visit times in the given IANA zone (default Asia/Shanghai)', () => {
    expect(renderSms('visit_booked', 'zh', VARS.visit_booked)).toContain('6月12日（周三）14:00–16:00');
    expect(renderSms('visit_booked', 'en', VARS.visit_booked)).toContain('Wed 12 Jun, 14:00–16:00');
    const london = renderSms('visit_booked', 'en', { ...VARS.visit_booked, timeZone: 'Europe/London' });
    expect(london).toContain('Wed 12 Jun, 07:00–09:00');
    // A window crossing local midnight shows both ends in full.
    const late = renderSms('visit_booked', 'zh', {
      ...VARS.visit_booked,
      visitAt: '2024-06-12T15:00:00Z',
      visitEnd: '2024-06-12T16:30:00Z',
    });
    expect(late).toContain('6月12日（周三）23:00 – 6月13日（周四）00:30');
    expect(renderSms('visit_booked', 'zh', { ...VARS.visit_booked, rescheduled: true })).toContain('上门时间已改约为');
    expect(
      renderSms('visit_booked', 'en', { ...VARS.visit_booked, visitAt: new Date('2024-06-12T06:00:00Z'), visitEnd: undefined }),
    ).toContain('is booked for Wed 12 Jun, 14:00.');
  });

  it('carries the rating link, delay notice and escalation details', () => {
    expect(renderSms('completed', 'zh', VARS.completed)).toContain('https://aftercare.example.com/r/abc123');
    expect(renderSms('survey', 'en', VARS.survey)).toContain('https://aftercare.example.com/r/abc123');
    expect(renderSms('delay', 'zh', VARS.delay)).toContain('预计 6月12日（周三）14:00 前与您联系');
    expect(renderSms('delay', 'en', { ticketNo: 'SR-1' })).toContain('as soon as possible');
    expect(renderSms('follow_up_apology', 'zh', VARS.follow_up_apology)).toContain('在 2 小时内');
    expect(renderSms('tech_assignment', 'zh', VARS.tech_assignment)).toContain('（加急）');
    expect(renderSms('tech_photo_reminder', 'zh', VARS.tech_photo_reminder)).toContain('服务后照片、客户签字服务单');
    expect(renderSms('escalation_warning', 'zh', VARS.escalation_warning)).toContain('「派工」时限将于 6月12日（周三）14:00 到期');
    expect(renderSms('escalation_breach', 'zh', VARS.escalation_breach)).toContain('已超时 1小时5分钟，已升级至 2 级（服务主管/技术支持）');
    expect(renderSms('escalation_breach', 'en', VARS.escalation_breach)).toContain('1 h 5 min past its on-site visit deadline');
    expect(renderSms('escalation_breach', 'en', { ...VARS.escalation_breach, overdueMs: 26 * 3_600_000 })).toContain(' 1 d 2 h past');
    // Paged the moment the deadline breaks: no made-up lateness.
    expect(renderSms('escalation_breach', 'zh', { ...VARS.escalation_breach, overdueMs: 0 })).toContain('时限已到期未完成，已升级至 2 级');
    expect(renderSms('escalation_breach', 'en', { ...VARS.escalation_breach, overdueMs: 0 })).toContain(
      'has reached its on-site visit deadline unmet',
    );
  });

  it('flattens line breaks in free text', () => {
    expect(renderSms('cancelled', 'zh', { ticketNo: 'SR-1', reason: '客户\n  改期' })).toContain('（原因：客户 改期）');
  });

  it('names every missing variable', () => {
    const call = () => renderSms('assigned', 'zh', { ticketNo: 'SR-1', technicianName: ' ' } as SmsVarsByKind['assigned']);
    expect(call).toThrow(SmsTemplateError);
    expect(call).toThrow("SMS template 'assigned' (zh) is missing variable(s): technicianName, technicianNo, technicianPhone");
    expect(() => renderSms('tech_photo_reminder', 'en', { ticketNo: 'SR-1', missingPhotos: [] })).toThrow(/missingPhotos/);
    expect(() => renderSms('completed', 'en', {} as SmsVarsByKind['completed'])).toThrow(/ticketNo, ratingLink/);
  });

  it('refuses unusable values clearly', () => {
    expect(() => renderSms('visit_booked', 'zh', { ...VARS.visit_booked, timeZone: 'Mars/Olympus' })).toThrow(/Mars\/Olympus/);
    expect(() => renderSms('visit_booked', 'zh', { ...VARS.visit_booked, visitAt: 'tomorrow-ish' })).toThrow(/not a valid time/);
    expect(() => renderSms('tech_assignment', 'zh', { ...VARS.tech_assignment, urgency: 'asap' as never })).toThrow(/urgency=asap/);
    expect(() => renderSms('nope' as SmsKind, 'zh', VARS.received)).toThrow(/unknown SMS kind/);
    expect(() => renderSms('received', 'fr' as never, VARS.received)).toThrow(/language/);
  });
});
