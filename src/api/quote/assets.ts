/**
 * The quote page's own styles (served from /q/assets/, CSP `'self'`), on top of the rating page's stylesheet
 * (src/api/rating/assets.ts), which the shared layout links.
 */

export const QUOTE_CSS = `table.lines{width:100%;border-collapse:collapse;margin:8px 0 16px;font-size:.95rem}
table.lines caption{text-align:right;color:#52606d;font-size:.85rem;padding-bottom:4px}
table.lines th,table.lines td{padding:8px 4px;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
table.lines thead th{font-weight:600;color:#52606d;font-size:.85rem}
table.lines .num{text-align:right;white-space:nowrap}
table.lines tfoot th{font-weight:400;text-align:right}
table.lines tr.total th,table.lines tr.total td{font-weight:700;font-size:1.1rem;border-bottom:0}
.ref{color:#7b8794;font-size:.8rem}
.note{color:#3e4c59}
.deadline{background:#fff8e1;border-radius:8px;padding:10px 12px;font-weight:600}
.actions{display:flex;flex-direction:column;gap:10px;margin-top:16px}
button.decline{background:#fff;color:#ba2525;border:1px solid #ba2525}
.hint{color:#52606d;font-size:.9rem}
.message.approved{color:#207d3a}
`;
