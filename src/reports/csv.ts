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

const NAMING_FIELDS = ['key', 'ref', 'technicianId', 'requestId'];

/** The element's naming field (its key, part number or technician), if it has one. */
function namingField(v: unknown): string | undefined {
  const o = v as Record<string, unknown> | null;
  return o && typeof o === 'object' ? NAMING_FIELDS.find((k) => typeof o[k] === 'string') : undefined;
}

/** Leaves of a JSON value with their paths; array elements are named by their naming field (then left out), else numbered. */
export function leaves(v: unknown, path: string[] = [], out: [string[], Cell][] = [], skip?: string): [string[], Cell][] {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      const field = namingField(x);
      const name = field ? String((x as Record<string, unknown>)[field]) : String(i + 1);
      leaves(x, [...path, name], out, field);
    });
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (k !== skip) leaves(x, [...path, k], out);
  } else out.push([path, v as Cell]);
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
