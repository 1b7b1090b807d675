/**
 * The customer's quote page (`GET /q/<token>`, lifecycle 4): a chargeable repair's quote — each line, the labour,
 * parts and total amounts, the decision deadline — with Approve / Decline. Server-rendered in the rating page's
 * frame (src/api/rating/page.ts: language, escaping, layout, stylesheet), Chinese with an English fallback, no
 * script: the two buttons post the form to the same URL. Amounts are integers in fen, shown as yuan with two
 * decimals; times in the policy's time zone.
 */
import { formatAmount, formatMoney } from '../../domain/charges';
import type { ServiceRequestState } from '../../../workflows/messages';
import { escapeHtml, layout, texts as ratingTexts, type Lang } from '../rating/page';

export type Quote = NonNullable<ServiceRequestState['quotes']>[number];

const TEXT = {
  zh: {
    title: '维修报价确认',
    heading: '请确认维修报价',
    intro: '工程师检查后确认本次维修需要收费，报价如下：',
    item: '项目',
    quantity: '数量',
    unitPrice: '单价',
    amount: '金额',
    labour: '人工费',
    parts: '配件费',
    total: '合计',
    unit: (currency: string) => `金额单位：${currency === 'CNY' ? '元' : currency}`,
    note: '工程师备注',
    deadline: (at: string) => `请于 ${at} 前确认。`,
    approve: '同意报价，继续维修',
    decline: '拒绝报价',
    declineHint: '拒绝报价后本次服务结束，仅需支付上门费。',
    choose: '请选择同意或拒绝报价。',
    approved: '感谢您的确认！',
    approvedDetail: '工程师将继续为您维修。',
    declined: '您已拒绝本次报价',
    declinedFee: (fee: string) => `本次服务已结束，您仅需支付上门费 ${fee}。`,
    declinedNoFee: '本次服务已结束，无需支付费用。',
    declinedVisitFee: '本次服务已结束，您仅需支付上门费。',
    answered: '该报价已处理',
    answeredDetail: '报价已经确认或拒绝，或已不再等待您的答复。如有疑问，请拨打客服热线。',
    expired: '报价链接已过期',
    expiredDetail: '确认期限已过。请拨打客服热线确认或拒绝报价。',
    invalid: '报价链接无效',
    invalidDetail: '请检查短信中的链接是否完整。',
  },
  en: {
    title: 'Repair quote',
    heading: 'Please review the repair quote',
    intro: 'The technician found that this repair is chargeable. The quote:',
    item: 'Item',
    quantity: 'Qty',
    unitPrice: 'Unit price',
    amount: 'Amount',
    labour: 'Labour',
    parts: 'Parts',
    total: 'Total',
    unit: (currency: string) => `Amounts in ${currency}`,
    note: "Technician's note",
    deadline: (at: string) => `Please decide by ${at}.`,
    approve: 'Approve and repair',
    decline: 'Decline',
    declineHint: 'If you decline, the service ends and only the visit fee is due.',
    choose: 'Please approve or decline the quote.',
    approved: 'Thank you for approving the quote!',
    approvedDetail: 'The technician will go on with the repair.',
    declined: 'You declined the quote',
    declinedFee: (fee: string) => `The service is closed; only the visit fee of ${fee} is due.`,
    declinedNoFee: 'The service is closed; nothing is due.',
    declinedVisitFee: 'The service is closed; only the visit fee is due.',
    answered: 'This quote was already answered',
    answeredDetail: 'It has been approved or declined, or no longer awaits your decision. Questions? Please call our hotline.',
    expired: 'This quote link has expired',
    expiredDetail: 'The time to decide has passed. Please call our hotline to approve or decline the quote.',
    invalid: 'This quote link is not valid',
    invalidDetail: 'Please check that the link from your SMS is complete.',
  },
} as const;

const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** "6月3日（周二）10:00" / "Tue 3 Jun 2025, 10:00" in `timeZone` (the SMS's wording, with the year in English). */
export function formatTime(lang: Lang, iso: string, timeZone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const key = `${lang}|${timeZone}`;
  let f = DATE_FORMATS.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
      timeZone,
      year: 'numeric',
      month: lang === 'zh' ? 'numeric' : 'short',
      day: 'numeric',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    DATE_FORMATS.set(key, f);
  }
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  return lang === 'zh'
    ? `${p.year}年${p.month}月${p.day}日（${p.weekday}）${p.hour}:${p.minute}`
    : `${p.weekday} ${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute}`;
}

export interface QuoteView {
  lang: Lang;
  token: string;
  ticket: string;
  quote: Quote;
  /** IANA zone the deadline is shown in (the policy's). */
  timeZone: string;
  /** The form was sent without a decision: say so above the buttons. */
  chooseAgain?: boolean;
}

export function renderQuote(v: QuoteView): string {
  const t = TEXT[v.lang];
  const r = ratingTexts(v.lang);
  const q = v.quote;
  const other: Lang = v.lang === 'zh' ? 'en' : 'zh';
  const path = `/q/${encodeURIComponent(v.token)}`;
  const num = (n: number) => `<td class="num">${escapeHtml(formatAmount(n))}</td>`;
  const rows = q.lines
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.name[v.lang] || l.name.zh || l.ref)}<br><span class="ref">${escapeHtml(l.ref)}</span></td>` +
        `<td class="num">${l.quantity}</td>${num(l.unitPrice)}${num(l.amount)}</tr>`,
    )
    .join('\n');
  const sum = (label: string, amount: number, cls = '') =>
    `<tr${cls ? ` class="${cls}"` : ''}><th colspan="3" scope="row">${escapeHtml(label)}</th>${num(amount)}</tr>`;
  return layout(
    v.lang,
    t.title,
    `<link rel="stylesheet" href="/q/assets/quote.css">
<p class="lang"><a href="${escapeHtml(`${path}?lang=${other}`)}">${escapeHtml(r.otherLang)}</a></p>
<h1>${escapeHtml(t.heading)}</h1>
<p class="ticket">${escapeHtml(r.ticket)}: <strong>${escapeHtml(v.ticket)}</strong></p>
<p>${escapeHtml(t.intro)}</p>
<table class="lines">
<caption>${escapeHtml(t.unit(q.currency))}</caption>
<thead><tr><th scope="col">${escapeHtml(t.item)}</th><th scope="col" class="num">${escapeHtml(t.quantity)}</th><th scope="col" class="num">${escapeHtml(t.unitPrice)}</th><th scope="col" class="num">${escapeHtml(t.amount)}</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot>
${sum(t.labour, q.labour)}
${sum(t.parts, q.parts)}
${sum(t.total, q.total, 'total')}
</tfoot>
</table>
${q.note ? `<p class="note"><strong>${escapeHtml(t.note)}:</strong> ${escapeHtml(q.note)}</p>\n` : ''}<p class="deadline">${escapeHtml(t.deadline(formatTime(v.lang, q.expiresAt, v.timeZone)))}</p>
<form id="quote" method="post" action="${escapeHtml(`${path}?lang=${v.lang}`)}">
${v.chooseAgain ? `<p class="error" role="alert">${escapeHtml(t.choose)}</p>\n` : ''}<div class="actions">
<button type="submit" name="approved" value="true" class="approve">${escapeHtml(t.approve)}</button>
<button type="submit" name="approved" value="false" class="decline">${escapeHtml(t.decline)}</button>
</div>
<p class="hint">${escapeHtml(t.declineHint)}</p>
</form>`,
  );
}

/** What a quote link can come to: the customer's answer, or why the link cannot be used. */
export type QuoteOutcome = 'approved' | 'declined' | 'answered' | 'expired' | 'invalid' | 'unavailable';

/** A page with one message: the answer's result, or why the link cannot be used. */
export function renderQuoteMessage(
  lang: Lang,
  outcome: QuoteOutcome,
  opts: { visitFee?: { amount: number; currency: string } } = {},
): string {
  const t = TEXT[lang];
  const r = ratingTexts(lang);
  const fee = opts.visitFee;
  const [title, detail]: [string, string] = (<Record<QuoteOutcome, [string, string]>>{
    approved: [t.approved, t.approvedDetail],
    declined: [
      t.declined,
      !fee ? t.declinedVisitFee : fee.amount > 0 ? t.declinedFee(formatMoney(lang, fee.amount, fee.currency)) : t.declinedNoFee,
    ],
    answered: [t.answered, t.answeredDetail],
    expired: [t.expired, t.expiredDetail],
    invalid: [t.invalid, t.invalidDetail],
    unavailable: [r.unavailable, r.unavailableDetail],
  })[outcome];
  return layout(
    lang,
    title,
    `<link rel="stylesheet" href="/q/assets/quote.css">
<h1 class="message ${outcome}">${escapeHtml(title)}</h1>${detail ? `<p>${escapeHtml(detail)}</p>` : ''}`,
  );
}
