import type { CustomerSmsKind, TechnicianSmsKind } from '../../activities/contract';
import { MILESTONES, PHOTO_KINDS, URGENCIES } from '../../src/domain/types';
import { renderSms, type SmsKind } from '../../src/adapters/sms';
import {
  ALIYUN_ABSENT,
  ALIYUN_TEMPLATE_PARAMS,
  aliyunTemplateParams,
  aliyunTemplateProblems,
  AliyunParamError,
} from '../../src/adapters/sms/aliyunTemplates';
import { SMS_KINDS } from '../../src/adapters/sms/types';

// Every kind the activities send (customer, technician, and escalation notices: warning, breach, the rest as
// ops_alert; activities/escalate.ts) is a kind the template table must cover, and nothing else.
type SentKind = CustomerSmsKind | TechnicianSmsKind | 'escalation_warning' | 'escalation_breach' | 'ops_alert';
const _sameKinds: [SentKind] extends [SmsKind] ? ([SmsKind] extends [SentKind] ? true : never) : never = true;

const T = '2024-06-12T06:05:00Z'; // 14:05 in Shanghai
const QUOTE = {
  ticketNo: 'SR-1',
  total: '1,268.00',
  currency: 'CNY',
  labour: '120.00',
  parts: '1,148.00',
  quoteLink: 'https://svc.example.com/q/eyJhIjoxfQ.abc_-',
  expiresAt: T,
};

/** Variables as the activities pass them (after the technician lookup), per kind. */
const VARS: { [K in SmsKind]: Record<string, unknown> } = {
  received: { ticketNo: 'SR-1' },
  assigned: { ticketNo: 'SR-1', technicianName: '王师傅', technicianNo: 'T-042', technicianPhone: '+8613900139000' },
  delay: { ticketNo: 'SR-1' },
  visit_booked: {
    ticketNo: 'SR-1',
    technicianName: '王师傅',
    technicianNo: 'T-042',
    technicianPhone: '+8613900139000',
    visitAt: T,
    rescheduled: false,
  },
  visit_reminder: { ticketNo: 'SR-1', technicianName: '王师傅', technicianNo: 'T-042', technicianPhone: '+8613900139000', visitAt: T },
  completed: { ticketNo: 'SR-1', ratingLink: 'https://svc.example.com/r/eyJhIjoxfQ.abc_-' },
  survey: { ticketNo: 'SR-1', ratingLink: 'https://svc.example.com/r/eyJhIjoxfQ.abc_-' },
  revisit: { ticketNo: 'SR-1' },
  follow_up_apology: { ticketNo: 'SR-1', contactWithinHours: 4 },
  cancelled: { ticketNo: 'SR-1', reason: '客户自行解决' },
  quote: QUOTE,
  quote_reminder: QUOTE,
  quote_declined: { ticketNo: 'SR-1', visitFee: '30.00', currency: 'CNY' },
  parts_expected: { ticketNo: 'SR-1', expectedBy: T, partNames: '热电偶 ×1' },
  parts_delayed: { ticketNo: 'SR-1', expectedBy: T, newExpectedBy: '2024-06-15T10:00:00Z' },
  parts_arrived: { ticketNo: 'SR-1' },
  completed_report: {
    ticketNo: 'SR-1',
    ratingLink: 'https://svc.example.com/r/eyJhIjoxfQ.abc_-',
    reportLink: 'https://svc.example.com/report/eyJiIjoyfQ.def_-',
  },
  return_accepted: { ticketNo: 'SR-1', kind: 'return', day: 3, countedFrom: 'delivery' },
  return_refused: {
    ticketNo: 'SR-1',
    kind: 'return',
    reason: 'window_passed',
    day: 20,
    window: 7,
    alternatives: ['replacement', 'repair'],
  },
  return_inspected: { ticketNo: 'SR-1', kind: 'exchange', faultFound: true, faultCause: 'quality' },
  return_approved: { ticketNo: 'SR-1', kind: 'exchange', outcome: 'replacement' },
  return_settled: { ticketNo: 'SR-1', outcome: 'refund', amount: '2999.00', currency: 'CNY', direction: 'to_customer' },
  complaint_registered: { ticketNo: 'SR-1' },
  complaint_analysed: { ticketNo: 'SR-1' },
  complaint_solution: { ticketNo: 'SR-1', solution: '向您致歉并免除本次上门费' },
  complaint_implemented: { ticketNo: 'SR-1' },
  complaint_closed: { ticketNo: 'SR-1' },
  tech_assignment: {
    ticketNo: 'SR-1',
    urgency: 'urgent',
    productModel: 'AC-9000',
    address: '上海市浦东新区世纪大道100号',
    problem: '不制冷',
  },
  tech_visit_reminder: { ticketNo: 'SR-1', visitAt: T, address: '上海市浦东新区世纪大道100号', productModel: 'AC-9000' },
  tech_photo_reminder: { ticketNo: 'SR-1', missingPhotos: ['after', 'signature'] },
  escalation_warning: { ticketNo: 'SR-1', milestone: 'dispatch', dueAt: T },
  escalation_breach: { ticketNo: 'SR-1', milestone: 'on_site', level: 3, overdueMs: 26 * 3600_000 },
  ops_alert: { ticketNo: 'SR-1', summary: 'SR-1 L1 no_candidate' },
};

describe('aliyunTemplateParams', () => {
  it.each(SMS_KINDS)('%s: sends exactly its documented parameters, all non-empty strings', (kind) => {
    const params = aliyunTemplateParams(kind, { timeZone: 'Asia/Shanghai', ...VARS[kind] }) as Record<string, unknown>;
    expect(Object.keys(params).sort()).toEqual([...ALIYUN_TEMPLATE_PARAMS[kind]].sort());
    for (const v of Object.values(params)) {
      expect(typeof v).toBe('string');
      expect(v).not.toBe('');
    }
  });

  it('fills the variables the documented way', () => {
    expect(aliyunTemplateParams('assigned', VARS.assigned)).toEqual({ ticket: 'SR-1', name: '王师傅', no: 'T-042', phone: '13900139000' });
    expect(aliyunTemplateParams('visit_booked', VARS.visit_booked)).toEqual({
      ticket: 'SR-1',
      name: '王师傅',
      phone: '13900139000',
      time: '6月12日 14:05',
      change: '预约',
    });
    expect(
      aliyunTemplateParams('visit_booked', { ...VARS.visit_booked, rescheduled: true, visitEnd: '2024-06-12T08:00:00Z' }),
    ).toMatchObject({
      time: '6月12日 14:05-16:00',
      change: '改约',
    });
    expect(
      aliyunTemplateParams('visit_booked', { ...VARS.visit_booked, visitAt: '2024-06-12T15:30:00Z', visitEnd: '2024-06-13T02:00:00Z' }),
    ).toMatchObject({
      time: '6月12日 23:30-6月13日 10:00',
    });
    expect(aliyunTemplateParams('visit_reminder', VARS.visit_reminder)).toEqual({
      ticket: 'SR-1',
      name: '王师傅',
      phone: '13900139000',
      time: '6月12日 14:05',
    });
    expect(aliyunTemplateParams('revisit', VARS.revisit)).toEqual({ ticket: 'SR-1' });
    expect(aliyunTemplateParams('tech_visit_reminder', VARS.tech_visit_reminder)).toEqual({
      ticket: 'SR-1',
      model: 'AC-9000',
      address: '上海市浦东新区世纪大道100号',
      time: '6月12日 14:05',
    });
    expect(aliyunTemplateParams('completed', VARS.completed)).toEqual({ ticket: 'SR-1', link: 'r/eyJhIjoxfQ.abc_-' });
    expect(aliyunTemplateParams('survey', { ticketNo: 'SR-1', ratingLink: 'https://x.example.com/aftercare/r/tok?x=1' })).toEqual({
      ticket: 'SR-1',
      link: 'aftercare/r/tok?x=1',
    });
    expect(aliyunTemplateParams('follow_up_apology', VARS.follow_up_apology)).toEqual({ ticket: 'SR-1', hours: '4' });
    expect(aliyunTemplateParams('tech_assignment', VARS.tech_assignment)).toEqual({
      ticket: 'SR-1',
      urgency: '加急',
      model: 'AC-9000',
      address: '上海市浦东新区世纪大道100号',
      problem: '不制冷',
    });
    expect(aliyunTemplateParams('tech_photo_reminder', VARS.tech_photo_reminder)).toEqual({
      ticket: 'SR-1',
      photos: '服务后照片、客户签字服务单',
    });
    expect(aliyunTemplateParams('escalation_warning', VARS.escalation_warning)).toEqual({
      ticket: 'SR-1',
      stage: '派工',
      time: '6月12日 14:05',
    });
    expect(aliyunTemplateParams('escalation_breach', VARS.escalation_breach)).toEqual({
      ticket: 'SR-1',
      stage: '上门',
      overdue: '1天2小时',
      level: '3',
      role: '服务中心经理',
    });
    expect(aliyunTemplateParams('ops_alert', VARS.ops_alert)).toEqual({ ticket: 'SR-1', summary: 'SR-1 L1 no_candidate' });
  });

  it('fills the lifecycle-4 quote and parts parameters: plain amounts, the link without its origin, times', () => {
    const quote = {
      ticket: 'SR-1',
      total: '1268.00',
      labour: '120.00',
      parts: '1148.00',
      link: 'q/eyJhIjoxfQ.abc_-',
      time: '6月12日 14:05',
    };
    expect(aliyunTemplateParams('quote', VARS.quote)).toEqual(quote);
    expect(aliyunTemplateParams('quote_reminder', VARS.quote_reminder)).toEqual(quote);
    // A fixed template cannot drop the breakdown: 无 when it was not given.
    expect(aliyunTemplateParams('quote', { ...QUOTE, labour: undefined, parts: '' })).toMatchObject({
      labour: ALIYUN_ABSENT,
      parts: ALIYUN_ABSENT,
    });
    expect(aliyunTemplateParams('quote_declined', VARS.quote_declined)).toEqual({ ticket: 'SR-1', fee: '30.00' });
    // Unlike the text, a fixed template keeps its fee sentence: the fee goes as it is.
    expect(aliyunTemplateParams('quote_declined', { ticketNo: 'SR-1', visitFee: '0.00', currency: 'CNY' })).toEqual({
      ticket: 'SR-1',
      fee: '0.00',
    });
    expect(aliyunTemplateParams('parts_expected', VARS.parts_expected)).toEqual({
      ticket: 'SR-1',
      parts: '热电偶 ×1',
      time: '6月12日 14:05',
    });
    expect(aliyunTemplateParams('parts_expected', { ticketNo: 'SR-1', expectedBy: T }).parts).toBe(ALIYUN_ABSENT);
    expect(aliyunTemplateParams('parts_delayed', VARS.parts_delayed)).toEqual({
      ticket: 'SR-1',
      time: '6月12日 14:05',
      newtime: '6月15日 18:00',
    });
    expect(aliyunTemplateParams('parts_delayed', { ticketNo: 'SR-1', expectedBy: T }).newtime).toBe(ALIYUN_ABSENT);
    expect(aliyunTemplateParams('parts_arrived', VARS.parts_arrived)).toEqual({ ticket: 'SR-1' });
  });

  it('keeps lifecycle-4 values within the variable limits: part names cut, amounts digits and a point only', () => {
    const partNames = '燃气热水器专用热电偶组件（含安装支架与密封垫圈）×1、比例阀总成 ×1、点火针 ×2';
    const p = aliyunTemplateParams('parts_expected', { ...VARS.parts_expected, partNames });
    expect([...p.parts]).toHaveLength(35);
    expect(p.parts.endsWith('…')).toBe(true);
    expect([...aliyunTemplateParams('parts_expected', { ...VARS.parts_expected, partNames }, { maxLength: 20 }).parts]).toHaveLength(20);
    for (const kind of ['quote', 'quote_reminder', 'quote_declined'] as const) {
      const params = aliyunTemplateParams(kind, VARS[kind]) as Record<string, string>;
      for (const name of ['total', 'labour', 'parts', 'fee'].filter((n) => n in params)) {
        expect(params[name]).toMatch(/^\d+(\.\d+)?$/);
        expect(params[name]!.length).toBeLessThanOrEqual(20);
      }
    }
    // The template holds 元: another currency, or an amount that is not one, is refused, naming the variable only.
    expect(() => aliyunTemplateParams('quote', { ...QUOTE, currency: 'USD' })).toThrow(
      "aliyun template parameters for 'quote': invalid variable(s): currency=USD",
    );
    expect(() => aliyunTemplateParams('quote_declined', { ticketNo: 'SR-1', visitFee: 3000, currency: 'CNY' })).toThrow(
      "aliyun template parameters for 'quote_declined': invalid variable(s): visitFee",
    );
    expect(() => aliyunTemplateParams('quote', { ...QUOTE, parts: '¥1148' })).toThrow(/invalid variable\(s\): parts$/);
  });

  it('shows times in the message time zone (default Asia/Shanghai)', () => {
    expect(aliyunTemplateParams('escalation_warning', { ...VARS.escalation_warning, timeZone: 'UTC' }).time).toBe('6月12日 06:05');
    expect(aliyunTemplateParams('escalation_warning', { ...VARS.escalation_warning, dueAt: '2024-06-11T16:00:00Z' }).time).toBe(
      '6月12日 00:00',
    );
    expect(() => aliyunTemplateParams('escalation_warning', { ...VARS.escalation_warning, timeZone: 'Mars/Base' })).toThrow(
      /timeZone=Mars\/Base/,
    );
  });

  it("sends a receipt's status page link without its origin, and 无 for a receipt without one", () => {
    const statusLink = `https://svc.example.com/s/${'a'.repeat(120)}.${'b'.repeat(22)}`;
    for (const kind of ['received', 'complaint_registered'] as const) {
      expect(aliyunTemplateParams(kind, { ticketNo: 'SR-1', statusLink })).toEqual({ ticket: 'SR-1', link: statusLink.slice(24) });
      expect(aliyunTemplateParams(kind, { ticketNo: 'SR-1' })).toEqual({ ticket: 'SR-1', link: ALIYUN_ABSENT });
      expect(() => aliyunTemplateParams(kind, { ticketNo: 'SR-1', statusLink: 'not a link' })).toThrow(/invalid variable\(s\): statusLink/);
    }
  });

  it('sends 无 for absent optional free text, so a fixed template never misses a value', () => {
    expect(aliyunTemplateParams('cancelled', { ticketNo: 'SR-1' }).reason).toBe(ALIYUN_ABSENT);
    expect(aliyunTemplateParams('tech_assignment', { ...VARS.tech_assignment, problem: '  ' }).problem).toBe(ALIYUN_ABSENT);
    expect(aliyunTemplateParams('ops_alert', { summary: 'worker down' }).ticket).toBe(ALIYUN_ABSENT);
  });

  it('cuts free text to the limit by characters, never identifiers or links', () => {
    const address = '上海市浦东新区世纪大道100号国际金融中心大厦二十八层东侧电梯厅旁边的2801室';
    const p = aliyunTemplateParams('tech_assignment', { ...VARS.tech_assignment, address, productModel: 'Model\n  X   😀' });
    expect([...p.address]).toHaveLength(35);
    expect(p.address.endsWith('…')).toBe(true);
    expect(address.startsWith(p.address.slice(0, -1))).toBe(true);
    expect(p.model).toBe('Model X 😀');
    expect([...aliyunTemplateParams('tech_assignment', { ...VARS.tech_assignment, address }, { maxLength: 20 }).address]).toHaveLength(20);
    const longTicket = `SR-${'9'.repeat(40)}`;
    expect(aliyunTemplateParams('received', { ticketNo: longTicket }).ticket).toBe(longTicket);
    const longLink = `https://svc.example.com/r/${'a'.repeat(150)}.${'b'.repeat(22)}`;
    expect(aliyunTemplateParams('completed', { ticketNo: 'SR-1', ratingLink: longLink }).link).toBe(
      longLink.slice('https://svc.example.com/'.length),
    );
  });

  it('names every missing or invalid variable, never a value', () => {
    const err = (() => {
      try {
        aliyunTemplateParams('escalation_breach', { ticketNo: 'SR-1', milestone: 'lunch', level: 7, overdueMs: -5 });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a throw');
    })();
    expect(err).toBeInstanceOf(AliyunParamError);
    expect(err.message).toBe(
      "aliyun template parameters for 'escalation_breach': invalid variable(s): milestone=lunch, overdueMs, level=7",
    );
    expect(() => aliyunTemplateParams('visit_booked', { ticketNo: 'SR-1', technicianName: '王师傅' })).toThrow(
      "aliyun template parameters for 'visit_booked': missing variable(s): technicianPhone, visitAt",
    );
    // The reminder's technician comes from the roster like visit_booked's: a fixed template cannot drop the phone.
    expect(() => aliyunTemplateParams('visit_reminder', { ticketNo: 'SR-1', technicianName: '王师傅', visitAt: 'soon' })).toThrow(
      "aliyun template parameters for 'visit_reminder': missing variable(s): technicianPhone; invalid variable(s): visitAt",
    );
    expect(() => aliyunTemplateParams('tech_visit_reminder', { ticketNo: 'SR-1', visitAt: T })).toThrow(
      "aliyun template parameters for 'tech_visit_reminder': missing variable(s): productModel, address",
    );
    expect(() => aliyunTemplateParams('quote', { ticketNo: 'SR-1', labour: '120.00' })).toThrow(
      "aliyun template parameters for 'quote': missing variable(s): currency, total, quoteLink, expiresAt",
    );
    expect(() => aliyunTemplateParams('quote_reminder', { ...QUOTE, quoteLink: 'q/abc', expiresAt: 'soon' })).toThrow(
      "aliyun template parameters for 'quote_reminder': invalid variable(s): quoteLink, expiresAt",
    );
    expect(() => aliyunTemplateParams('quote_declined', { ticketNo: 'SR-1' })).toThrow(
      "aliyun template parameters for 'quote_declined': missing variable(s): currency, visitFee",
    );
    expect(() => aliyunTemplateParams('parts_expected', { ticketNo: 'SR-1', partNames: '热电偶 ×1' })).toThrow(
      "aliyun template parameters for 'parts_expected': missing variable(s): expectedBy",
    );
    expect(() => aliyunTemplateParams('parts_delayed', { ticketNo: 'SR-1', expectedBy: T, newExpectedBy: 'later' })).toThrow(
      "aliyun template parameters for 'parts_delayed': invalid variable(s): newExpectedBy",
    );
    expect(() => aliyunTemplateParams('parts_arrived', {})).toThrow(
      "aliyun template parameters for 'parts_arrived': missing variable(s): ticketNo",
    );
    expect(() => aliyunTemplateParams('completed', { ticketNo: 'SR-1', ratingLink: 'not a url' })).toThrow(
      /invalid variable\(s\): ratingLink$/,
    );
    expect(() => aliyunTemplateParams('tech_photo_reminder', { ticketNo: 'SR-1', missingPhotos: ['selfie'] })).toThrow(
      /missingPhotos=selfie/,
    );
  });

  describe('labels agree with the rendered texts (templates.ts)', () => {
    it.each(MILESTONES)('milestone %s', (milestone) => {
      const vars = { ticketNo: 'SR-1', milestone, dueAt: T };
      expect(renderSms('escalation_warning', 'zh', vars)).toContain(`「${aliyunTemplateParams('escalation_warning', vars).stage}」`);
    });
    it.each(URGENCIES)('urgency %s', (urgency) => {
      const vars = { ...VARS.tech_assignment, urgency } as never;
      expect(renderSms('tech_assignment', 'zh', vars)).toContain(`（${aliyunTemplateParams('tech_assignment', vars).urgency}）`);
    });
    it.each([1, 2, 3] as const)('level %s', (level) => {
      const vars = { ticketNo: 'SR-1', milestone: 'dispatch' as const, level, overdueMs: 3 * 3600_000 + 5 * 60_000 };
      const p = aliyunTemplateParams('escalation_breach', vars);
      const text = renderSms('escalation_breach', 'zh', vars);
      expect(text).toContain(`（${p.role}）`);
      expect(text).toContain(`已超时 ${p.overdue}`);
    });
    it.each(['quote', 'quote_reminder'] as const)('%s amounts and time', (kind) => {
      const vars = { ...QUOTE, total: '268.00', parts: '148.00' };
      const p = aliyunTemplateParams(kind, vars);
      const text = renderSms(kind, 'zh', vars);
      expect(text).toContain(`合计 ${p.total} 元`);
      expect(text).toContain(`人工费 ${p.labour} 元，配件费 ${p.parts} 元`);
      expect(text).toContain('6月12日（周三）14:05');
      expect(p.time).toBe('6月12日 14:05');
    });
    it.each(['parts_expected', 'parts_delayed'] as const)('%s time', (kind) => {
      const vars = VARS[kind] as never;
      expect(renderSms(kind, 'zh', vars)).toContain('6月12日（周三）14:05');
      expect(aliyunTemplateParams(kind, vars).time).toBe('6月12日 14:05');
    });
    it.each(['visit_reminder', 'tech_visit_reminder'] as const)('%s time', (kind) => {
      const vars = VARS[kind] as never;
      expect(renderSms(kind, 'zh', vars)).toContain('6月12日（周三）14:05');
      expect(aliyunTemplateParams(kind, vars).time).toBe('6月12日 14:05');
    });
    it.each(PHOTO_KINDS)('photo %s', (kind) => {
      const vars = { ticketNo: 'SR-1', missingPhotos: [kind] };
      expect(renderSms('tech_photo_reminder', 'zh', vars)).toContain(
        `尚缺少：${aliyunTemplateParams('tech_photo_reminder', vars).photos}。`,
      );
    });
  });
});

describe('aliyunTemplateProblems', () => {
  const complete = Object.fromEntries(SMS_KINDS.map((k, i) => [k, `SMS_${1000 + i}`]));

  it('accepts a code for every kind', () => {
    expect(_sameKinds).toBe(true);
    expect(aliyunTemplateProblems(complete)).toEqual([]);
  });

  it('reports one problem per missing kind, unknown kind and bad code', () => {
    const { survey: _s, ops_alert: _o, ...rest } = complete;
    expect(aliyunTemplateProblems({ ...rest, received: 'SMS 1', surveys: 'SMS_9' })).toEqual([
      `'received': "SMS 1" is not an Aliyun template code (SMS_…)`,
      `unknown message kind 'surveys' (kinds: ${SMS_KINDS.join(', ')})`,
      "no template code for 'survey'",
      "no template code for 'ops_alert'",
    ]);
    expect(aliyunTemplateProblems([])).toEqual(['expected a JSON object mapping each message kind to an Aliyun template code (SMS_…)']);
    expect(aliyunTemplateProblems({ ...complete, delay: 42 })).toEqual([`'delay': 42 is not an Aliyun template code (SMS_…)`]);
  });
});

describe('lifecycle 5: returns and exchanges', () => {
  it('sends the Chinese labels of the texts, 无 for no remedy left, amounts as digits', () => {
    expect(aliyunTemplateParams('return_accepted', VARS.return_accepted)).toEqual({ ticket: 'SR-1', kind: '退货', from: '签收', day: '3' });
    expect(aliyunTemplateParams('return_refused', VARS.return_refused)).toEqual({
      ticket: 'SR-1',
      kind: '退货',
      reason: '已超过期限',
      alternatives: '换货或免费维修',
    });
    expect(aliyunTemplateParams('return_refused', { ticketNo: 'SR-1', kind: 'exchange', reason: 'no_fault_found' }).alternatives).toBe(
      ALIYUN_ABSENT,
    );
    expect(aliyunTemplateParams('return_inspected', VARS.return_inspected)).toEqual({
      ticket: 'SR-1',
      kind: '换货',
      result: '产品性能故障',
    });
    expect(aliyunTemplateParams('return_inspected', { ticketNo: 'SR-1', kind: 'return', faultFound: false }).result).toBe('未发现性能故障');
    expect(aliyunTemplateParams('return_approved', VARS.return_approved)).toEqual({ ticket: 'SR-1', kind: '换货', outcome: '换货' });
    expect(aliyunTemplateParams('return_settled', VARS.return_settled)).toEqual({
      ticket: 'SR-1',
      outcome: '退货退款',
      amount: '2999.00',
      direction: '退还',
    });
    expect(() => aliyunTemplateParams('return_approved', { ticketNo: 'SR-1', kind: 'return', outcome: 'cash' })).toThrow(
      "aliyun template parameters for 'return_approved': invalid variable(s): outcome",
    );
  });
});
