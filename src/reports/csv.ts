/**
 * CSV beside JSON for the reports (docs/operations.md, "CSV"). A few lines of our own rather than a library: the
 * reports are small, the rules are RFC 4180's and fit in one function, and every choice below is one a library
 * would need configuring for anyway.
 *
 * - UTF-8 with a byte-order mark: Excel (the managers' tool) opens a BOM-less UTF-8 file in the machine's ANSI code
 *   page (GBK on a Chinese Windows), which garbles 中文 product names and regions; with the BOM it reads UTF-8, and
 *   other readers (LibreOffice, pandas with `utf-8-sig`, Python's csv) accept or skip it;
 * - CRLF line ends (RFC 4180), one header row;
 * - a field is quoted when it holds a comma, a quote, CR or LF, or starts or ends with a space; quotes inside are
 *   doubled;
 * - text that a spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading apostrophe
 *   (OWASP's CSV-injection advice): report cells hold names typed by people. Numbers are written as numbers;
 * - null and absent values are empty fields; numbers are written as JavaScript prints them (a dot as decimal mark).
 */

export const BOM = '\uFEFF';

export type Cell = string | number | boolean | null | undefined;

export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document: BOM, the header, the rows, each line ended by CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return BOM + [header, ...rows].map((r) => `${r.map(csvCell).join(',')}\r\n`).join('');
}

/** The element's name in a path: its key, part number or technician, else its position. */
function elementName(v: unknown, i: number): string {
  const o = v as Record<string, unknown> | null;
  for (const k of ['key', 'ref', 'technicianId', 'requestId']) if (o && typeof o[k] === 'string') return o[k] as string;
  return String(i + 1);
}

/** Leaves of a JSON value with their paths; arrays of objects are named by their elements' keys. */
export function leaves(v: unknown, path: string[] = [], out: [string[], Cell][] = []): [string[], Cell][] {
  if (Array.isArray(v)) v.forEach((x, i) => leaves(x, [...path, elementName(x, i)], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) leaves(x, [...path, k], out);
  else out.push([path, v as Cell]);
  return out;
}

/**
 * A report as a long table, one figure a line: `section,item,measure,value` — the top-level section (`sla`,
 * `byRegion` …; empty for the report's own fields), what in it (a milestone, a region …; nested names joined by
 * `.`), the figure's name and its value. Pivot tables read it as is.
 */
export function reportCsv(report: object): string {
  const rows = leaves(report).map(([path, value]): Cell[] => {
    if (path.length === 1) return ['', '', path[0], value];
    return [path[0], path.slice(1, -1).join('.'), path[path.length - 1], value];
  });
  return toCsv(['section', 'item', 'measure', 'value'], rows);
}
