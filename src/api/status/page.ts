/**
 * The customer's status page (`GET /s/<token>`, issue 15: 消费者可随时查询服务进度): where the request stands, as a
 * list of stages — received, technician assigned (name and work number, as on the service card), visit booked
 * (the slot), on site, completed, service report (its link), rating — with the next time promised to the customer
 * in the policy's zone and the hotline. Complaints and returns show their own steps. Server-rendered in the
 * rating page's frame (src/api/rating/page.ts: escaping, layout, stylesheet), mobile-first, no script.
 *
 * It shows nothing of the customer (the state holds no name, phone or address) and only the technician's name
 * and work number (never their phone); every text is escaped.
 */
import type { Milestone } from '../../domain/types';
import type { ServiceRequestState } from '../../../workflows/messages';
import { escapeHtml as e, layout, type Lang } from '../rating/page';

/** Where the page's own stylesheet is served (CSP `'self'`), on top of the rating page's. */
export const STATUS_CSS_PATH = '/s/assets/status.css';

export type StageId =
  | 'received'
  | 'assigned'
  | 'booked'
  | 'on_site'
  | 'completed'
  | 'report'
  | 'rating'
  | 'inspection'
  | 'approval'
  | 'settlement'
  | 'analysis'
  | 'solution'
  | 'implementation'
  | 'feedback';
/** done: reached; current: what happens now; upcoming: not yet; skipped: not part of this request's way (or cancelled first). */
export type StageState = 'done' | 'current' | 'upcoming' | 'skipped';

export interface Stage {
  id: StageId;
  state: StageState;
  /** When it was reached (ISO), shown in the policy's zone. */
  at?: string;
  /** One line under the stage's name (already in the page's language). */
  detail?: string;
  link?: { href: string; text: string };
}

export type StatusMessage = 'invalid' | 'expired' | 'unavailable';

const TEXT = {
  zh: {
    title: '服务进度',
    ticket: '服务单号',
    colon: '：',
    otherLang: 'English',
    stages: {
      received: '已受理',
      assigned: '已派工程师',
      booked: '已预约上门',
      on_site: '工程师上门',
      completed: '服务完成',
      report: '客户服务报告',
      rating: '服务评价',
      inspection: '商品检测',
      approval: '审批',
      settlement: '退款/换货办理',
      analysis: '投诉调查',
      solution: '解决方案',
      implementation: '方案落实',
      feedback: '回访确认',
    } satisfies Record<StageId, string>,
    state: { done: '已完成', current: '进行中', upcoming: '未开始', skipped: '无需此步' } satisfies Record<StageState, string>,
    technician: (name: string, no: string) => `${name}（工号 ${no}）`,
    dispatching: '正在为您安排工程师',
    awaitingBooking: '工程师将尽快与您联系预约上门时间',
    visitAt: (t: string) => `预约时间：${t}`,
    onSiteNow: '工程师正在上门服务',
    remote: '已通过电话/远程为您解决，无需上门',
    onHold: '服务暂停中，恢复后我们将与您联系',
    quotePending: '维修报价待您确认（请查看报价短信中的链接）',
    waitingParts: '正在等待维修配件，到货后工程师将与您预约上门',
    reportOpen: '查看客户服务报告',
    reportNone: '本次服务没有服务报告',
    rated: (n: number) => `已评价：${n} 分（满分 5 分）`,
    ratedByCall: (n: number) => `回访评分：${n} 分（满分 5 分）`,
    awaitingRating: '请通过完工短信中的评价链接为本次服务打分',
    notRated: '未评价（评价链接已过期）',
    followUp: '服务主管正在跟进您的反馈',
    eligibleReturn: '申请已受理，等待商品检测',
    decision: { refund: '同意退货退款', replacement: '同意换货', repair: '改为免费维修', refused: '未能办理' } as Record<string, string>,
    next: '下一步',
    promise: {
      appointment: '工程师上门时间',
      dispatch: '为您安排工程师，不晚于',
      response: '工程师联系您预约，不晚于',
      on_site: '工程师上门，不晚于',
      resolution: '修复完成，不晚于',
      quote: '请确认维修报价，截止',
      parts: '配件预计到货',
      callback: '回访电话，不晚于',
      follow_up: '服务主管联系您，不晚于',
      return_inspection: '商品检测完成，不晚于',
      return_approval: '审批结果，不晚于',
      return_settlement: '退款/换货办理完成，不晚于',
      complaint_analysis: '投诉调查完成，不晚于',
      complaint_solution: '解决方案，不晚于',
      complaint_implementation: '方案落实，不晚于',
      complaint_feedback: '回访确认，不晚于',
    } as Partial<Record<Milestone, string>>,
    cancelled: '服务单已取消',
    cancelledReason: (r: string) => `原因：${r}`,
    closed: {
      closed: '服务已完成，服务单已关闭。感谢您的支持！',
      no_feedback: '服务已完成，服务单已关闭。感谢您的支持！',
      quote_declined: '您已拒绝维修报价，服务单已关闭。',
      return_refused: '退换货申请未能办理，服务单已关闭。',
    } as Record<string, string>,
    hotline: '服务热线',
    hotlineHint: '如有疑问，请致电服务热线',
    validUntil: (t: string) => `本链接有效期至 ${t}`,
    messages: {
      invalid: ['查询链接无效', '请检查短信中的链接是否完整。如需查询服务进度，请致电服务热线。'],
      expired: ['查询链接已过期', '该服务进度查询链接的有效期已过。如需查询，请致电服务热线。'],
      unavailable: ['服务暂时不可用', '请稍后刷新页面重试。'],
    } satisfies Record<StatusMessage, [string, string]>,
  },
  en: {
    title: 'Service progress',
    ticket: 'Ticket',
    colon: ': ',
    otherLang: '中文',
    stages: {
      received: 'Received',
      assigned: 'Technician assigned',
      booked: 'Visit booked',
      on_site: 'Technician on site',
      completed: 'Service completed',
      report: 'Service report',
      rating: 'Your rating',
      inspection: 'Product inspection',
      approval: 'Approval',
      settlement: 'Refund / replacement',
      analysis: 'Investigation',
      solution: 'Solution',
      implementation: 'Solution carried out',
      feedback: 'Your feedback',
    } satisfies Record<StageId, string>,
    state: { done: 'done', current: 'in progress', upcoming: 'not yet', skipped: 'not needed' } satisfies Record<StageState, string>,
    technician: (name: string, no: string) => `${name} (ID ${no})`,
    dispatching: 'We are arranging a technician for you',
    awaitingBooking: 'The technician will contact you shortly to book a visit',
    visitAt: (t: string) => `Booked for ${t}`,
    onSiteNow: 'The technician is with you',
    remote: 'Resolved by phone or remotely; no visit needed',
    onHold: 'On hold; we will contact you when it resumes',
    quotePending: 'A repair quote awaits your decision (see the link in the quote SMS)',
    waitingParts: 'Waiting for spare parts; the technician will book a visit once they arrive',
    reportOpen: 'Open the service report',
    reportNone: 'No service report for this service',
    rated: (n: number) => `Rated ${n} out of 5`,
    ratedByCall: (n: number) => `Rated ${n} out of 5 in the call-back`,
    awaitingRating: 'Please rate the service with the link in the completion SMS',
    notRated: 'Not rated (the rating link has expired)',
    followUp: 'A service supervisor is following up on your feedback',
    eligibleReturn: 'Accepted; the product will be inspected',
    decision: {
      refund: 'Refund approved',
      replacement: 'Replacement approved',
      repair: 'Free repair instead',
      refused: 'Not granted',
    } as Record<string, string>,
    next: 'Next',
    promise: {
      appointment: 'Technician visit',
      dispatch: 'A technician is assigned by',
      response: 'The technician contacts you to book a visit by',
      on_site: 'A technician is with you by',
      resolution: 'Fixed by',
      quote: 'Please decide on the quote by',
      parts: 'Spare parts expected by',
      callback: 'We call you back by',
      follow_up: 'A service supervisor contacts you by',
      return_inspection: 'Product inspected by',
      return_approval: 'Decision by',
      return_settlement: 'Refund or replacement by',
      complaint_analysis: 'Investigation done by',
      complaint_solution: 'Solution by',
      complaint_implementation: 'Solution carried out by',
      complaint_feedback: 'We ask for your feedback by',
    } as Partial<Record<Milestone, string>>,
    cancelled: 'This service request was cancelled',
    cancelledReason: (r: string) => `Reason: ${r}`,
    closed: {
      closed: 'The service is complete and the request is closed. Thank you!',
      no_feedback: 'The service is complete and the request is closed. Thank you!',
      quote_declined: 'You declined the repair quote; the request is closed.',
      return_refused: 'The return or exchange could not be granted; the request is closed.',
    } as Record<string, string>,
    hotline: 'Service hotline',
    hotlineHint: 'Questions? Call our service hotline',
    validUntil: (t: string) => `This link works until ${t}`,
    messages: {
      invalid: ['This link is not valid', 'Please check that the link from your SMS is complete, or call our service hotline.'],
      expired: ['This link has expired', 'The link to your service progress is no longer valid. Please call our service hotline.'],
      unavailable: ['Service temporarily unavailable', 'Please reload the page in a moment.'],
    } satisfies Record<StatusMessage, [string, string]>,
  },
};
type Texts = (typeof TEXT)[Lang];

/** "2026年12月3日周四 14:05" / "Thu, 3 December 2026 at 14:05", in the policy's zone. */
export function formatTime(iso: string, lang: Lang, timeZone: string): string {
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

const last = <T>(xs: readonly T[] | undefined, ok: (x: T) => boolean = () => true): T | undefined => {
  for (let i = (xs?.length ?? 0) - 1; i >= 0; i--) if (ok(xs![i]!)) return xs![i];
  return undefined;
};
const eventAt = (s: ServiceRequestState, event: string): string | undefined => last(s.timeline, (t) => t.event === event)?.at;

/** The technician serving the current visit: the last assignment not declined, timed out or replaced. */
function currentTechnician(s: ServiceRequestState): ServiceRequestState['assignments'][number] | undefined {
  return last(s.assignments, (a) => a.visit === s.visit && !a.declinedAt && !a.timedOutAt && !a.replacedAt);
}

/** How far the current visit got: 0 received, 1 technician, 2 booked, 3 on site, 4 completed. */
function progressOf(s: ServiceRequestState): number {
  const status = s.status === 'on_hold' ? (s.onHold?.resumeTo ?? 'scheduled') : s.status;
  if (status === 'completed' || status === 'follow_up') return 4;
  if (status === 'on_site' || status === 'quote_pending' || status === 'waiting_parts') return 3;
  if (status === 'scheduled') return 2;
  if (status === 'assigned' || status === 'accepted') return 1;
  if (status !== 'cancelled' && status !== 'closed') return 0;
  if (s.completion?.some((c) => c.resolved) || s.remoteResolution || s.returns?.settlement) return 4;
  // Cancelled (or a quote declined) before completion: as far as the facts of the current visit go.
  const tech = currentTechnician(s);
  const arrivedAt = eventAt(s, 'arrived');
  if (tech && ((arrivedAt && arrivedAt >= tech.assignedAt) || s.quotes?.length)) return 3;
  if (tech && s.appointment) return 2;
  return tech ? 1 : 0;
}

export interface StatusView {
  stages: Stage[];
  /** The next time promised to the customer: the booked visit, or the earliest open deadline they wait on. */
  next?: { label: string; at: string };
  /** A final state, or a pause, in a sentence. */
  banner?: { kind: 'cancelled' | 'closed' | 'on_hold'; text: string; detail?: string };
}

const stateOf = (progress: number, reachedAt: number): StageState =>
  progress >= reachedAt ? 'done' : progress === reachedAt - 1 ? 'current' : 'upcoming';

/** The visit line: assigned → booked → on site → completed, as far as `progress` reached. */
function visitStages(s: ServiceRequestState, t: Texts, fmt: (iso: string) => string): Stage[] {
  const progress = progressOf(s);
  const tech = currentTechnician(s);
  const remote = !!s.remoteResolution && progress >= 4 && !s.completion?.some((c) => c.resolved);
  const assigned: Stage = { id: 'assigned', state: stateOf(progress, 1) };
  if (tech && progress >= 1) Object.assign(assigned, { at: tech.assignedAt, detail: t.technician(tech.name, tech.workNumber) });
  else if (progress === 0 && ['dispatching', 'escalated', 'received'].includes(s.status)) assigned.detail = t.dispatching;
  // A consultation at first line: the hotline handles it; a technician only if it needs a visit.
  if (s.status === 'first_line') assigned.state = 'upcoming';
  const booked: Stage = { id: 'booked', state: stateOf(progress, 2) };
  if (s.appointment && progress >= 2) booked.detail = t.visitAt(fmt(s.appointment.at));
  else if (progress === 1 && s.status === 'accepted') booked.detail = t.awaitingBooking;
  const onSite: Stage = { id: 'on_site', state: stateOf(progress, 3) };
  const arrivedAt = eventAt(s, 'arrived');
  if (progress >= 3 && arrivedAt) onSite.at = arrivedAt;
  if (s.status === 'on_site') onSite.detail = t.onSiteNow;
  if (s.status === 'quote_pending') onSite.detail = t.quotePending;
  if (s.status === 'waiting_parts') onSite.detail = t.waitingParts;
  const completed: Stage = { id: 'completed', state: stateOf(progress, 4) };
  if (progress >= 4) completed.at = remote ? s.remoteResolution!.at : last(s.completion, (c) => c.resolved)?.at;
  if (remote) {
    // Resolved without a visit: the steps that did not happen were not needed (a technician may have been assigned).
    const happened: [Stage, boolean][] = [
      [assigned, !!tech],
      [booked, !!s.appointment],
      [onSite, !!arrivedAt && !!tech && arrivedAt >= tech.assignedAt],
    ];
    for (const [x, yes] of happened) if (!yes) Object.assign(x, { state: 'skipped', detail: undefined, at: undefined });
    completed.detail = t.remote;
  }
  return [assigned, booked, onSite, completed];
}

function reportStage(s: ServiceRequestState, t: Texts, done: boolean, reportUrl: string | undefined): Stage {
  if (!done) return { id: 'report', state: 'upcoming' };
  if (reportUrl) return { id: 'report', state: 'done', at: s.serviceReport?.stored?.at, link: { href: reportUrl, text: t.reportOpen } };
  return { id: 'report', state: 'skipped', detail: t.reportNone };
}

function ratingStage(s: ServiceRequestState, t: Texts, done: boolean): Stage {
  if (s.feedback) return { id: 'rating', state: 'done', at: s.feedback.at, detail: t.rated(s.feedback.score) };
  const call = s.callback?.outcome;
  if (call) return { id: 'rating', state: 'done', at: call.at, detail: t.ratedByCall(call.score) };
  if (s.outcome === 'no_feedback') return { id: 'rating', state: 'skipped', detail: t.notRated };
  if (done && s.status === 'completed') return { id: 'rating', state: 'current', detail: t.awaitingRating };
  return { id: 'rating', state: 'upcoming' };
}

function complaintStages(s: ServiceRequestState): Stage[] {
  const c = s.complaint!;
  const steps: [StageId, { at: string } | undefined][] = [
    ['analysis', c.analysis],
    ['solution', c.solution],
    ['implementation', c.implementation],
    ['feedback', c.feedback],
  ];
  let currentGiven = s.status === 'cancelled' || s.status === 'closed';
  return steps.map(([id, step]) => {
    if (step) return { id, state: 'done', at: step.at, ...(id === 'solution' && c.solution ? { detail: c.solution.solution } : {}) };
    const state: StageState = currentGiven ? 'upcoming' : 'current';
    currentGiven = true;
    return { id, state };
  });
}

function returnStages(s: ServiceRequestState, t: Texts): Stage[] {
  const r = s.returns!;
  const decided = r.decision;
  const final = s.status === 'cancelled' || s.status === 'closed';
  const inspection: Stage = r.inspection
    ? { id: 'inspection', state: 'done', at: r.inspection.at }
    : { id: 'inspection', state: final ? 'upcoming' : 'current', detail: t.eligibleReturn };
  const approval: Stage = decided
    ? { id: 'approval', state: 'done', at: decided.at, detail: t.decision[decided.outcome] }
    : { id: 'approval', state: r.inspection && !final ? 'current' : 'upcoming' };
  const settlement: Stage = r.settlement
    ? { id: 'settlement', state: 'done', at: r.settlement.at, detail: t.decision[r.settlement.outcome] }
    : { id: 'settlement', state: decided && decided.outcome !== 'refused' && !final ? 'current' : 'upcoming' };
  return [inspection, approval, settlement];
}

function nextPromise(s: ServiceRequestState, t: Texts): { label: string; at: string } | undefined {
  if (s.status === 'cancelled' || s.status === 'closed') return undefined;
  if (s.status === 'scheduled' && s.appointment) return { label: t.promise.appointment!, at: s.appointment.at };
  const open = s.deadlines
    // Only the deadlines the customer waits on have a promise label; internal ones (photos, accept …) do not.
    .filter((d) => d.status === 'pending' && t.promise[d.milestone])
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  return open ? { label: t.promise[open.milestone]!, at: open.dueAt } : undefined;
}

/** The page's content, language-bound; `reportUrl`: the stored service report's link, when there is one. */
export function statusView(s: ServiceRequestState, lang: Lang, timeZone: string, opts: { reportUrl?: string } = {}): StatusView {
  const t = TEXT[lang];
  const fmt = (iso: string) => formatTime(iso, lang, timeZone);
  const received: Stage = { id: 'received', state: 'done', at: s.receivedAt };
  let stages: Stage[];
  if (s.complaint) {
    stages = [received, ...complaintStages(s)];
  } else {
    const returnLine = s.returns && s.returns.decision?.outcome !== 'repair';
    const head = returnLine ? returnStages(s, t) : visitStages(s, t, fmt);
    const done = returnLine ? !!s.returns?.settlement : progressOf(s) >= 4;
    const tail = returnLine ? [] : [reportStage(s, t, done, opts.reportUrl)];
    if (returnLine && s.returns?.decision && s.returns.decision.outcome !== 'refused')
      tail.push({ id: 'completed', state: done ? 'done' : 'upcoming' });
    const rated = s.returns?.eligibility.eligible === false || s.returns?.decision?.outcome === 'refused' ? [] : [ratingStage(s, t, done)];
    stages = [received, ...head, ...tail, ...rated];
  }
  if (s.status === 'cancelled') {
    stages = stages.map((x) => (x.state === 'done' ? x : { id: x.id, state: 'skipped' }));
    const reason = s.cancelReason?.trim();
    return { stages, banner: { kind: 'cancelled', text: t.cancelled, ...(reason ? { detail: t.cancelledReason(reason) } : {}) } };
  }
  const next = nextPromise(s, t);
  if (s.status === 'closed') {
    stages = stages.map((x) => (x.state === 'current' || x.state === 'upcoming' ? { id: x.id, state: 'skipped', detail: x.detail } : x));
    return { stages, banner: { kind: 'closed', text: t.closed[s.outcome ?? 'closed'] ?? t.closed.closed! } };
  }
  if (s.status === 'follow_up') stages = stages.map((x) => (x.id === 'rating' ? { ...x, detail: `${x.detail ?? ''} · ${t.followUp}` } : x));
  return { stages, ...(next ? { next } : {}), ...(s.status === 'on_hold' ? { banner: { kind: 'on_hold', text: t.onHold } } : {}) };
}

export interface StatusPageInput {
  lang: Lang;
  state: ServiceRequestState;
  timeZone: string;
  hotline?: string;
  /** The link's expiry (ISO), shown at the foot. */
  expiresAt: string;
  reportUrl?: string;
}

function hotlineBlock(t: Texts, hotline: string | undefined): string {
  if (!hotline) return '';
  const tel = hotline.replace(/[^\d+]/g, '');
  return `<p id="hotline" class="hotline">${e(t.hotlineHint)}${t.colon}<a href="tel:${e(tel)}">${e(hotline)}</a></p>`;
}

export function renderStatusPage(p: StatusPageInput): string {
  const t = TEXT[p.lang];
  const v = statusView(p.state, p.lang, p.timeZone, { reportUrl: p.reportUrl });
  const fmt = (iso: string) => formatTime(iso, p.lang, p.timeZone);
  const other: Lang = p.lang === 'zh' ? 'en' : 'zh';
  const items = v.stages
    .map(
      (s) =>
        `<li id="stage-${s.id}" class="stage ${s.state}" data-state="${s.state}">` +
        `<span class="dot" aria-hidden="true"></span><div class="what"><strong>${e(t.stages[s.id])}</strong>` +
        `<span class="state">${e(t.state[s.state])}</span>` +
        (s.at ? `<time datetime="${e(s.at)}">${e(fmt(s.at))}</time>` : '') +
        (s.detail ? `<p class="detail">${e(s.detail)}</p>` : '') +
        (s.link ? `<p class="detail"><a id="${s.id}-link" href="${e(s.link.href)}">${e(s.link.text)}</a></p>` : '') +
        `</div></li>`,
    )
    .join('\n');
  const banner = v.banner
    ? `<p id="banner" class="banner ${v.banner.kind}">${e(v.banner.text)}${v.banner.detail ? `<br><span>${e(v.banner.detail)}</span>` : ''}</p>`
    : '';
  const next = v.next
    ? `<p id="next" class="next">${e(t.next)} · ${e(v.next.label)}${t.colon}<time datetime="${e(v.next.at)}">${e(fmt(v.next.at))}</time></p>`
    : '';
  return layout(
    p.lang,
    `${t.title} ${p.state.ticket}`,
    `<link rel="stylesheet" href="${STATUS_CSS_PATH}">
<p class="lang"><a href="?lang=${other}">${e(t.otherLang)}</a></p>
<h1 id="heading">${e(t.title)}</h1>
<p class="ticket">${e(t.ticket)}${t.colon}<strong id="ticket">${e(p.state.ticket)}</strong></p>
${banner}${next}
<ol id="stages" class="stages" data-status="${e(p.state.status)}">
${items}
</ol>
${hotlineBlock(t, p.hotline)}
<p class="valid">${e(t.validUntil(fmt(p.expiresAt)))}</p>`,
  );
}

/** Why the link shows no progress (invalid, forged, unknown request; expired; unavailable), with the hotline. */
export function renderStatusMessage(lang: Lang, outcome: StatusMessage, hotline?: string): string {
  const t = TEXT[lang];
  const [title, detail] = t.messages[outcome];
  return layout(
    lang,
    title,
    `<h1 class="message ${outcome}" id="message" data-outcome="${outcome}">${e(title)}</h1><p>${e(detail)}</p>${hotlineBlock(t, hotline)}`,
  );
}

export const STATUS_CSS = `.stages{list-style:none;margin:16px 0;padding:0}
.stage{display:flex;gap:12px;position:relative;padding:0 0 16px}
.stage:not(:last-child)::before{content:"";position:absolute;left:7px;top:18px;bottom:0;width:2px;background:#cbd2d9}
.stage.done:not(:last-child)::before{background:#2680c2}
.dot{flex:0 0 16px;height:16px;border-radius:50%;border:2px solid #cbd2d9;background:#fff;margin-top:3px;z-index:1}
.stage.done .dot{background:#2680c2;border-color:#2680c2}
.stage.current .dot{border-color:#2680c2;box-shadow:0 0 0 4px #d1eefc}
.stage.skipped .dot{border-style:dashed}
.what{flex:1;min-width:0}
.what strong{display:inline-block;margin-right:8px}
.stage.upcoming strong,.stage.skipped strong{color:#7b8794;font-weight:400}
.state{font-size:.8rem;color:#52606d;background:#f4f6f8;border-radius:4px;padding:1px 6px}
.stage.current .state{background:#d1eefc;color:#0b4f7c}
.what time{display:block;font-size:.85rem;color:#52606d;margin-top:2px}
.detail{margin:4px 0 0;font-size:.9rem;overflow-wrap:anywhere}
.next{background:#fffbea;border-left:4px solid #f0b429;padding:8px 10px;margin:12px 0}
.next time{font-weight:600}
.banner{padding:8px 10px;margin:12px 0;border-radius:6px;background:#f4f6f8}
.banner.cancelled{background:#ffe3e3;color:#610404}
.banner.closed{background:#e3f9e5;color:#05400a}
.banner.on_hold{background:#fffbea}
.hotline a{font-weight:600;white-space:nowrap}
.valid{font-size:.8rem;color:#7b8794}
`;
