/**
 * The report page's own styles (served from /report/assets/, CSP `'self'`), on top of the rating page's
 * stylesheet (src/api/rating/assets.ts), which the shared layout links. Printing gives black on white on A4,
 * without the links that only make sense on screen.
 */

export const REPORT_CSS = `.tools{display:flex;justify-content:flex-end;align-items:center;gap:16px;font-size:.9rem;margin-bottom:8px}
.tools a{color:#52606d}
.tools a.pdf{color:#fff;background:#2680c2;border-radius:6px;padding:4px 12px;text-decoration:none;font-weight:600}
#report header{border-bottom:2px solid #1f2933;padding-bottom:8px;margin-bottom:8px}
#report h1{text-align:center;letter-spacing:.1em;margin:.2em 0}
#report header p{margin:2px 0;color:#52606d;font-size:.95rem;text-align:center}
#report header strong{color:#1f2933}
#report section{margin:14px 0}
#report h2{font-size:1rem;margin:0 0 6px;padding:2px 0 2px 8px;border-left:4px solid #2680c2;background:#f4f6f8}
#report dl{margin:0}
.field{display:flex;gap:12px;padding:4px 0;border-bottom:1px solid #eef0f2}
.field dt{flex:0 0 6.5em;color:#52606d}
.field dd{margin:0;flex:1;min-width:0;overflow-wrap:anywhere}
.field.long dd{white-space:pre-line}
table.lines,table.sums{width:100%;border-collapse:collapse;font-size:.9rem}
table.lines caption{text-align:right;color:#52606d;font-size:.8rem;padding-bottom:4px}
table.lines th,table.lines td{padding:6px 4px;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
table.lines thead th{font-weight:600;color:#52606d;font-size:.8rem}
table.lines .num,table.sums .num{text-align:right;white-space:nowrap}
table.lines .old{font-size:.8rem;color:#52606d}
table.sums th{font-weight:400;text-align:right;padding:4px;color:#52606d}
table.sums td{padding:4px;width:9em}
table.sums tr.total th,table.sums tr.total td{font-weight:700;font-size:1.1rem;color:#1f2933;border-top:1px solid #1f2933}
.ref{color:#7b8794;font-size:.75rem}
.empty{color:#7b8794}
@page{size:A4;margin:15mm}
@media print{
body{background:#fff;color:#000;font-size:11pt}
.card{max-width:none;min-height:0;margin:0;padding:0;box-shadow:none;border-radius:0}
.tools{display:none}
#report h2{background:none;border-left-color:#000}
#report header p,.field dt,table.lines thead th,table.lines caption,table.sums th,.ref,.empty,table.lines .old,#report header strong{color:#000}
#report header{border-bottom-color:#000}
section,tr{break-inside:avoid}
}
`;
