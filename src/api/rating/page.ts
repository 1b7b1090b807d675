/**
 * The customer's rating page (`GET /r/<token>`): small, server-rendered, mobile-first, Chinese with an English
 * fallback. Everything interpolated is escaped; scripts and styles are separate files so the CSP can stay
 * `script-src 'self'`. Without JavaScript the form posts to the same URL and still works.
 */
export type Lang = 'zh' | 'en';

const TEXT = {
  zh: {
    title: '服务评价',
    heading: '请为本次服务评分',
    ticket: '工单号',
    stars: ['非常不满意', '不满意', '一般', '满意', '非常满意'],
    starsLegend: '评分（1–5 星）',
    comment: '留言（选填）',
    commentPlaceholder: '说说您的体验，例如师傅是否准时、问题是否解决',
    submit: '提交评价',
    sending: '正在提交…',
    chooseScore: '请先选择星级。',
    thanks: '感谢您的评价！',
    thanksDetail: '您的反馈将帮助我们改进服务。',
    lowScore: '很抱歉没有让您满意，客服专员将在 2 小时内与您联系。',
    used: '您已评价过本次服务，感谢您的反馈！',
    expired: '评价链接已过期',
    expiredDetail: '评价链接的有效期已过。如需反馈，请拨打客服热线。',
    invalid: '评价链接无效',
    invalidDetail: '请检查短信中的链接是否完整。',
    notAwaiting: '该工单当前无法评价',
    notAwaitingDetail: '评价已结束或服务尚未完成。',
    unavailable: '服务暂时不可用',
    unavailableDetail: '请稍后刷新页面重试。',
    failed: '提交失败，请稍后重试。',
    otherLang: 'English',
  },
  en: {
    title: 'Rate our service',
    heading: 'How was your service?',
    ticket: 'Ticket',
    stars: ['Very poor', 'Poor', 'Okay', 'Good', 'Excellent'],
    starsLegend: 'Rating (1–5 stars)',
    comment: 'Comment (optional)',
    commentPlaceholder: 'Tell us about it: was the technician on time, is the problem solved?',
    submit: 'Send rating',
    sending: 'Sending…',
    chooseScore: 'Please choose a number of stars first.',
    thanks: 'Thank you for your rating!',
    thanksDetail: 'Your feedback helps us improve.',
    lowScore: 'We are sorry we did not meet your expectations. Customer care will contact you within 2 hours.',
    used: 'You have already rated this service. Thank you!',
    expired: 'This rating link has expired',
    expiredDetail: 'The link is no longer valid. Please call our hotline to give feedback.',
    invalid: 'This rating link is not valid',
    invalidDetail: 'Please check that the link from your SMS is complete.',
    notAwaiting: 'This request cannot be rated now',
    notAwaitingDetail: 'Rating has closed, or the service is not finished yet.',
    unavailable: 'Service temporarily unavailable',
    unavailableDetail: 'Please reload the page in a moment.',
    failed: 'Could not send your rating. Please try again.',
    otherLang: '中文',
  },
} as const;

export type Texts = (typeof TEXT)[Lang];

export function texts(lang: Lang): Texts {
  return TEXT[lang];
}

/** `?lang=` wins; else the first of zh/en in Accept-Language by q-value; default zh. */
export function pickLanguage(acceptLanguage: string | undefined, override?: string): Lang {
  if (override === 'en' || override === 'zh') return override;
  if (!acceptLanguage) return 'zh';
  let best: { lang: Lang; q: number } | undefined;
  for (const part of acceptLanguage.slice(0, 500).split(',')) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.find((p) => p.trim().startsWith('q='));
    const q = qParam ? Number(qParam.trim().slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    const lang: Lang | undefined = tag.startsWith('zh') ? 'zh' : tag.startsWith('en') ? 'en' : undefined;
    if (lang && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'zh';
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

/** The customer pages' frame (rating, quote): head, the shared stylesheet, one card. */
export function layout(lang: Lang, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/r/assets/rating.css">
</head>
<body>
<main class="card">
${body}
</main>
</body>
</html>
`;
}

export interface FormView {
  lang: Lang;
  token: string;
  requestId: string;
  ticket: string;
}

export function renderForm(v: FormView): string {
  const t = texts(v.lang);
  const action = `/r/${encodeURIComponent(v.token)}?lang=${v.lang}`;
  const other: Lang = v.lang === 'zh' ? 'en' : 'zh';
  // Radios in reverse order so CSS can light up the hovered star and all before it.
  const stars = [5, 4, 3, 2, 1]
    .map(
      (n) =>
        `<input type="radio" id="star${n}" name="score" value="${n}" required>` +
        `<label for="star${n}" title="${escapeHtml(t.stars[n - 1] ?? '')}" aria-label="${n} · ${escapeHtml(t.stars[n - 1] ?? '')}">★</label>`,
    )
    .join('\n');
  return layout(
    v.lang,
    t.title,
    `<p class="lang"><a href="/r/${encodeURIComponent(v.token)}?lang=${other}">${escapeHtml(t.otherLang)}</a></p>
<h1 id="heading">${escapeHtml(t.heading)}</h1>
<p class="ticket">${escapeHtml(t.ticket)}: <strong>${escapeHtml(v.ticket)}</strong></p>
<form id="rating" method="post" action="${escapeHtml(action)}"
  data-request-id="${escapeHtml(v.requestId)}" data-token="${escapeHtml(v.token)}">
<fieldset class="stars">
<legend>${escapeHtml(t.starsLegend)}</legend>
<div class="star-row">
${stars}
</div>
<p id="star-caption" class="caption" aria-live="polite"></p>
</fieldset>
<label class="comment-label" for="comment">${escapeHtml(t.comment)}</label>
<textarea id="comment" name="comment" maxlength="1000" rows="4" placeholder="${escapeHtml(t.commentPlaceholder)}"></textarea>
<p id="form-error" class="error" role="alert" hidden></p>
<button type="submit" id="submit" data-sending="${escapeHtml(t.sending)}">${escapeHtml(t.submit)}</button>
</form>
<section id="result-thanks" hidden><h2>${escapeHtml(t.thanks)}</h2><p>${escapeHtml(t.thanksDetail)}</p><p id="low-score" hidden>${escapeHtml(t.lowScore)}</p></section>
<section id="result-used" hidden><h2>${escapeHtml(t.used)}</h2></section>
<section id="result-expired" hidden><h2>${escapeHtml(t.expired)}</h2><p>${escapeHtml(t.expiredDetail)}</p></section>
<template id="messages" data-choose-score="${escapeHtml(t.chooseScore)}" data-failed="${escapeHtml(t.failed)}" data-not-awaiting="${escapeHtml(t.notAwaiting)}"
  data-captions="${escapeHtml(JSON.stringify(t.stars))}"></template>
<script src="/r/assets/rating.js" defer></script>`,
  );
}

export type Outcome = 'thanks' | 'used' | 'expired' | 'invalid' | 'not_awaiting' | 'unavailable';

/** A page with one message: the result of a no-JS submit, or why the link cannot be used. */
export function renderMessage(lang: Lang, outcome: Outcome, opts: { lowScore?: boolean } = {}): string {
  const t = texts(lang);
  const [title, detail]: [string, string] = (<Record<Outcome, [string, string]>>{
    thanks: [t.thanks, opts.lowScore ? `${t.thanksDetail} ${t.lowScore}` : t.thanksDetail],
    used: [t.used, ''],
    expired: [t.expired, t.expiredDetail],
    invalid: [t.invalid, t.invalidDetail],
    not_awaiting: [t.notAwaiting, t.notAwaitingDetail],
    unavailable: [t.unavailable, t.unavailableDetail],
  })[outcome];
  return layout(lang, title, `<h1 class="message ${outcome}">${escapeHtml(title)}</h1>${detail ? `<p>${escapeHtml(detail)}</p>` : ''}`);
}
