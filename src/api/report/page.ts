/**
 * The customer's service report page (`GET /report/<token>`, lifecycle 4): the 《客户服务报告》 as a printable
 * mobile page, with a link to its PDF. Server-rendered in the rating page's frame (src/api/rating/page.ts:
 * language, escaping, layout, stylesheet), no script. Wording and sections come from
 * src/reports/serviceReport/labels.ts, shared with the PDF; every text is escaped here.
 */
import type { ServiceReportDocument } from '../../domain/serviceReport';
import { reportTexts, reportView, type ReportField, type ReportMessage, type ReportSection } from '../../reports/serviceReport/labels';
import { escapeHtml, layout, type Lang } from '../rating/page';

/** Where the page's own stylesheet is served (CSP `'self'`). */
export const REPORT_CSS_PATH = '/report/assets/report.css';
const STYLESHEET = `<link rel="stylesheet" href="${REPORT_CSS_PATH}">`;

const e = escapeHtml;
const idAttr = (id: string | undefined) => (id ? ` id="${e(id)}"` : '');

function fieldRows(fields: ReportField[]): string {
  return fields
    .map((f) => `<div class="field${f.long ? ' long' : ''}"><dt>${e(f.label)}</dt><dd${idAttr(f.id)}>${e(f.value)}</dd></div>`)
    .join('\n');
}

function section(s: ReportSection): string {
  return `<section id="section-${e(s.id)}"><h2>${e(s.heading)}</h2>\n<dl>\n${fieldRows(s.fields)}\n</dl></section>`;
}

export function renderReportPage(doc: ServiceReportDocument, lang: Lang, opts: { pdfUrl?: string } = {}): string {
  const t = reportTexts(lang);
  const v = reportView(doc, lang);
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  const th = (label: string, cls = '') => `<th scope="col"${cls ? ` class="${cls}"` : ''}>${e(label)}</th>`;
  const [item, qty, unitPrice, amount, oldPart] = v.lines.columns;
  const lineRows = v.lines.rows.length
    ? v.lines.rows
        .map(
          (r) =>
            `<tr><td>${e(r.name)}<br><span class="ref">${e(r.ref)}</span></td><td class="num">${e(r.quantity)}</td>` +
            `<td class="num">${e(r.unitPrice)}</td><td class="num">${e(r.amount)}</td><td class="old">${e(r.oldPart)}</td></tr>`,
        )
        .join('\n')
    : `<tr><td colspan="5" class="empty">${e(v.lines.empty)}</td></tr>`;
  const sum = (f: ReportField, cls = '') =>
    `<tr${cls ? ` class="${cls}"` : ''}><th scope="row">${e(f.label)}</th><td class="num"${idAttr(f.id)}>${e(f.value)}</td></tr>`;
  const payments = v.payments.rows.length
    ? `<table id="payments" class="lines">
<thead><tr>${v.payments.columns.map((c, i) => th(c, i === 2 ? 'num' : '')).join('')}</tr></thead>
<tbody>
${v.payments.rows.map(([at, method, paid, note]) => `<tr><td>${e(at)}</td><td>${e(method)}</td><td class="num">${e(paid)}</td><td>${e(note)}</td></tr>`).join('\n')}
</tbody>
</table>`
    : `<p id="payments" class="empty">${e(v.payments.empty)}</p>`;
  const tools = [
    `<a class="lang" href="?lang=${other}">${e(t.otherLang)}</a>`,
    opts.pdfUrl ? `<a id="pdf-link" class="pdf" href="${e(opts.pdfUrl)}">${e(t.downloadPdf)}</a>` : '',
  ].join('');
  return layout(
    lang,
    `${v.title} ${doc.ticket}`,
    `${STYLESHEET}
<nav class="tools">${tools}</nav>
<article id="report">
<header>
<h1>${e(v.title)}</h1>
<p class="ticket">${e(v.ticket.label)}: <strong id="ticket">${e(v.ticket.value)}</strong></p>
<p class="completed">${e(v.completedAt.label)}: <span id="completed-at">${e(v.completedAt.value)}</span></p>
</header>
${v.sections.map(section).join('\n')}
<section id="section-lines"><h2>${e(v.lines.heading)}</h2>
<table id="parts" class="lines">
<caption>${e(v.lines.unit)}</caption>
<thead><tr>${th(item)}${th(qty, 'num')}${th(unitPrice, 'num')}${th(amount, 'num')}${th(oldPart)}</tr></thead>
<tbody>
${lineRows}
</tbody>
</table></section>
<section id="section-charges"><h2>${e(v.charges.heading)}</h2>
<table id="charges" class="sums">
${v.charges.rows.map((r) => sum(r)).join('\n')}
${sum(v.charges.total, 'total')}
</table></section>
<section id="section-payments"><h2>${e(v.payments.heading)}</h2>
${payments}</section>
${section(v.checks)}
</article>`,
  );
}

/** Why a report link shows no report: expired, malformed, nothing stored (yet, or any more), storage down. */
export type ReportOutcome = ReportMessage;

/** A page with one message: why the report cannot be shown. The `h1` is the message's title. */
export function renderReportMessage(lang: Lang, outcome: ReportOutcome): string {
  const [title, detail] = reportTexts(lang).messages[outcome];
  return layout(lang, title, `${STYLESHEET}\n<h1 class="message ${outcome}">${e(title)}</h1><p>${e(detail)}</p>`);
}
