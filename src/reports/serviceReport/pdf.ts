/**
 * The customer service report (《客户服务报告》) as an A4 PDF, drawn with pdfkit in a CJK font (./font.ts) that
 * is embedded as a subset with a ToUnicode map, so the Chinese can be read, searched and copied. Sections and
 * wording come from ./labels.ts, shared with the report page. Output is deterministic for a document (dates
 * from `completedAt`), so storing it twice writes the same bytes.
 */
import PDFDocument from 'pdfkit';
import type { ServiceReportDocument } from '../../domain/serviceReport';
import type { CjkFont } from './font';
import { reportTexts, reportView, type ReportField, type ReportLang, type ReportSection } from './labels';

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = { top: 40, left: 48, right: 48, bottom: 52 };
const WIDTH = A4.width - MARGIN.left - MARGIN.right;
const BOTTOM = A4.height - MARGIN.bottom;
const LABEL_WIDTH = 84;
const SIZE = { title: 20, heading: 10.5, body: 9.5, small: 7.5 };
/** Noto Sans CJK's own line height (1.45 em) is already loose: no extra gap between lines. */
const LINE_GAP = 0;
/** Shaded bars (section headings, table headers) and the padding of table cells. */
const BAR = 16;
const PAD = 3;
const INK = '#000000';
const GREY = '#555555';
const RULE = '#bbbbbb';
const SHADE = '#eeeeee';

type Column = { label: string; width: number; align?: 'left' | 'right' };

export function renderServiceReportPdf(doc: ServiceReportDocument, lang: ReportLang, font: CjkFont): Promise<Buffer> {
  const view = reportView(doc, lang);
  const t = reportTexts(lang);
  const created = new Date(doc.completedAt);
  const date = Number.isNaN(created.getTime()) ? new Date(0) : created;
  const pdf = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    lang: lang === 'zh' ? 'zh-CN' : 'en',
    displayTitle: true,
    info: { Title: `${view.title} ${doc.ticket}`, Producer: 'Aftercare', Creator: 'Aftercare', CreationDate: date, ModDate: date },
  });
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
    try {
      pdf.registerFont('cjk', font.file, font.family);
      pdf.font('cjk');
      draw(pdf, view);
      footer(pdf, `${view.title} · ${view.ticket.label} ${view.ticket.value}`, t.page);
      pdf.end();
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

function draw(pdf: PDFKit.PDFDocument, v: ReturnType<typeof reportView>): void {
  let y = MARGIN.top;
  const pageCount = () => pdf.bufferedPageRange().count;
  /** Starts a new page when `h` more points do not fit. */
  const room = (h: number) => {
    if (y + h <= BOTTOM) return;
    pdf.addPage();
    y = MARGIN.top;
  };
  /** Writes text at (x, at) and returns where it ended (on the next page when it was taller than the room left). */
  const write = (s: string, x: number, at: number, width: number, size: number, opts: PDFKit.Mixins.TextOptions = {}): number => {
    pdf.fontSize(size).text(s, x, at, { width, lineGap: LINE_GAP, ...opts });
    return pdf.y;
  };
  const height = (s: string, width: number, size: number) => pdf.fontSize(size).heightOfString(s, { width, lineGap: LINE_GAP });

  // Title block.
  pdf.fillColor(INK);
  y = write(v.title, MARGIN.left, y, WIDTH, SIZE.title, { align: 'center', characterSpacing: v.lang === 'zh' ? 2 : 0.5 }) + 4;
  pdf.fillColor(GREY);
  const sub = `${v.ticket.label}: ${v.ticket.value}    ${v.completedAt.label}: ${v.completedAt.value}`;
  y = write(sub, MARGIN.left, y, WIDTH, SIZE.body, { align: 'center' }) + 6;
  pdf
    .moveTo(MARGIN.left, y)
    .lineTo(MARGIN.left + WIDTH, y)
    .lineWidth(1.2)
    .strokeColor(INK)
    .stroke();
  y += 10;

  const heading = (text: string, after = 0) => {
    room(BAR + 4 + after);
    pdf.rect(MARGIN.left, y, WIDTH, BAR).fill(SHADE);
    pdf.rect(MARGIN.left, y, 3, BAR).fill(INK);
    pdf.fillColor(INK);
    write(text, MARGIN.left + 9, y + 0.5, WIDTH - 9, SIZE.heading);
    y += BAR + 4;
  };
  /** One row of fields side by side, each `width` wide: label on the left, value beside it. */
  const fieldRow = (fields: ReportField[], width: number) => {
    const labelWidth = Math.min(LABEL_WIDTH, width / 3);
    const valueWidth = width - labelWidth;
    room(Math.min(Math.max(...fields.map((f) => height(f.value, valueWidth, SIZE.body))), 120) + 4);
    const top = y;
    const page = pageCount();
    let end = top;
    fields.forEach((f, i) => {
      const x = MARGIN.left + i * width;
      pdf.fillColor(GREY);
      end = Math.max(end, write(f.label, x + 4, top, labelWidth - 8, SIZE.body));
      pdf.fillColor(INK);
      const valueEnd = write(f.value, x + labelWidth, top, valueWidth - 6, SIZE.body);
      // A value longer than the room left flowed onto the next page: carry on below it there.
      end = pageCount() === page ? Math.max(end, valueEnd) : valueEnd;
    });
    y = end + 2;
  };
  /** Short fields two to a row (the report fits one page more often); free text across the page. */
  const section = (s: ReportSection) => {
    heading(s.heading, 16);
    for (let i = 0; i < s.fields.length;) {
      const [f, next] = [s.fields[i], s.fields[i + 1]];
      if (!f) break;
      if (f.long) fieldRow([f], WIDTH);
      else fieldRow(next && !next.long ? [f, next] : [f], WIDTH / 2);
      i += f.long || !next || next.long ? 1 : 2;
    }
    y += 4;
  };
  /** A table: shaded header, one row per entry (cells may wrap; a second line of small grey text under the first cell). */
  const table = (columns: Column[], rows: { cells: string[]; note?: string }[], empty: string) => {
    const xs = columns.reduce<number[]>((acc, c, i) => [...acc, (acc[i] ?? MARGIN.left) + c.width], [MARGIN.left]);
    const cellOpts = (c: Column) => ({ align: c.align ?? 'left' }) as const;
    const rowHeight = (cells: string[], note?: string) =>
      Math.max(...cells.map((s, i) => height(s, (columns[i]?.width ?? 0) - 8, SIZE.body))) +
      (note ? height(note, (columns[0]?.width ?? 0) - 8, SIZE.small) : 0) +
      2 * PAD;
    const header = () => {
      room(BAR + 2);
      pdf.rect(MARGIN.left, y, WIDTH, BAR).fill(SHADE);
      pdf.fillColor(GREY);
      columns.forEach((c, i) => write(c.label, (xs[i] ?? 0) + 4, y + 2.5, c.width - 8, SIZE.small + 0.5, cellOpts(c)));
      y += BAR;
    };
    header();
    if (!rows.length) {
      pdf.fillColor(GREY);
      y = write(empty, MARGIN.left + 4, y + PAD, WIDTH - 8, SIZE.body) + PAD;
    }
    for (const r of rows) {
      const h = rowHeight(r.cells, r.note);
      if (y + h > BOTTOM) {
        pdf.addPage();
        y = MARGIN.top;
        header();
      }
      pdf.fillColor(INK);
      r.cells.forEach((s, i) => {
        const c = columns[i];
        if (c) write(s, (xs[i] ?? 0) + 4, y + PAD, c.width - 8, SIZE.body, cellOpts(c));
      });
      if (r.note) {
        const first = columns[0]?.width ?? 0;
        pdf.fillColor(GREY);
        write(r.note, MARGIN.left + 4, y + PAD + height(r.cells[0] ?? '', first - 8, SIZE.body), first - 8, SIZE.small);
      }
      y += h;
      pdf
        .moveTo(MARGIN.left, y)
        .lineTo(MARGIN.left + WIDTH, y)
        .lineWidth(0.5)
        .strokeColor(RULE)
        .stroke();
    }
    y += 6;
  };

  v.sections.forEach(section);

  const [item, qty, unitPrice, amount, oldPart] = v.lines.columns;
  heading(v.lines.heading, 40);
  pdf.fillColor(GREY);
  y = write(v.lines.unit, MARGIN.left, y - 2, WIDTH, SIZE.small, { align: 'right' });
  const lineColumns: Column[] = [
    { label: item, width: WIDTH - 276 },
    { label: qty, width: 40, align: 'right' },
    { label: unitPrice, width: 76, align: 'right' },
    { label: amount, width: 76, align: 'right' },
    { label: oldPart, width: 84 },
  ];
  table(
    lineColumns,
    v.lines.rows.map((r) => ({ cells: [r.name, r.quantity, r.unitPrice, r.amount, r.oldPart], note: r.ref })),
    v.lines.empty,
  );

  heading(v.charges.heading, 50);
  const sum = (f: ReportField, size: number) => {
    const w = 150;
    const x = MARGIN.left + WIDTH - w;
    pdf.fillColor(f.id ? INK : GREY);
    write(f.label, MARGIN.left, y, WIDTH - w - 12, size, { align: 'right' });
    pdf.fillColor(INK);
    y = write(f.value, x, y, w - 4, size, { align: 'right' }) + 2;
  };
  v.charges.rows.forEach((r) => sum(r, SIZE.body));
  pdf
    .moveTo(MARGIN.left + WIDTH - 260, y)
    .lineTo(MARGIN.left + WIDTH, y)
    .lineWidth(0.8)
    .strokeColor(INK)
    .stroke();
  y += 3;
  sum(v.charges.total, SIZE.heading + 1);
  y += 4;

  heading(v.payments.heading, 40);
  const [at, method, paid, note] = v.payments.columns;
  table(
    [
      { label: at, width: 130 },
      { label: method, width: 110 },
      { label: paid, width: 100, align: 'right' },
      { label: note, width: WIDTH - 340 },
    ],
    v.payments.rows.map((cells) => ({ cells })),
    v.payments.empty,
  );

  section(v.checks);
}

/** Ticket and "page n of m" at the foot of every page (drawn last, when the page count is known). */
function footer(pdf: PDFKit.PDFDocument, left: string, page: (n: number, of: number) => string): void {
  const { start, count } = pdf.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    pdf.switchToPage(i);
    // Below the bottom margin pdfkit would start a new page for the text: lift the margin while writing.
    const bottom = pdf.page.margins.bottom;
    pdf.page.margins.bottom = 0;
    const y = A4.height - 32;
    pdf
      .moveTo(MARGIN.left, y - 6)
      .lineTo(MARGIN.left + WIDTH, y - 6)
      .lineWidth(0.5)
      .strokeColor(RULE)
      .stroke();
    pdf.fillColor(GREY).fontSize(SIZE.small);
    pdf.text(left, MARGIN.left, y, { width: WIDTH / 2, lineBreak: false });
    pdf.text(page(i - start + 1, count), MARGIN.left + WIDTH / 2, y, { width: WIDTH / 2, align: 'right', lineBreak: false });
    pdf.page.margins.bottom = bottom;
  }
}
