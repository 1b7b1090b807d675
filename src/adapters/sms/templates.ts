/**
 * SMS wording per kind, Chinese (default) and English. Pure functions, run inside activities (Intl is fine).
 * Chinese texts open with the 【signature】 carriers require for business SMS in China.
 */
import type { EscalationLevel, Milestone, PhotoKind, Urgency } from '../../domain/types';
import type { FaultCause } from '../../domain/charges';
import type { GrantedOutcome, RefusalReason, ReturnKind } from '../../domain/returns';
import { SMS_KINDS, type SmsKind } from './types';

export type SmsLang = 'zh' | 'en';
/** An instant: ISO-8601 string (as activities receive it) or Date. */
export type SmsTime = string | Date;

interface Common {
  /** Ticket number shown to people, e.g. SR-20240612-0001. */
  ticketNo: string;
  /** Signature in 【】/[]; default "Aftercare". */
  brand?: string;
  /** Service hotline appended to customer messages when given. */
  hotline?: string;
}
interface Zoned {
  /** IANA zone the times are shown in; default Asia/Shanghai. */
  timeZone?: string;
}
/**
 * A chargeable repair's quote (lifecycle 4). Amounts are formatted already ("268.00", the caller converts from the
 * smallest unit); `currency` is the ISO 4217 code they are in (CNY is shown as 元 in Chinese).
 */
interface Quoted {
  total: string;
  currency: string;
  /** Signed link where the customer approves or declines the quote. */
  quoteLink: string;
  /** When the customer's decision is due (the `quote` milestone). */
  expiresAt: SmsTime;
  /** Breakdown, shown when given. */
  labour?: string;
  parts?: string;
}

/** A return or exchange (lifecycle 5): which of the two the customer asked for. */
interface Returned {
  kind: ReturnKind;
}

/** The receipt of a request (patch `status-link`): the signed link to its status page, when one was issued. */
interface Tracked {
  statusLink?: string;
}

/** The variables each kind needs; optional ones add a sentence when present. */
export interface SmsVarsByKind {
  received: Common & Tracked;
  assigned: Common & { technicianName: string; technicianNo: string; technicianPhone: string };
  delay: Common & Zoned & { reason?: string; expectedBy?: SmsTime };
  visit_booked: Common &
    Zoned & { technicianName: string; visitAt: SmsTime; visitEnd?: SmsTime; technicianPhone?: string; rescheduled?: boolean };
  /** Before a booked visit (policy `appointments.reminderLead`); the technician comes from `technicianId` like `assigned`. */
  visit_reminder: Common & Zoned & { technicianName: string; visitAt: SmsTime; technicianPhone?: string };
  completed: Common & { ratingLink: string };
  survey: Common & { ratingLink: string };
  /** A call-back found the fault not fixed: a technician is sent again. */
  revisit: Common;
  follow_up_apology: Common & { contactWithinHours?: number };
  cancelled: Common & { reason?: string };
  /** Lifecycle 4: the technician's quote for a chargeable repair; approve or decline at `quoteLink` by `expiresAt`. */
  quote: Common & Zoned & Quoted;
  /** The quote still awaits the customer's decision. */
  quote_reminder: Common & Zoned & Quoted;
  /** The customer declined: the request is closed; the visit fee is due unless it is zero ("0.00"). */
  quote_declined: Common & { visitFee: string; currency: string };
  /** The repair waits for spare parts, expected by `expectedBy`; `partNames` e.g. "热电偶 ×1". */
  parts_expected: Common & Zoned & { expectedBy: SmsTime; partNames?: string };
  /** The parts missed `expectedBy` (the date that passed); `newExpectedBy` when the warehouse gave one. */
  parts_delayed: Common & Zoned & { expectedBy: SmsTime; newExpectedBy?: SmsTime };
  /** The parts are in: the technician will call to book the visit. */
  parts_arrived: Common;
  /** Lifecycle 4: the completion SMS of a visit with a service report — the report's link beside the rating link. */
  completed_report: Common & { ratingLink: string; reportLink: string };
  /** Lifecycle 5: a return or exchange accepted at intake, on `day` since the purchase or delivery date. */
  return_accepted: Common & Returned & { day: number; countedFrom: 'purchase' | 'delivery' };
  /**
   * Refused, at intake or by the supervisor, with the reason said in the customer's language: a window passed
   * (`day`, `window`, `countedFrom`), the cause found is not covered (`faultCause`) …; `alternatives` still open.
   */
  return_refused: Common &
    Returned & {
      reason: RefusalReason;
      day?: number;
      window?: number;
      countedFrom?: 'purchase' | 'delivery';
      faultCause?: FaultCause;
      alternatives?: readonly GrantedOutcome[];
    };
  /** The product was inspected: no fault, or the fault and its cause; the supervisor decides next. */
  return_inspected: Common & Returned & { faultFound: boolean; faultCause?: FaultCause };
  /** The supervisor approved a refund, a replacement, or a repair instead. */
  return_approved: Common & Returned & { outcome: GrantedOutcome };
  /** The refund was paid or the replacement handed over; `amount` (formatted) moved `direction`. */
  return_settled: Common & {
    outcome: 'refund' | 'replacement';
    amount: string;
    currency: string;
    direction: 'to_customer' | 'from_customer' | 'none';
  };
  /** Lifecycle 5: the complaint is registered (its acknowledgement, instead of `received`). */
  complaint_registered: Common & Tracked;
  /** The complaint was looked into; a solution follows. */
  complaint_analysed: Common;
  /** The solution decided for the complaint, in a sentence (`solution`, free text). */
  complaint_solution: Common & { solution: string };
  /** The solution was carried out; the customer will be asked whether it settled the complaint. */
  complaint_implemented: Common;
  /** The complaint is closed. */
  complaint_closed: Common;
  tech_assignment: Common & Zoned & { urgency: Urgency; productModel: string; address: string; problem?: string; acceptBy?: SmsTime };
  tech_visit_reminder: Common & Zoned & { visitAt: SmsTime; address: string; productModel: string };
  tech_photo_reminder: Common & { missingPhotos: PhotoKind[] };
  escalation_warning: Common & Zoned & { milestone: Milestone; dueAt: SmsTime; urgency?: Urgency };
  escalation_breach: Common & Zoned & { milestone: Milestone; level: Exclude<EscalationLevel, 0>; overdueMs: number; urgency?: Urgency };
  ops_alert: Partial<Common> & { summary: string };
}
export type SmsVars<K extends SmsKind = SmsKind> = SmsVarsByKind[K];

/** Checked at run time as well: activity inputs come from workflow history, not from the type checker. */
const REQUIRED: { [K in SmsKind]: ReadonlyArray<keyof SmsVarsByKind[K] & string> } = {
  received: ['ticketNo'],
  assigned: ['ticketNo', 'technicianName', 'technicianNo', 'technicianPhone'],
  delay: ['ticketNo'],
  visit_booked: ['ticketNo', 'technicianName', 'visitAt'],
  visit_reminder: ['ticketNo', 'technicianName', 'visitAt'],
  completed: ['ticketNo', 'ratingLink'],
  survey: ['ticketNo', 'ratingLink'],
  revisit: ['ticketNo'],
  follow_up_apology: ['ticketNo'],
  cancelled: ['ticketNo'],
  quote: ['ticketNo', 'total', 'currency', 'quoteLink', 'expiresAt'],
  quote_reminder: ['ticketNo', 'total', 'currency', 'quoteLink', 'expiresAt'],
  quote_declined: ['ticketNo', 'visitFee', 'currency'],
  parts_expected: ['ticketNo', 'expectedBy'],
  parts_delayed: ['ticketNo', 'expectedBy'],
  parts_arrived: ['ticketNo'],
  completed_report: ['ticketNo', 'ratingLink', 'reportLink'],
  return_accepted: ['ticketNo', 'kind', 'day', 'countedFrom'],
  return_refused: ['ticketNo', 'kind', 'reason'],
  return_inspected: ['ticketNo', 'kind', 'faultFound'],
  return_approved: ['ticketNo', 'kind', 'outcome'],
  return_settled: ['ticketNo', 'outcome', 'amount', 'currency', 'direction'],
  complaint_registered: ['ticketNo'],
  complaint_analysed: ['ticketNo'],
  complaint_solution: ['ticketNo', 'solution'],
  complaint_implemented: ['ticketNo'],
  complaint_closed: ['ticketNo'],
  tech_assignment: ['ticketNo', 'urgency', 'productModel', 'address'],
  tech_visit_reminder: ['ticketNo', 'visitAt', 'address', 'productModel'],
  tech_photo_reminder: ['ticketNo', 'missingPhotos'],
  escalation_warning: ['ticketNo', 'milestone', 'dueAt'],
  escalation_breach: ['ticketNo', 'milestone', 'level', 'overdueMs'],
  ops_alert: ['summary'],
};

export class SmsTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmsTemplateError';
  }
}

export const DEFAULT_SMS_TIME_ZONE = 'Asia/Shanghai';

export const URGENCY_LABELS: Record<SmsLang, Record<Urgency, string>> = {
  zh: { normal: '普通', urgent: '加急', critical: '特急' },
  en: { normal: 'normal', urgent: 'urgent', critical: 'critical' },
};
export const MILESTONE_LABELS: Record<SmsLang, Record<Milestone, string>> = {
  zh: {
    acknowledge: '受理确认',
    dispatch: '派工',
    accept: '工程师接单',
    response: '联系客户预约',
    on_site: '上门',
    resolution: '修复完成',
    resolution_max: '最长处理',
    photos: '完工照片上传',
    follow_up: '不满意回访跟进',
    appointment: '按约上门',
    callback: '回访',
    quote: '客户确认报价',
    parts: '配件到货',
    return_inspection: '退换货检测',
    return_approval: '退换货审批',
    return_settlement: '退换货结算',
    complaint_analysis: '投诉问题分析',
    complaint_solution: '投诉解决方案制定',
    complaint_implementation: '投诉方案实施',
    complaint_feedback: '投诉处理反馈',
  },
  en: {
    acknowledge: 'acknowledgement',
    dispatch: 'dispatch',
    accept: 'technician acceptance',
    response: 'customer contact',
    on_site: 'on-site visit',
    resolution: 'resolution',
    resolution_max: 'maximum resolution',
    photos: 'photo upload',
    follow_up: 'follow-up',
    appointment: 'arrival at the booked time',
    callback: 'satisfaction call-back',
    quote: 'customer decision on the quote',
    parts: 'spare parts arrival',
    return_inspection: 'return inspection',
    return_approval: 'return approval',
    return_settlement: 'return settlement',
    complaint_analysis: 'complaint analysis',
    complaint_solution: 'complaint solution',
    complaint_implementation: 'complaint solution implemented',
    complaint_feedback: 'complaint feedback',
  },
};
export const LEVEL_LABELS: Record<SmsLang, Record<1 | 2 | 3, string>> = {
  zh: { 1: '派工组长', 2: '服务主管/技术支持', 3: '服务中心经理' },
  en: { 1: 'dispatch lead', 2: 'service supervisor / technical support', 3: 'service-centre manager' },
};
export const PHOTO_LABELS: Record<SmsLang, Record<PhotoKind, string>> = {
  zh: { before: '服务前照片', after: '服务后照片', signature: '客户签字服务单' },
  en: { before: 'before photo', after: 'after photo', signature: "customer's signed service report" },
};

/** Lifecycle 5: what returns and exchanges say (the customer's language; aliyunTemplates.ts sends the Chinese ones). */
export const RETURN_KIND_LABELS: Record<SmsLang, Record<ReturnKind, string>> = {
  zh: { return: '退货', exchange: '换货' },
  en: { return: 'return', exchange: 'exchange' },
};
export const COUNTED_FROM_LABELS: Record<SmsLang, Record<'purchase' | 'delivery', string>> = {
  zh: { purchase: '购买', delivery: '签收' },
  en: { purchase: 'purchase', delivery: 'delivery' },
};
export const FAULT_CAUSE_LABELS: Record<SmsLang, Record<FaultCause, string>> = {
  zh: { quality: '产品性能故障', misuse: '人为损坏', transport: '运输损坏', wear: '易损件正常损耗', other: '其他原因' },
  en: {
    quality: 'a performance fault',
    misuse: 'damage by misuse',
    transport: 'damage in transport',
    wear: 'normal wear',
    other: 'another cause',
  },
};
export const RETURN_OUTCOME_LABELS: Record<SmsLang, Record<GrantedOutcome, string>> = {
  zh: { refund: '退货退款', replacement: '换货', repair: '免费维修' },
  en: { refund: 'a refund', replacement: 'a replacement', repair: 'a free repair' },
};
/** Short refusal reasons (the Aliyun parameter; the texts below say more). */
export const REFUSAL_LABELS: Record<SmsLang, Record<RefusalReason, string>> = {
  zh: {
    window_passed: '已超过期限',
    cause_not_covered: '损坏不属于三包范围',
    no_fault_found: '检测未发现故障',
    out_of_warranty: '已超出三包有效期',
    other: '不符合退换货条件',
  },
  en: {
    window_passed: 'past the period',
    cause_not_covered: 'the damage is not covered',
    no_fault_found: 'no fault found',
    out_of_warranty: 'out of warranty',
    other: 'the conditions are not met',
  },
};

/** Why it was refused, in a sentence: the window, the cause, or the code's label. */
function refusalText(v: SmsVarsByKind['return_refused'], lang: SmsLang): string {
  const from = COUNTED_FROM_LABELS[lang][v.countedFrom ?? 'purchase'];
  const kind = RETURN_KIND_LABELS[lang][v.kind];
  if (v.reason === 'window_passed' && v.day !== undefined && v.window !== undefined) {
    return lang === 'zh'
      ? `自${from}之日起已 ${v.day} 天，超过 ${v.window} 天的${kind}期限`
      : `it is day ${v.day} since ${from}, past the ${v.window}-day ${kind} period`;
  }
  if (v.reason === 'cause_not_covered' && v.faultCause) {
    const cause = FAULT_CAUSE_LABELS[lang][v.faultCause];
    return lang === 'zh'
      ? `经检测，故障系${cause}所致，不属于三包范围`
      : `the inspection found ${cause}, which the guarantee does not cover`;
  }
  if (v.reason === 'no_fault_found') return lang === 'zh' ? '经检测，商品未发现性能故障' : 'the inspection found no fault in the product';
  return REFUSAL_LABELS[lang][v.reason];
}

/** The remedies still open after a refusal: "您仍可申请换货或免费维修。" / "You may still ask for …". */
function alternativesText(v: SmsVarsByKind['return_refused'], lang: SmsLang): string {
  const alts = (v.alternatives ?? []).map((o) => RETURN_OUTCOME_LABELS[lang][o]);
  if (!alts.length) return '';
  return lang === 'zh' ? `您仍可申请${alts.join('或')}。` : ` You may still ask for ${alts.join(' or ')}.`;
}

/** The status page link of a receipt, when there is one: "服务进度随时查询：<link> " / " Check its progress at any time: <link>". */
function tracked(v: Tracked, lang: SmsLang): string {
  if (isMissing(v.statusLink)) return '';
  return lang === 'zh' ? `服务进度随时查询：${v.statusLink} ` : ` Check its progress at any time: ${v.statusLink}`;
}

type Render<K extends SmsKind> = (v: SmsVarsByKind[K], f: Fmt) => string;

/** Formatting helpers bound to one language and zone. */
interface Fmt {
  sig: string;
  time(t: SmsTime): string;
  /** "14:00–16:00" style window; falls back to two full times across days. */
  window(from: SmsTime, to: SmsTime | undefined): string;
  duration(ms: number): string;
  hotline(v: { hotline?: string }): string;
  clean(s: string): string;
  /** An amount with its currency: "268.00 元" (zh, CNY), "CNY 268.00". */
  money(amount: string, currency: string): string;
}

/** The quote's breakdown, when given: "人工费 120.00 元，配件费 148.00 元" / "labour CNY 120.00, parts CNY 148.00". */
function breakdown(v: Quoted, f: Fmt, lang: SmsLang): string {
  const parts: string[] = [];
  if (!isMissing(v.labour)) parts.push(`${lang === 'zh' ? '人工费' : 'labour'} ${f.money(v.labour as string, v.currency)}`);
  if (!isMissing(v.parts)) parts.push(`${lang === 'zh' ? '配件费' : 'parts'} ${f.money(v.parts as string, v.currency)}`);
  return parts.join(lang === 'zh' ? '，' : ', ');
}

const ZH: { [K in SmsKind]: Render<K> } = {
  received: (v, f) =>
    `${f.sig}您的服务单 ${v.ticketNo} 已受理，我们将尽快安排工程师与您联系，请保持电话畅通。${tracked(v, 'zh')}${f.hotline(v)}`.trimEnd(),
  assigned: (v, f) =>
    `${f.sig}您的服务单 ${v.ticketNo} 已安排工程师${f.clean(v.technicianName)}（工号 ${v.technicianNo}，电话 ${v.technicianPhone}）为您服务，工程师将尽快与您联系预约上门时间。${f.hotline(v)}`,
  delay: (v, f) =>
    `${f.sig}非常抱歉，您的服务单 ${v.ticketNo} 的工程师安排有所延误${v.reason ? `（${f.clean(v.reason)}）` : ''}。我们正在为您优先安排，` +
    `${v.expectedBy ? `预计 ${f.time(v.expectedBy)} 前` : '将尽快'}与您联系。给您带来不便，敬请谅解。${f.hotline(v)}`,
  visit_booked: (v, f) =>
    `${f.sig}您的服务单 ${v.ticketNo} ${v.rescheduled ? '上门时间已改约为' : '已预约上门，时间为'} ${f.window(v.visitAt, v.visitEnd)}，` +
    `工程师${f.clean(v.technicianName)}${v.technicianPhone ? `（电话 ${v.technicianPhone}）` : ''}将准时上门，请届时留人在家。${f.hotline(v)}`,
  visit_reminder: (v, f) =>
    `${f.sig}上门提醒：您的服务单 ${v.ticketNo} 预约的上门时间为 ${f.time(v.visitAt)}，` +
    `工程师${f.clean(v.technicianName)}${v.technicianPhone ? `（电话 ${v.technicianPhone}）` : ''}将准时上门，请届时留人在家。${f.hotline(v)}`,
  completed: (v, f) =>
    `${f.sig}您的服务单 ${v.ticketNo} 已完成服务，感谢您的配合！请花一分钟为本次服务评价：${v.ratingLink} ${f.hotline(v)}`.trimEnd(),
  survey: (v, f) =>
    `${f.sig}满意度回访：您对服务单 ${v.ticketNo} 的服务满意吗？请点击 ${v.ratingLink} 打分（1–5 分），您的意见将帮助我们改进服务。`,
  revisit: (v, f) =>
    `${f.sig}非常抱歉，您的服务单 ${v.ticketNo} 的故障仍未排除。我们将重新安排工程师上门处理，工程师将尽快与您联系预约上门时间。${f.hotline(v)}`,
  follow_up_apology: (v, f) =>
    `${f.sig}非常抱歉本次服务（服务单 ${v.ticketNo}）未能让您满意。服务主管将${v.contactWithinHours ? `在 ${v.contactWithinHours} 小时内` : '尽快'}与您联系，跟进解决您的问题。${f.hotline(v)}`,
  cancelled: (v, f) =>
    `${f.sig}您的服务单 ${v.ticketNo} 已取消${v.reason ? `（原因：${f.clean(v.reason)}）` : ''}。如仍需服务，欢迎随时与我们联系。${f.hotline(v)}`,
  quote: (v, f) => {
    const b = breakdown(v, f, 'zh');
    return (
      `${f.sig}您的服务单 ${v.ticketNo} 工程师报价：合计 ${f.money(v.total, v.currency)}${b ? `（${b}）` : ''}。` +
      `请于 ${f.time(v.expiresAt)} 前点击 ${v.quoteLink} 确认或拒绝报价。${f.hotline(v)}`
    );
  },
  quote_reminder: (v, f) => {
    const b = breakdown(v, f, 'zh');
    return (
      `${f.sig}报价提醒：您的服务单 ${v.ticketNo} 的维修报价（合计 ${f.money(v.total, v.currency)}${b ? `，${b}` : ''}）尚待您确认。` +
      `请于 ${f.time(v.expiresAt)} 前点击 ${v.quoteLink} 确认或拒绝报价。${f.hotline(v)}`
    );
  },
  quote_declined: (v, f) =>
    `${f.sig}您已拒绝服务单 ${v.ticketNo} 的维修报价，本次服务已关闭。` +
    `${isZero(v.visitFee) ? '' : `您仅需支付上门费 ${f.money(v.visitFee, v.currency)}。`}如仍需服务，欢迎随时与我们联系。${f.hotline(v)}`,
  parts_expected: (v, f) =>
    `${f.sig}您的服务单 ${v.ticketNo} 的维修需要更换配件${v.partNames ? `（${f.clean(v.partNames)}）` : ''}，预计 ${f.time(v.expectedBy)} 前到货。` +
    `配件到货后，工程师将与您联系预约上门时间。${f.hotline(v)}`,
  parts_delayed: (v, f) =>
    `${f.sig}非常抱歉，您的服务单 ${v.ticketNo} 所需配件未能在预计的 ${f.time(v.expectedBy)} 前到货，我们正在催促仓库尽快发货` +
    `${v.newExpectedBy ? `，预计 ${f.time(v.newExpectedBy)} 前到货` : ''}。配件到货后，工程师将与您联系预约上门时间。给您带来不便，敬请谅解。${f.hotline(v)}`,
  parts_arrived: (v, f) =>
    `${f.sig}您的服务单 ${v.ticketNo} 所需配件已到货，工程师将尽快致电您预约上门时间，请保持电话畅通。${f.hotline(v)}`,
  completed_report: (v, f) =>
    `${f.sig}您的服务单 ${v.ticketNo} 已完成服务，感谢您的配合！客户服务报告：${v.reportLink} 请花一分钟为本次服务评价：${v.ratingLink} ${f.hotline(v)}`.trimEnd(),
  return_accepted: (v, f) =>
    `${f.sig}您的${RETURN_KIND_LABELS.zh[v.kind]}申请（服务单 ${v.ticketNo}）已受理：自${COUNTED_FROM_LABELS.zh[v.countedFrom]}之日起第 ${v.day} 天，在期限内。` +
    `我们将尽快安排商品检测，请保留好商品、包装、配件及发票。${f.hotline(v)}`,
  return_refused: (v, f) =>
    `${f.sig}很抱歉，您的${RETURN_KIND_LABELS.zh[v.kind]}申请（服务单 ${v.ticketNo}）未能办理：${refusalText(v, 'zh')}。${alternativesText(v, 'zh')}` +
    `如有疑问，欢迎随时与我们联系。${f.hotline(v)}`,
  return_inspected: (v, f) =>
    `${f.sig}您的${RETURN_KIND_LABELS.zh[v.kind]}商品（服务单 ${v.ticketNo}）已完成检测：` +
    `${v.faultFound && v.faultCause ? `确认为${FAULT_CAUSE_LABELS.zh[v.faultCause]}` : '未发现性能故障'}。审批后我们将尽快通知您处理结果。${f.hotline(v)}`,
  return_approved: (v, f) =>
    `${f.sig}您的${RETURN_KIND_LABELS.zh[v.kind]}申请（服务单 ${v.ticketNo}）已审批：` +
    (v.outcome === 'refund'
      ? '同意退货退款，我们将尽快为您办理退款。'
      : v.outcome === 'replacement'
        ? '同意为您更换新机，我们将尽快与您联系换货事宜。'
        : '将为您安排免费维修，工程师将尽快与您联系预约上门时间。') +
    f.hotline(v),
  return_settled: (v, f) =>
    `${f.sig}您的服务单 ${v.ticketNo} ` +
    (v.outcome === 'refund'
      ? `退款 ${f.money(v.amount, v.currency)} 已办理，请注意查收。`
      : `已为您更换新机${v.direction === 'to_customer' ? `，差价 ${f.money(v.amount, v.currency)} 已退还给您` : v.direction === 'from_customer' ? `，已收到您补交的差价 ${f.money(v.amount, v.currency)}` : ''}。`) +
    `稍后我们将进行回访，感谢您的配合。${f.hotline(v)}`,
  complaint_registered: (v, f) =>
    `${f.sig}您的投诉已登记（服务单 ${v.ticketNo}），我们将认真调查处理，并及时向您反馈处理进展。${tracked(v, 'zh')}${f.hotline(v)}`.trimEnd(),
  complaint_analysed: (v, f) =>
    `${f.sig}您的投诉（服务单 ${v.ticketNo}）已完成调查分析，我们正在制定解决方案，将尽快告知您。${f.hotline(v)}`,
  complaint_solution: (v, f) =>
    `${f.sig}您的投诉（服务单 ${v.ticketNo}）的解决方案：${f.clean(v.solution)}。我们将按此方案尽快落实。${f.hotline(v)}`,
  complaint_implemented: (v, f) =>
    `${f.sig}您的投诉（服务单 ${v.ticketNo}）的解决方案已落实，客服人员将与您联系确认处理结果。${f.hotline(v)}`,
  complaint_closed: (v, f) => `${f.sig}您的投诉（服务单 ${v.ticketNo}）已处理完毕，感谢您的监督与反馈，我们将持续改进服务。${f.hotline(v)}`,
  tech_assignment: (v, f) =>
    `${f.sig}新工单 ${v.ticketNo}（${URGENCY_LABELS.zh[v.urgency]}）：${f.clean(v.productModel)}${v.problem ? `，${f.clean(v.problem)}` : ''}。` +
    `地址：${f.clean(v.address)}。请${v.acceptBy ? `于 ${f.time(v.acceptBy)} 前` : '尽快'}在工程师App中接单。`,
  tech_visit_reminder: (v, f) =>
    `${f.sig}上门提醒：工单 ${v.ticketNo}（${f.clean(v.productModel)}）预约上门时间为 ${f.time(v.visitAt)}，` +
    `地址：${f.clean(v.address)}。请准时到达。`,
  tech_photo_reminder: (v, f) =>
    `${f.sig}工单 ${v.ticketNo} 尚缺少：${v.missingPhotos.map((k) => PHOTO_LABELS.zh[k]).join('、')}。请立即在工程师App中补传。`,
  escalation_warning: (v, f) =>
    `${f.sig}时限预警：服务单 ${v.ticketNo}${v.urgency ? `（${URGENCY_LABELS.zh[v.urgency]}）` : ''}的「${MILESTONE_LABELS.zh[v.milestone]}」时限将于 ${f.time(v.dueAt)} 到期，请及时跟进。`,
  escalation_breach: (v, f) =>
    `${f.sig}超时升级：服务单 ${v.ticketNo}${v.urgency ? `（${URGENCY_LABELS.zh[v.urgency]}）` : ''}的「${MILESTONE_LABELS.zh[v.milestone]}」时限${v.overdueMs >= 60_000 ? `已超时 ${f.duration(v.overdueMs)}` : '已到期未完成'}，` +
    `已升级至 ${v.level} 级（${LEVEL_LABELS.zh[v.level]}），请立即处理。`,
  ops_alert: (v, f) => `${f.sig}运维告警：${f.clean(v.summary)}${v.ticketNo ? `（服务单 ${v.ticketNo}）` : ''}`,
};

const EN: { [K in SmsKind]: Render<K> } = {
  received: (v, f) =>
    `${f.sig}Your service request ${v.ticketNo} has been received. We will arrange a technician to contact you shortly; please keep your phone available.${tracked(v, 'en')}${f.hotline(v)}`,
  assigned: (v, f) =>
    `${f.sig}Technician ${f.clean(v.technicianName)} (ID ${v.technicianNo}, tel. ${v.technicianPhone}) has been assigned to your service request ${v.ticketNo} and will contact you soon to book a visit.${f.hotline(v)}`,
  delay: (v, f) =>
    `${f.sig}We are sorry: arranging a technician for your service request ${v.ticketNo} is taking longer than planned${v.reason ? ` (${f.clean(v.reason)})` : ''}. ` +
    `We are giving it priority and will contact you ${v.expectedBy ? `by ${f.time(v.expectedBy)}` : 'as soon as possible'}. Thank you for your patience.${f.hotline(v)}`,
  visit_booked: (v, f) =>
    `${f.sig}The visit for your service request ${v.ticketNo} ${v.rescheduled ? 'has been rescheduled to' : 'is booked for'} ${f.window(v.visitAt, v.visitEnd)}. ` +
    `Technician ${f.clean(v.technicianName)}${v.technicianPhone ? ` (tel. ${v.technicianPhone})` : ''} will arrive on time; please make sure someone is at home.${f.hotline(v)}`,
  visit_reminder: (v, f) =>
    `${f.sig}Reminder: the visit for your service request ${v.ticketNo} is at ${f.time(v.visitAt)}. ` +
    `Technician ${f.clean(v.technicianName)}${v.technicianPhone ? ` (tel. ${v.technicianPhone})` : ''} will arrive on time; please make sure someone is at home.${f.hotline(v)}`,
  completed: (v, f) =>
    `${f.sig}Your service request ${v.ticketNo} has been completed. Thank you! Please take a minute to rate our service: ${v.ratingLink}${f.hotline(v)}`,
  survey: (v, f) =>
    `${f.sig}How did we do? Please rate the service for request ${v.ticketNo} from 1 to 5: ${v.ratingLink} Your feedback helps us improve.`,
  revisit: (v, f) =>
    `${f.sig}We are sorry that the fault of your service request ${v.ticketNo} has not been fixed. We are sending a technician again, ` +
    `who will contact you shortly to book a visit.${f.hotline(v)}`,
  follow_up_apology: (v, f) =>
    `${f.sig}We are sorry that our service for request ${v.ticketNo} did not meet your expectations. A service supervisor will contact you ` +
    `${v.contactWithinHours ? `within ${v.contactWithinHours} hour${v.contactWithinHours === 1 ? '' : 's'}` : 'shortly'} to put things right.${f.hotline(v)}`,
  cancelled: (v, f) =>
    `${f.sig}Your service request ${v.ticketNo} has been cancelled${v.reason ? ` (reason: ${f.clean(v.reason)})` : ''}. If you still need help, please contact us at any time.${f.hotline(v)}`,
  quote: (v, f) => {
    const b = breakdown(v, f, 'en');
    return (
      `${f.sig}The technician's quote for your service request ${v.ticketNo}: ${f.money(v.total, v.currency)} in total${b ? ` (${b})` : ''}. ` +
      `Please approve or decline it at ${v.quoteLink} by ${f.time(v.expiresAt)}.${f.hotline(v)}`
    );
  },
  quote_reminder: (v, f) => {
    const b = breakdown(v, f, 'en');
    return (
      `${f.sig}Reminder: the quote for your service request ${v.ticketNo} (${f.money(v.total, v.currency)} in total${b ? `: ${b}` : ''}) awaits your decision. ` +
      `Please approve or decline it at ${v.quoteLink} by ${f.time(v.expiresAt)}.${f.hotline(v)}`
    );
  },
  quote_declined: (v, f) =>
    `${f.sig}You have declined the quote for your service request ${v.ticketNo}; the request is now closed. ` +
    `${isZero(v.visitFee) ? '' : `Only the visit fee of ${f.money(v.visitFee, v.currency)} is due. `}If you still need help, please contact us at any time.${f.hotline(v)}`,
  parts_expected: (v, f) =>
    `${f.sig}The repair for your service request ${v.ticketNo} needs spare parts${v.partNames ? ` (${f.clean(v.partNames)})` : ''}, expected by ${f.time(v.expectedBy)}. ` +
    `Once they arrive, the technician will contact you to book a return visit.${f.hotline(v)}`,
  parts_delayed: (v, f) =>
    `${f.sig}We are sorry: the spare parts for your service request ${v.ticketNo} did not arrive by ${f.time(v.expectedBy)} as expected. ` +
    `We are chasing the warehouse${v.newExpectedBy ? ` and now expect them by ${f.time(v.newExpectedBy)}` : ''}. ` +
    `Once they arrive, the technician will contact you to book the visit. Thank you for your patience.${f.hotline(v)}`,
  parts_arrived: (v, f) =>
    `${f.sig}The spare parts for your service request ${v.ticketNo} have arrived. The technician will call you shortly to book the visit; please keep your phone available.${f.hotline(v)}`,
  completed_report: (v, f) =>
    `${f.sig}Your service request ${v.ticketNo} has been completed. Thank you! Your service report: ${v.reportLink} Please take a minute to rate our service: ${v.ratingLink}${f.hotline(v)}`,
  return_accepted: (v, f) =>
    `${f.sig}Your ${RETURN_KIND_LABELS.en[v.kind]} request (service request ${v.ticketNo}) has been accepted: day ${v.day} since ${COUNTED_FROM_LABELS.en[v.countedFrom]}, within the period. ` +
    `We will arrange the inspection of the product shortly; please keep the product, its packaging, accessories and invoice.${f.hotline(v)}`,
  return_refused: (v, f) =>
    `${f.sig}We are sorry: your ${RETURN_KIND_LABELS.en[v.kind]} request (service request ${v.ticketNo}) cannot be granted: ${refusalText(v, 'en')}.${alternativesText(v, 'en')} ` +
    `If you have any questions, please contact us at any time.${f.hotline(v)}`,
  return_inspected: (v, f) =>
    `${f.sig}The product of your ${RETURN_KIND_LABELS.en[v.kind]} request (service request ${v.ticketNo}) has been inspected: ` +
    `${v.faultFound && v.faultCause ? `${FAULT_CAUSE_LABELS.en[v.faultCause]} was confirmed` : 'no performance fault was found'}. We will tell you the outcome once it is approved.${f.hotline(v)}`,
  return_approved: (v, f) =>
    `${f.sig}Your ${RETURN_KIND_LABELS.en[v.kind]} request (service request ${v.ticketNo}) has been approved: ` +
    (v.outcome === 'refund'
      ? 'you will get a refund; we are arranging it now.'
      : v.outcome === 'replacement'
        ? 'the product will be replaced; we will contact you to arrange the exchange.'
        : 'we will repair it free of charge; a technician will contact you to book a visit.') +
    f.hotline(v),
  return_settled: (v, f) =>
    `${f.sig}Service request ${v.ticketNo}: ` +
    (v.outcome === 'refund'
      ? `your refund of ${f.money(v.amount, v.currency)} has been paid.`
      : `your product has been replaced${v.direction === 'to_customer' ? `, and the price difference of ${f.money(v.amount, v.currency)} refunded to you` : v.direction === 'from_customer' ? `; we received the price difference of ${f.money(v.amount, v.currency)}` : ''}.`) +
    ` We will call you shortly to hear how it went. Thank you!${f.hotline(v)}`,
  complaint_registered: (v, f) =>
    `${f.sig}Your complaint has been registered (service request ${v.ticketNo}). We will look into it carefully and keep you informed.${tracked(v, 'en')}${f.hotline(v)}`,
  complaint_analysed: (v, f) =>
    `${f.sig}We have looked into your complaint (service request ${v.ticketNo}) and are working out a solution; we will let you know shortly.${f.hotline(v)}`,
  complaint_solution: (v, f) =>
    `${f.sig}Our solution to your complaint (service request ${v.ticketNo}): ${f.clean(v.solution)}. We will carry it out as soon as possible.${f.hotline(v)}`,
  complaint_implemented: (v, f) =>
    `${f.sig}The solution to your complaint (service request ${v.ticketNo}) has been carried out. Our service staff will contact you to confirm the result.${f.hotline(v)}`,
  complaint_closed: (v, f) =>
    `${f.sig}Your complaint (service request ${v.ticketNo}) has been settled and closed. Thank you for telling us; it helps us improve.${f.hotline(v)}`,
  tech_assignment: (v, f) =>
    `${f.sig}New job ${v.ticketNo} (${URGENCY_LABELS.en[v.urgency]}): ${f.clean(v.productModel)}${v.problem ? `, ${f.clean(v.problem)}` : ''}. ` +
    `Address: ${f.clean(v.address)}. Please accept it in the technician app ${v.acceptBy ? `by ${f.time(v.acceptBy)}` : 'as soon as possible'}.`,
  tech_visit_reminder: (v, f) =>
    `${f.sig}Visit reminder: job ${v.ticketNo} (${f.clean(v.productModel)}) is booked for ${f.time(v.visitAt)}. ` +
    `Address: ${f.clean(v.address)}. Please arrive on time.`,
  tech_photo_reminder: (v, f) =>
    `${f.sig}Job ${v.ticketNo} is missing: ${v.missingPhotos.map((k) => PHOTO_LABELS.en[k]).join(', ')}. Please upload them in the technician app now.`,
  escalation_warning: (v, f) =>
    `${f.sig}Deadline warning: the ${MILESTONE_LABELS.en[v.milestone]} deadline of service request ${v.ticketNo}${v.urgency ? ` (${URGENCY_LABELS.en[v.urgency]})` : ''} ` +
    `falls due at ${f.time(v.dueAt)}. Please follow up.`,
  escalation_breach: (v, f) =>
    `${f.sig}Deadline breached: service request ${v.ticketNo}${v.urgency ? ` (${URGENCY_LABELS.en[v.urgency]})` : ''} ${v.overdueMs >= 60_000 ? `is ${f.duration(v.overdueMs)} past its` : 'has reached its'} ` +
    `${MILESTONE_LABELS.en[v.milestone]} deadline unmet and has been escalated to level ${v.level} (${LEVEL_LABELS.en[v.level]}). Please act now.`,
  ops_alert: (v, f) => `${f.sig}Ops alert: ${f.clean(v.summary)}${v.ticketNo ? ` (request ${v.ticketNo})` : ''}`,
};

const TEMPLATES: Record<SmsLang, { [K in SmsKind]: Render<K> }> = { zh: ZH, en: EN };

/**
 * The text of one SMS. `lang` defaults to Chinese. Throws `SmsTemplateError` naming every missing or unusable
 * variable, so a bad activity input fails loudly (and non-retryably) instead of sending "undefined".
 */
export function renderSms<K extends SmsKind>(kind: K, lang: SmsLang | undefined, vars: SmsVarsByKind[K]): string {
  if (!(SMS_KINDS as readonly string[]).includes(kind)) throw new SmsTemplateError(`unknown SMS kind '${String(kind)}'`);
  const language = lang ?? 'zh';
  if (language !== 'zh' && language !== 'en') throw new SmsTemplateError(`unsupported SMS language '${String(lang)}' (zh or en)`);
  if (vars === null || typeof vars !== 'object') throw new SmsTemplateError(`SMS template '${kind}' needs a variables object`);

  const missing = REQUIRED[kind].filter((name) => isMissing((vars as Record<string, unknown>)[name]));
  if (missing.length > 0) {
    throw new SmsTemplateError(`SMS template '${kind}' (${language}) is missing variable(s): ${missing.join(', ')}`);
  }
  checkEnums(kind, vars as Record<string, unknown>);

  const render = TEMPLATES[language][kind] as Render<K>;
  return render(vars, formatter(language, vars as Common & Zoned));
}

const MONEY_KINDS: ReadonlySet<SmsKind> = new Set<SmsKind>(['quote', 'quote_reminder', 'quote_declined', 'return_settled']);
/** ISO 4217 code. */
const CURRENCY = /^[A-Z]{3}$/;
/** A formatted amount: "268.00", "1,268.00", "30". */
const AMOUNT = /^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/;

/** Whether `s` is a formatted amount ("268.00", "1,268.00"), as the quote kinds need. */
export function isAmount(s: string): boolean {
  return AMOUNT.test(s);
}

/** "0", "0.00": no fee to mention. */
function isZero(amount: string): boolean {
  return /^0+(\.0+)?$/.test(amount);
}

function isMissing(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (typeof value === 'number') return !Number.isFinite(value);
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/** Enum-valued variables must be known values: a label lookup would otherwise print "undefined". */
function checkEnums(kind: SmsKind, v: Record<string, unknown>): void {
  const bad: string[] = [];
  const check = (name: string, table: Record<string, string>) => {
    const value = v[name];
    if (value !== undefined && !(typeof value === 'string' || typeof value === 'number')) bad.push(name);
    else if (value !== undefined && !Object.prototype.hasOwnProperty.call(table, String(value))) bad.push(`${name}=${String(value)}`);
  };
  check('urgency', URGENCY_LABELS.zh);
  if (kind === 'escalation_warning' || kind === 'escalation_breach') check('milestone', MILESTONE_LABELS.zh);
  if (kind === 'escalation_breach') check('level', LEVEL_LABELS.zh);
  if (kind === 'tech_photo_reminder') {
    for (const k of v.missingPhotos as unknown[])
      if (!Object.prototype.hasOwnProperty.call(PHOTO_LABELS.zh, String(k))) bad.push(`missingPhotos=${String(k)}`);
  }
  if (kind.startsWith('return_')) {
    // Lifecycle 5: the labels of a return's texts (and the Aliyun parameters) come from these values.
    check('kind', RETURN_KIND_LABELS.zh);
    check('countedFrom', COUNTED_FROM_LABELS.zh);
    check('faultCause', FAULT_CAUSE_LABELS.zh);
    check('reason', REFUSAL_LABELS.zh);
    check('direction', { to_customer: '', from_customer: '', none: '' });
    if (kind === 'return_settled') check('outcome', { refund: '', replacement: '' });
    else check('outcome', RETURN_OUTCOME_LABELS.zh);
    const alts = v.alternatives;
    if (alts !== undefined && !(Array.isArray(alts) && alts.every((o) => Object.hasOwn(RETURN_OUTCOME_LABELS.zh, String(o)))))
      bad.push('alternatives');
  }
  if (MONEY_KINDS.has(kind)) {
    // Amounts arrive formatted ("268.00"): a number (fen, say) or stray text would reach the customer as a price.
    for (const name of ['total', 'labour', 'parts', 'visitFee', 'amount']) {
      const value = v[name];
      if (isMissing(value)) continue;
      if (typeof value !== 'string') bad.push(name);
      else if (!isAmount(value)) bad.push(`${name}=${value}`);
    }
    if (typeof v.currency !== 'string' || !CURRENCY.test(v.currency)) bad.push(`currency=${String(v.currency)}`);
  }
  if (bad.length > 0) throw new SmsTemplateError(`SMS template '${kind}' has invalid variable(s): ${bad.join(', ')}`);
}

interface DateFormats {
  full: Intl.DateTimeFormat;
  clock: Intl.DateTimeFormat;
  dayKey: Intl.DateTimeFormat;
}

/**
 * Intl.DateTimeFormat objects per language and zone, built once: constructing them cost ~0.3 ms per message
 * (three per render, most of a render's time; BENCHMARKS.md, "Fixes"). They are immutable, so sharing is safe.
 */
const DATE_FORMATS = new Map<string, DateFormats>();

function dateFormats(lang: SmsLang, timeZone: string): DateFormats {
  const key = `${lang}|${timeZone}`;
  let f = DATE_FORMATS.get(key);
  if (f) return f;
  try {
    f = {
      full: new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
        timeZone,
        month: lang === 'zh' ? 'numeric' : 'short',
        day: 'numeric',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
      clock: new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
      dayKey: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
    };
  } catch {
    throw new SmsTemplateError(`timeZone '${timeZone}' is not a valid IANA time zone`);
  }
  DATE_FORMATS.set(key, f);
  return f;
}

function formatter(lang: SmsLang, v: Common & Zoned): Fmt {
  const timeZone = v.timeZone ?? DEFAULT_SMS_TIME_ZONE;
  const { full, clock, dayKey } = dateFormats(lang, timeZone);

  const time = (t: SmsTime): string => {
    const p = Object.fromEntries(full.formatToParts(toDate(t)).map((x) => [x.type, x.value]));
    return lang === 'zh'
      ? `${p.month}月${p.day}日（${p.weekday}）${p.hour}:${p.minute}`
      : `${p.weekday} ${p.day} ${p.month}, ${p.hour}:${p.minute}`;
  };
  const brand = v.brand?.trim() || 'Aftercare';
  return {
    sig: lang === 'zh' ? `【${brand}】` : `[${brand}] `,
    time,
    window: (from, to) => {
      if (to === undefined) return time(from);
      const a = toDate(from);
      const b = toDate(to);
      // Same local day: "6月12日（周三）14:00–16:00"; otherwise both ends in full.
      return dayKey.format(a) === dayKey.format(b) ? `${time(a)}–${clock.format(b)}` : `${time(a)} – ${time(b)}`;
    },
    duration: (ms) => formatDuration(ms, lang),
    hotline: (x) => (x.hotline ? (lang === 'zh' ? `如有疑问请致电 ${x.hotline}。` : ` Questions? Call ${x.hotline}.`) : ''),
    clean: (s) => String(s).replace(/\s+/g, ' ').trim(),
    money: (amount, currency) => (lang === 'zh' && currency === 'CNY' ? `${amount} 元` : `${currency} ${amount}`),
  };
}

function toDate(t: SmsTime): Date {
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) throw new SmsTemplateError(`'${String(t)}' is not a valid time`);
  return d;
}

/** Rounded to the minute, at least one: "1小时5分钟" / "1 h 5 min", days shown as days and hours. */
function formatDuration(ms: number, lang: SmsLang): string {
  const totalMin = Math.max(1, Math.round(ms / 60_000));
  const d = Math.floor(totalMin / 1440);
  const h = Math.floor((totalMin % 1440) / 60);
  const m = totalMin % 60;
  const units = lang === 'zh' ? { d: '天', h: '小时', m: '分钟' } : { d: ' d', h: ' h', m: ' min' };
  const parts =
    d > 0
      ? [
          [d, units.d],
          [h, units.h],
        ]
      : [
          [h, units.h],
          [m, units.m],
        ];
  return parts
    .filter(([n]) => n !== 0)
    .map(([n, u]) => `${n}${u}`)
    .join(lang === 'zh' ? '' : ' ');
}
