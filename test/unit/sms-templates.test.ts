import { renderSms, SmsTemplateError, type SmsVarsByKind } from '../../src/adapters/sms/templates';
import { SMS_KINDS, type SmsKind } from '../../src/adapters/sms/types';

/** A quote as the workflow sends it (lifecycle 4): amounts formatted from fen; due 2024-06-13 14:00 in Shanghai (a Thursday). */
const QUOTE = {
  total: '268.00',
  currency: 'CNY',
  labour: '120.00',
  parts: '148.00',
  quoteLink: 'https://aftercare.example.com/q/abc123',
  expiresAt: '2024-06-13T06:00:00Z',
};

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
  visit_reminder: { ticketNo: 'SR-20240612-0001', technicianName: '张伟', technicianPhone: '13900139000', visitAt: '2024-06-12T06:00:00Z' },
  completed: { ticketNo: 'SR-20240612-0001', ratingLink: 'https://aftercare.example.com/r/abc123' },
  survey: { ticketNo: 'SR-20240612-0001', ratingLink: 'https://aftercare.example.com/r/abc123' },
  revisit: { ticketNo: 'SR-20240612-0001' },
  follow_up_apology: { ticketNo: 'SR-20240612-0001', contactWithinHours: 2 },
  cancelled: { ticketNo: 'SR-20240612-0001', reason: '客户已自行解决' },
  quote: { ticketNo: 'SR-20240612-0001', ...QUOTE },
  quote_reminder: { ticketNo: 'SR-20240612-0001', ...QUOTE },
  quote_declined: { ticketNo: 'SR-20240612-0001', visitFee: '30.00', currency: 'CNY' },
  parts_expected: { ticketNo: 'SR-20240612-0001', expectedBy: '2024-06-14T10:00:00Z', partNames: '热电偶 ×1' },
  parts_delayed: { ticketNo: 'SR-20240612-0001', expectedBy: '2024-06-14T10:00:00Z', newExpectedBy: '2024-06-17T10:00:00Z' },
  parts_arrived: { ticketNo: 'SR-20240612-0001' },
  completed_report: {
    ticketNo: 'SR-20240612-0001',
    ratingLink: 'https://aftercare.example.com/r/abc123',
    reportLink: 'https://aftercare.example.com/report/def456',
  },
  return_accepted: { ticketNo: 'SR-20240612-0001', kind: 'return', day: 3, countedFrom: 'delivery' },
  return_refused: {
    ticketNo: 'SR-20240612-0001',
    kind: 'return',
    reason: 'window_passed',
    day: 20,
    window: 7,
    countedFrom: 'purchase',
    alternatives: ['repair'],
  },
  return_inspected: { ticketNo: 'SR-20240612-0001', kind: 'exchange', faultFound: true, faultCause: 'quality' },
  return_approved: { ticketNo: 'SR-20240612-0001', kind: 'exchange', outcome: 'replacement' },
  return_settled: { ticketNo: 'SR-20240612-0001', outcome: 'replacement', amount: '200.00', currency: 'CNY', direction: 'from_customer' },
  complaint_registered: { ticketNo: 'SR-20240612-0001' },
  complaint_analysed: { ticketNo: 'SR-20240612-0001' },
  complaint_solution: { ticketNo: 'SR-20240612-0001', solution: '向您致歉并免除本次上门费' },
  complaint_implemented: { ticketNo: 'SR-20240612-0001' },
  complaint_closed: { ticketNo: 'SR-20240612-0001' },
  tech_assignment: {
    ticketNo: 'SR-20240612-0001',
    urgency: 'urgent',
    productModel: 'JSQ25-13 燃气热水器',
    problem: '点火后约10分钟熄火',
    address: '上海市浦东新区世纪大道100号',
    acceptBy: '2024-06-12T06:00:00Z',
  },
  tech_visit_reminder: {
    ticketNo: 'SR-20240612-0001',
    visitAt: '2024-06-12T06:00:00Z',
    address: '上海市浦东新区世纪大道100号',
    productModel: 'JSQ25-13 燃气热水器',
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

  it("carries the status page link in a request's or a complaint's receipt, when there is one", () => {
    const statusLink = `https://aftercare.example.com/s/${'a'.repeat(118)}.${'b'.repeat(22)}`;
    expect(renderSms('received', 'zh', { ...VARS.received, statusLink })).toBe(
      `【Aftercare】您的服务单 SR-20240612-0001 已受理，我们将尽快安排工程师与您联系，请保持电话畅通。服务进度随时查询：${statusLink} 如有疑问请致电 400-800-1234。`,
    );
    expect(renderSms('received', 'zh', { ticketNo: 'SR-1', statusLink })).toMatch(new RegExp(`服务进度随时查询：${statusLink}$`));
    expect(renderSms('received', 'en', { ticketNo: 'SR-1', statusLink, hotline: '400-800-1234' })).toBe(
      '[Aftercare] Your service request SR-1 has been received. We will arrange a technician to contact you shortly; please keep your phone ' +
        `available. Check its progress at any time: ${statusLink} Questions? Call 400-800-1234.`,
    );
    expect(renderSms('complaint_registered', 'zh', { ticketNo: 'SR-1', statusLink })).toBe(
      `【Aftercare】您的投诉已登记（服务单 SR-1），我们将认真调查处理，并及时向您反馈处理进展。服务进度随时查询：${statusLink}`,
    );
    expect(renderSms('complaint_registered', 'en', { ticketNo: 'SR-1', statusLink })).toMatch(
      new RegExp(`keep you informed\\. Check its progress at any time: ${statusLink.replace(/\./g, '\\.')}$`),
    );
    // A real link (~170 characters) keeps the Chinese receipt within 4 concatenated SMS segments (67 characters each).
    expect([...renderSms('received', 'zh', { ...VARS.received, statusLink })].length).toBeLessThanOrEqual(4 * 67);
    // Blank means none: the text is the one without a link.
    expect(renderSms('received', 'zh', { ...VARS.received, statusLink: ' ' })).toBe(renderSms('received', 'zh', VARS.received));
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

  it('reminds the customer of the booked visit with the technician, and the technician with the job', () => {
    expect(renderSms('visit_reminder', 'zh', VARS.visit_reminder)).toBe(
      '【Aftercare】上门提醒：您的服务单 SR-20240612-0001 预约的上门时间为 6月12日（周三）14:00，工程师张伟（电话 13900139000）将准时上门，请届时留人在家。',
    );
    expect(renderSms('visit_reminder', 'en', { ...VARS.visit_reminder, hotline: '400-800-1234' })).toBe(
      '[Aftercare] Reminder: the visit for your service request SR-20240612-0001 is at Wed 12 Jun, 14:00. ' +
        'Technician 张伟 (tel. 13900139000) will arrive on time; please make sure someone is at home. Questions? Call 400-800-1234.',
    );
    // Same time format as visit_booked, in the message's zone.
    const booked = renderSms('visit_booked', 'en', { ...VARS.visit_booked, visitEnd: undefined, timeZone: 'Europe/London' });
    const reminder = renderSms('visit_reminder', 'en', { ...VARS.visit_reminder, timeZone: 'Europe/London' });
    expect(booked).toContain('Wed 12 Jun, 07:00.');
    expect(reminder).toContain('is at Wed 12 Jun, 07:00.');
    expect(renderSms('visit_reminder', 'zh', { ...VARS.visit_reminder, technicianPhone: undefined })).toContain('工程师张伟将准时上门');

    expect(renderSms('tech_visit_reminder', 'zh', VARS.tech_visit_reminder)).toBe(
      '【Aftercare】上门提醒：工单 SR-20240612-0001（JSQ25-13 燃气热水器）预约上门时间为 6月12日（周三）14:00，地址：上海市浦东新区世纪大道100号。请准时到达。',
    );
    expect(renderSms('tech_visit_reminder', 'en', VARS.tech_visit_reminder)).toContain(
      'job SR-20240612-0001 (JSQ25-13 燃气热水器) is booked for Wed 12 Jun, 14:00.',
    );
    expect(() => renderSms('tech_visit_reminder', 'zh', { ticketNo: 'SR-1' } as SmsVarsByKind['tech_visit_reminder'])).toThrow(
      "SMS template 'tech_visit_reminder' (zh) is missing variable(s): visitAt, address, productModel",
    );
    expect(() => renderSms('visit_reminder', 'en', { ticketNo: 'SR-1', visitAt: VARS.visit_reminder.visitAt } as never)).toThrow(
      /missing variable\(s\): technicianName$/,
    );
  });

  it('apologises and announces a second technician when a call-back finds the fault not fixed', () => {
    expect(renderSms('revisit', 'zh', { ticketNo: 'SR-1', hotline: '400-800-1234' })).toBe(
      '【Aftercare】非常抱歉，您的服务单 SR-1 的故障仍未排除。我们将重新安排工程师上门处理，工程师将尽快与您联系预约上门时间。如有疑问请致电 400-800-1234。',
    );
    expect(renderSms('revisit', 'en', { ticketNo: 'SR-1' })).toBe(
      '[Aftercare] We are sorry that the fault of your service request SR-1 has not been fixed. We are sending a technician again, ' +
        'who will contact you shortly to book a visit.',
    );
  });

  it('sends the quote with its total, breakdown, link and decision time (lifecycle 4)', () => {
    expect(renderSms('quote', 'zh', { ticketNo: 'SR-1', ...QUOTE, hotline: '400-800-1234' })).toBe(
      '【Aftercare】您的服务单 SR-1 工程师报价：合计 268.00 元（人工费 120.00 元，配件费 148.00 元）。' +
        '请于 6月13日（周四）14:00 前点击 https://aftercare.example.com/q/abc123 确认或拒绝报价。如有疑问请致电 400-800-1234。',
    );
    expect(renderSms('quote', 'en', { ticketNo: 'SR-1', ...QUOTE })).toBe(
      "[Aftercare] The technician's quote for your service request SR-1: CNY 268.00 in total (labour CNY 120.00, parts CNY 148.00). " +
        'Please approve or decline it at https://aftercare.example.com/q/abc123 by Thu 13 Jun, 14:00.',
    );
    // The breakdown shows what is given; none without either.
    const bare = { ticketNo: 'SR-1', ...QUOTE, labour: undefined, parts: undefined };
    expect(renderSms('quote', 'zh', bare)).toContain('合计 268.00 元。请于');
    expect(renderSms('quote', 'en', bare)).toContain('CNY 268.00 in total. Please');
    expect(renderSms('quote', 'zh', { ...bare, parts: '148.00' })).toContain('合计 268.00 元（配件费 148.00 元）。');
    expect(renderSms('quote', 'en', { ...bare, labour: '120.00' })).toContain('CNY 268.00 in total (labour CNY 120.00).');
    // Other currencies by their code, in both languages; the decision time in the message's zone.
    expect(renderSms('quote', 'zh', { ...bare, currency: 'USD', total: '1,268.50' })).toContain('合计 USD 1,268.50。');
    expect(renderSms('quote', 'en', { ...bare, timeZone: 'Europe/London' })).toContain('by Thu 13 Jun, 07:00.');
  });

  it('reminds the customer that the quote awaits their decision', () => {
    expect(renderSms('quote_reminder', 'zh', { ticketNo: 'SR-1', ...QUOTE })).toBe(
      '【Aftercare】报价提醒：您的服务单 SR-1 的维修报价（合计 268.00 元，人工费 120.00 元，配件费 148.00 元）尚待您确认。' +
        '请于 6月13日（周四）14:00 前点击 https://aftercare.example.com/q/abc123 确认或拒绝报价。',
    );
    expect(renderSms('quote_reminder', 'en', { ticketNo: 'SR-1', ...QUOTE, hotline: '400-800-1234' })).toBe(
      '[Aftercare] Reminder: the quote for your service request SR-1 (CNY 268.00 in total: labour CNY 120.00, parts CNY 148.00) awaits your decision. ' +
        'Please approve or decline it at https://aftercare.example.com/q/abc123 by Thu 13 Jun, 14:00. Questions? Call 400-800-1234.',
    );
    expect(renderSms('quote_reminder', 'zh', { ticketNo: 'SR-1', ...QUOTE, labour: undefined, parts: ' ' })).toContain(
      '的维修报价（合计 268.00 元）尚待您确认',
    );
  });

  it('confirms a declined quote: request closed, the visit fee only when there is one', () => {
    expect(renderSms('quote_declined', 'zh', { ticketNo: 'SR-1', visitFee: '30.00', currency: 'CNY' })).toBe(
      '【Aftercare】您已拒绝服务单 SR-1 的维修报价，本次服务已关闭。您仅需支付上门费 30.00 元。如仍需服务，欢迎随时与我们联系。',
    );
    expect(renderSms('quote_declined', 'en', { ticketNo: 'SR-1', visitFee: '30.00', currency: 'CNY' })).toBe(
      '[Aftercare] You have declined the quote for your service request SR-1; the request is now closed. ' +
        'Only the visit fee of CNY 30.00 is due. If you still need help, please contact us at any time.',
    );
    const free = { ticketNo: 'SR-1', visitFee: '0.00', currency: 'CNY', hotline: '400-800-1234' };
    expect(renderSms('quote_declined', 'zh', free)).toBe(
      '【Aftercare】您已拒绝服务单 SR-1 的维修报价，本次服务已关闭。如仍需服务，欢迎随时与我们联系。如有疑问请致电 400-800-1234。',
    );
    expect(renderSms('quote_declined', 'en', free)).toBe(
      '[Aftercare] You have declined the quote for your service request SR-1; the request is now closed. ' +
        'If you still need help, please contact us at any time. Questions? Call 400-800-1234.',
    );
    expect(renderSms('quote_declined', 'en', { ...free, visitFee: '0' })).not.toContain('visit fee');
  });

  it('tells the customer about spare parts: expected, late, arrived', () => {
    expect(renderSms('parts_expected', 'zh', VARS.parts_expected)).toBe(
      '【Aftercare】您的服务单 SR-20240612-0001 的维修需要更换配件（热电偶 ×1），预计 6月14日（周五）18:00 前到货。' +
        '配件到货后，工程师将与您联系预约上门时间。',
    );
    expect(renderSms('parts_expected', 'en', { ticketNo: 'SR-1', expectedBy: '2024-06-14T10:00:00Z' })).toBe(
      '[Aftercare] The repair for your service request SR-1 needs spare parts, expected by Fri 14 Jun, 18:00. ' +
        'Once they arrive, the technician will contact you to book a return visit.',
    );
    expect(renderSms('parts_expected', 'en', VARS.parts_expected)).toContain('needs spare parts (热电偶 ×1), expected by');

    expect(renderSms('parts_delayed', 'zh', VARS.parts_delayed)).toBe(
      '【Aftercare】非常抱歉，您的服务单 SR-20240612-0001 所需配件未能在预计的 6月14日（周五）18:00 前到货，我们正在催促仓库尽快发货，' +
        '预计 6月17日（周一）18:00 前到货。配件到货后，工程师将与您联系预约上门时间。给您带来不便，敬请谅解。',
    );
    expect(renderSms('parts_delayed', 'en', VARS.parts_delayed)).toBe(
      '[Aftercare] We are sorry: the spare parts for your service request SR-20240612-0001 did not arrive by Fri 14 Jun, 18:00 as expected. ' +
        'We are chasing the warehouse and now expect them by Mon 17 Jun, 18:00. ' +
        'Once they arrive, the technician will contact you to book the visit. Thank you for your patience.',
    );
    // Without a new date: the apology and the chase, no made-up date.
    const open = { ticketNo: 'SR-1', expectedBy: '2024-06-14T10:00:00Z' };
    expect(renderSms('parts_delayed', 'zh', open)).toContain('我们正在催促仓库尽快发货。配件到货后');
    expect(renderSms('parts_delayed', 'en', open)).toContain('We are chasing the warehouse. Once they arrive');

    expect(renderSms('parts_arrived', 'zh', { ticketNo: 'SR-1', hotline: '400-800-1234' })).toBe(
      '【Aftercare】您的服务单 SR-1 所需配件已到货，工程师将尽快致电您预约上门时间，请保持电话畅通。如有疑问请致电 400-800-1234。',
    );
    expect(renderSms('parts_arrived', 'en', { ticketNo: 'SR-1' })).toBe(
      '[Aftercare] The spare parts for your service request SR-1 have arrived. The technician will call you shortly to book the visit; please keep your phone available.',
    );
  });

  it('refuses a quote or parts message without its variables, or with amounts that are not formatted', () => {
    expect(() => renderSms('quote', 'zh', { ticketNo: 'SR-1' } as SmsVarsByKind['quote'])).toThrow(
      "SMS template 'quote' (zh) is missing variable(s): total, currency, quoteLink, expiresAt",
    );
    expect(() => renderSms('quote_reminder', 'en', { ticketNo: 'SR-1', ...QUOTE, quoteLink: '' })).toThrow(
      "SMS template 'quote_reminder' (en) is missing variable(s): quoteLink",
    );
    expect(() => renderSms('quote_declined', 'en', { ticketNo: 'SR-1', currency: 'CNY' } as SmsVarsByKind['quote_declined'])).toThrow(
      /missing variable\(s\): visitFee$/,
    );
    expect(() =>
      renderSms('parts_expected', 'zh', { ticketNo: 'SR-1', partNames: '热电偶 ×1' } as SmsVarsByKind['parts_expected']),
    ).toThrow("SMS template 'parts_expected' (zh) is missing variable(s): expectedBy");
    expect(() => renderSms('parts_delayed', 'en', { ticketNo: 'SR-1', newExpectedBy: '2024-06-17T10:00:00Z' } as never)).toThrow(
      /missing variable\(s\): expectedBy$/,
    );
    expect(() => renderSms('parts_arrived', 'zh', {} as SmsVarsByKind['parts_arrived'])).toThrow(/missing variable\(s\): ticketNo$/);
    // Fen as a number, or a symbol inside the amount, would be printed as a price: refused instead.
    expect(() => renderSms('quote', 'zh', { ticketNo: 'SR-1', ...QUOTE, total: 26800 as never })).toThrow(
      "SMS template 'quote' has invalid variable(s): total",
    );
    expect(() => renderSms('quote', 'en', { ticketNo: 'SR-1', ...QUOTE, parts: '¥148', currency: 'rmb' })).toThrow(
      "SMS template 'quote' has invalid variable(s): parts=¥148, currency=rmb",
    );
    expect(() => renderSms('quote_declined', 'zh', { ticketNo: 'SR-1', visitFee: '30 元', currency: 'CNY' })).toThrow(/visitFee=30 元/);
    expect(() => renderSms('parts_delayed', 'zh', { ticketNo: 'SR-1', expectedBy: 'next week' })).toThrow(/not a valid time/);
  });

  it('names the lifecycle-4 milestones in escalation messages', () => {
    const at = { ticketNo: 'SR-1', dueAt: '2024-06-12T06:00:00Z' };
    expect(renderSms('escalation_warning', 'zh', { ...at, milestone: 'quote' })).toContain('「客户确认报价」时限');
    expect(renderSms('escalation_warning', 'zh', { ...at, milestone: 'parts' })).toContain('「配件到货」时限');
    expect(renderSms('escalation_breach', 'en', { ticketNo: 'SR-1', milestone: 'parts', level: 1, overdueMs: 0 })).toContain(
      'has reached its spare parts arrival deadline unmet',
    );
  });

  it('names the lifecycle-3 milestones in escalation messages', () => {
    const at = { ticketNo: 'SR-1', dueAt: '2024-06-12T06:00:00Z' };
    expect(renderSms('escalation_warning', 'zh', { ...at, milestone: 'appointment' })).toContain('「按约上门」时限');
    expect(renderSms('escalation_warning', 'zh', { ...at, milestone: 'callback' })).toContain('「回访」时限');
    expect(renderSms('escalation_warning', 'en', { ...at, milestone: 'appointment' })).toContain('the arrival at the booked time deadline');
    expect(renderSms('escalation_breach', 'en', { ticketNo: 'SR-1', milestone: 'callback', level: 1, overdueMs: 0 })).toContain(
      'has reached its satisfaction call-back deadline unmet',
    );
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

describe('lifecycle 5: returns and exchanges', () => {
  it("says why a return is refused, in the customer's language, with the remedies still open", () => {
    const late = {
      ticketNo: 'SR-1',
      kind: 'return',
      reason: 'window_passed',
      day: 20,
      window: 7,
      countedFrom: 'purchase',
      alternatives: ['repair'],
    } as const;
    expect(renderSms('return_refused', 'zh', late)).toBe(
      '【Aftercare】很抱歉，您的退货申请（服务单 SR-1）未能办理：自购买之日起已 20 天，超过 7 天的退货期限。您仍可申请免费维修。如有疑问，欢迎随时与我们联系。',
    );
    expect(renderSms('return_refused', 'en', late)).toBe(
      '[Aftercare] We are sorry: your return request (service request SR-1) cannot be granted: it is day 20 since purchase, past the 7-day return period. ' +
        'You may still ask for a free repair. If you have any questions, please contact us at any time.',
    );
    const misuse = { ticketNo: 'SR-1', kind: 'exchange', reason: 'cause_not_covered', faultCause: 'misuse' } as const;
    expect(renderSms('return_refused', 'zh', misuse)).toContain('经检测，故障系人为损坏所致，不属于三包范围。如有疑问');
    expect(renderSms('return_refused', 'en', misuse)).toContain(
      'the inspection found damage by misuse, which the guarantee does not cover.',
    );
    expect(renderSms('return_refused', 'en', { ticketNo: 'SR-1', kind: 'return', reason: 'other' })).toContain(
      'cannot be granted: the conditions are not met.',
    );
  });

  it('tells the customer each step: accepted, inspected, approved, settled (refund, or the price difference)', () => {
    expect(renderSms('return_accepted', 'zh', { ticketNo: 'SR-1', kind: 'return', day: 3, countedFrom: 'delivery' })).toContain(
      '您的退货申请（服务单 SR-1）已受理：自签收之日起第 3 天',
    );
    expect(renderSms('return_inspected', 'en', { ticketNo: 'SR-1', kind: 'return', faultFound: false })).toContain(
      'no performance fault was found',
    );
    expect(renderSms('return_approved', 'zh', { ticketNo: 'SR-1', kind: 'exchange', outcome: 'repair' })).toContain('将为您安排免费维修');
    expect(
      renderSms('return_settled', 'zh', {
        ticketNo: 'SR-1',
        outcome: 'refund',
        amount: '2999.00',
        currency: 'CNY',
        direction: 'to_customer',
      }),
    ).toContain('退款 2999.00 元 已办理');
    expect(
      renderSms('return_settled', 'en', { ticketNo: 'SR-1', outcome: 'replacement', amount: '0', currency: 'CNY', direction: 'none' }),
    ).toContain('your product has been replaced. We will call you');
  });

  it('refuses unknown codes and unformatted amounts rather than print them', () => {
    expect(() => renderSms('return_refused', 'zh', { ticketNo: 'SR-1', kind: 'return', reason: 'late' as never })).toThrow(/reason=late/);
    expect(() =>
      renderSms('return_settled', 'zh', {
        ticketNo: 'SR-1',
        outcome: 'refund',
        amount: '2999 元',
        currency: 'CNY',
        direction: 'to_customer',
      }),
    ).toThrow(/amount=2999 元/);
    expect(() => renderSms('return_approved', 'en', { ticketNo: 'SR-1', kind: 'return' } as SmsVarsByKind['return_approved'])).toThrow(
      /missing variable\(s\): outcome$/,
    );
  });
});

describe("lifecycle 5: a complaint's messages (zh and en)", () => {
  test('registered, analysed, the solution (its text), implemented, closed', () => {
    const v = { ticketNo: 'SR-1', hotline: '400-800-1234' };
    expect(renderSms('complaint_registered', 'zh', v)).toBe(
      '【Aftercare】您的投诉已登记（服务单 SR-1），我们将认真调查处理，并及时向您反馈处理进展。如有疑问请致电 400-800-1234。',
    );
    expect(renderSms('complaint_registered', 'en', v)).toContain('Your complaint has been registered (service request SR-1)');
    expect(renderSms('complaint_analysed', 'zh', v)).toContain('已完成调查分析');
    expect(renderSms('complaint_analysed', 'en', v)).toContain('We have looked into your complaint (service request SR-1)');
    const solution = { ...v, solution: '向您致歉并免除本次上门费' };
    expect(renderSms('complaint_solution', 'zh', solution)).toBe(
      '【Aftercare】您的投诉（服务单 SR-1）的解决方案：向您致歉并免除本次上门费。我们将按此方案尽快落实。如有疑问请致电 400-800-1234。',
    );
    expect(renderSms('complaint_solution', 'en', { ...v, solution: 'an apology and the visit fee waived' })).toContain(
      'Our solution to your complaint (service request SR-1): an apology and the visit fee waived.',
    );
    expect(renderSms('complaint_implemented', 'zh', v)).toContain('解决方案已落实');
    expect(renderSms('complaint_implemented', 'en', v)).toContain('has been carried out');
    expect(renderSms('complaint_closed', 'zh', v)).toContain('已处理完毕');
    expect(renderSms('complaint_closed', 'en', v)).toContain('has been settled and closed');
  });

  test('the solution is required', () => {
    expect(() => renderSms('complaint_solution', 'zh', { ticketNo: 'SR-1' } as never)).toThrow(/solution/);
  });
});
