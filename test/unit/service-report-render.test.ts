/**
 * The customer service report's renderers: the page (zh/en, escaped, masked, print-friendly) and the PDF, whose
 * Chinese must survive as text — pdftotext (poppler-utils) reads it back, which proves the CJK glyphs are
 * embedded with a ToUnicode map. The first page of each PDF is kept as a PNG in test-artifacts/ to look at.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_CSS } from '../../src/api/report/assets';
import { renderReportMessage, renderReportPage, type ReportOutcome } from '../../src/api/report/page';
import { maskName, type ServiceReportDocument } from '../../src/domain/serviceReport';
import { findCjkFont, type CjkFont } from '../../src/reports/serviceReport/font';
import { formatDateTime, maskPhone } from '../../src/reports/serviceReport/labels';
import { renderServiceReportPdf } from '../../src/reports/serviceReport/pdf';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

const DOC: ServiceReportDocument = {
  version: 1,
  requestId: 'svc-7f3a9c',
  ticket: 'SR-20261202-0007',
  visit: 1,
  tokenId: 'tok-1',
  completedAt: '2026-12-02T06:05:00Z',
  timeZone: 'Asia/Shanghai',
  language: 'zh',
  customer: { name: maskName('张三丰'), phone: '138****8000' },
  product: { category: 'gas_water_heater', model: 'JSQ25-13', serialNumber: 'GW2024031800123', purchaseDate: '2024-03-18' },
  technician: { id: 'tech-42', name: '李建国', workNumber: 'T1024' },
  warranty: { status: 'out_of_warranty', coverUntil: '2026-03-18', months: 24 },
  chargeable: { chargeable: true, reason: 'out of warranty since 2026-03-19' },
  faultCause: 'wear',
  diagnosis: '点火针积碳，点火器老化，无法稳定点火',
  workDone: '更换点火器，清理点火针积碳。\n试机正常 <script>alert(1)</script>',
  labour: [
    {
      kind: 'labour',
      ref: 'L-DIAG',
      name: { zh: '上门检测', en: 'On-site diagnosis' },
      quantity: 1,
      unitPrice: 5000,
      amount: 5000,
    },
    {
      kind: 'labour',
      ref: 'L-IGN',
      name: { zh: '更换点火器工时', en: 'Igniter fitting' },
      quantity: 1,
      unitPrice: 8000,
      amount: 8000,
    },
  ],
  partsUsed: [
    {
      kind: 'part',
      ref: 'P-IGN-25',
      name: { zh: '点火器', en: 'Igniter' },
      quantity: 1,
      unitPrice: 13800,
      amount: 13800,
      oldPartShown: true,
    },
  ],
  charges: { labour: 13000, parts: 13800, total: 26800, currency: 'CNY' },
  payments: [{ at: '2026-12-02T06:10:00Z', method: 'on_site', amount: 26800 }],
  testRun: { done: true, minutes: 10 },
  useExplained: true,
  signature: { key: 'requests/svc-7f3a9c/signature.jpg', contentType: 'image/jpeg' },
};

/** Same folder as the e2e tests' saveArtifact (test/e2e/api-stack.ts), without loading the e2e stack. */
const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts');
function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** A poppler tool, or a failure that says how to get it: the PDF's text is the test, so it is never skipped. */
function poppler(tool: 'pdftotext' | 'pdftoppm', args: string[], input?: Buffer): string {
  const r = spawnSync(tool, args, { input, encoding: 'utf8' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`${tool} is missing: apt-get install poppler-utils (npm run provision:system installs it)`);
  }
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const pdfText = (pdf: Buffer) => poppler('pdftotext', ['-enc', 'UTF-8', '-', '-'], pdf);
const squash = (s: string) => s.replace(/\s+/g, '');

function cjkFont(): CjkFont {
  const font = findCjkFont();
  if (!font) throw new Error('no CJK font for the PDF: apt-get install fonts-noto-cjk (npm run provision:system installs it)');
  return font;
}

describe('report page', () => {
  const zh = renderReportPage(DOC, 'zh', { pdfUrl: '/report/tok.abc/pdf?lang=zh&x="1"' });
  const en = renderReportPage(DOC, 'en', { pdfUrl: '/report/tok.abc/pdf?lang=en' });

  it('shows the ticket, the masked customer and every line in Chinese', () => {
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain('<article id="report">');
    expect(zh).toContain('<h1>客户服务报告</h1>');
    expect(zh).toContain('<strong id="ticket">SR-20261202-0007</strong>');
    expect(zh).toContain('张**');
    expect(zh).not.toContain('张三丰');
    expect(zh).toContain('138****8000');
    expect(zh).not.toMatch(/1\d{10}/);
    for (const name of ['上门检测', '更换点火器工时', '点火器', 'P-IGN-25']) expect(zh).toContain(name);
    expect(zh).toMatch(/<table id="parts" class="lines">[\s\S]*点火器[\s\S]*<\/table>/);
    expect(zh).toContain('<td class="num">138.00</td>');
    expect(zh).toContain('<td class="num" id="charges-total">268.00 元</td>');
    expect(zh).toContain('130.00 元');
    expect(zh).toContain('2026年12月2日 14:05');
    expect(zh).toContain('gas_water_heater');
    expect(zh).toContain('JSQ25-13');
    expect(zh).toContain('李建国');
    expect(zh).toContain('T1024');
    for (const label of ['已过保修期', '正常磨损', '现场支付', '旧件已展示', '试机 10 分钟', '已向客户讲解使用方法'])
      expect(zh).toContain(label);
    expect(zh).toContain('<dd id="signature">有签字照片存档</dd>');
    expect(zh).toContain('点火针积碳，点火器老化，无法稳定点火');
  });

  it('escapes the document and runs no script', () => {
    expect(zh).toContain('试机正常 &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(zh).not.toMatch(/<script/i);
    expect(zh).toContain('<a id="pdf-link" class="pdf" href="/report/tok.abc/pdf?lang=zh&amp;x=&quot;1&quot;">下载 PDF</a>');
    const hostile = renderReportPage({ ...DOC, ticket: '"><img src=x onerror=alert(1)>', diagnosis: '<b>x</b>' }, 'zh', {});
    expect(hostile).not.toContain('<img');
    expect(hostile).not.toContain('<b>x');
  });

  it('links its stylesheet, the other language and the PDF only when there is one', () => {
    expect(zh).toContain('<link rel="stylesheet" href="/report/assets/report.css">');
    expect(zh).toContain('href="?lang=en">English</a>');
    expect(en).toContain('href="?lang=zh">中文</a>');
    expect(renderReportPage(DOC, 'zh', {})).not.toContain('pdf-link');
    expect(REPORT_CSS).toMatch(/@media print\{[\s\S]*\.tools\{display:none\}/);
  });

  it('shows the same report in English', () => {
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('<h1>Customer Service Report</h1>');
    expect(en).toContain('<strong id="ticket">SR-20261202-0007</strong>');
    for (const name of ['On-site diagnosis', 'Igniter fitting', 'Igniter']) expect(en).toContain(name);
    expect(en).toContain('<td class="num" id="charges-total">CNY 268.00</td>');
    expect(en).toContain('2 Dec 2026, 14:05');
    for (const label of ['Out of warranty', 'Wear', 'Paid on site', 'Old part shown', 'Test-run for 10 minutes', 'Download PDF']) {
      expect(en).toContain(label);
    }
    expect(en).not.toContain('张三丰');
  });

  it('never shows a full phone number or name, even if the document carries one', () => {
    const page = renderReportPage({ ...DOC, customer: { name: 'Alice Brown', phone: '+86 138 0013 8000' } }, 'en', {});
    expect(page).toContain('A**** B****');
    expect(page).toContain('138****8000');
    expect(page).not.toMatch(/0013/);
    expect(maskPhone('13800138000')).toBe('138****8000');
  });

  it('says what is missing when nothing was done', () => {
    const bare = renderReportPage(
      { ...DOC, partsUsed: [], payments: [], testRun: { done: false }, useExplained: false, signature: undefined, warranty: undefined },
      'zh',
      {},
    );
    expect(bare).toContain('未试机');
    expect(bare).toContain('<dd id="signature">无</dd>');
    expect(bare).toContain('<table id="parts" class="lines">');
  });
});

describe('report message pages', () => {
  const titles: Record<ReportOutcome, [string, string]> = {
    expired: ['报告链接已过期', 'This report link has expired'],
    invalid: ['报告链接无效', 'This report link is not valid'],
    missing: ['未找到服务报告', 'Service report not found'],
    unavailable: ['服务暂时不可用', 'Service temporarily unavailable'],
  };
  it.each(Object.entries(titles))('%s has a title in both languages', (outcome, [zh, en]) => {
    const o = outcome as ReportOutcome;
    expect(renderReportMessage('zh', o)).toContain(`<h1 class="message ${o}">${zh}</h1>`);
    expect(renderReportMessage('en', o)).toContain(`<h1 class="message ${o}">${en}</h1>`);
    expect(renderReportMessage('zh', o)).not.toMatch(/<script/i);
  });
  it('sends an expired link to the hotline', () => {
    expect(renderReportMessage('zh', 'expired')).toContain('客服热线');
    expect(renderReportMessage('en', 'expired')).toContain('hotline');
  });
});

describe('report font', () => {
  const has =
    (...files: string[]) =>
    (f: string) =>
      files.includes(f);
  it('takes REPORT_FONT_FILE, and names it when the file is missing', () => {
    expect(findCjkFont({ REPORT_FONT_FILE: '/fonts/a.otf' }, has('/fonts/a.otf'))).toEqual({ file: '/fonts/a.otf' });
    expect(findCjkFont({ REPORT_FONT_FILE: '/fonts/b.ttc', REPORT_FONT_FAMILY: 'X-Regular' }, has('/fonts/b.ttc'))).toEqual({
      file: '/fonts/b.ttc',
      family: 'X-Regular',
    });
    expect(() => findCjkFont({ REPORT_FONT_FILE: '/fonts/none.ttf' }, has())).toThrow(/REPORT_FONT_FILE/);
    expect(() => findCjkFont({ REPORT_FONT_FILE: '/fonts/b.ttc' }, has('/fonts/b.ttc'))).toThrow(/REPORT_FONT_FAMILY/);
  });
  it("falls back to Debian's Noto Sans CJK, else none", () => {
    const debian = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
    expect(findCjkFont({}, has(debian))).toEqual({ file: debian, family: 'NotoSansCJKsc-Regular' });
    expect(findCjkFont({}, has())).toBeUndefined();
  });
});

describe('report PDF', () => {
  const pdfs: Partial<Record<'zh' | 'en', Buffer>> = {};
  beforeAll(async () => {
    const font = cjkFont();
    pdfs.zh = await renderServiceReportPdf(DOC, 'zh', font);
    pdfs.en = await renderServiceReportPdf({ ...DOC, language: 'en' }, 'en', font);
  });

  it('is a PDF whose Chinese text can be read back', () => {
    const pdf = pdfs.zh as Buffer;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = squash(pdfText(pdf));
    for (const s of [
      '客户服务报告',
      'SR-20261202-0007',
      '点火器',
      '更换点火器工时',
      DOC.diagnosis as string,
      '268.00元',
      '张**',
      '138****8000',
    ]) {
      expect(text).toContain(squash(s));
    }
    for (const s of [
      '正常磨损',
      '现场支付',
      '旧件已展示',
      '试机10分钟',
      '有签字照片存档',
      squash(formatDateTime('zh', DOC.completedAt, DOC.timeZone)),
    ]) {
      expect(text).toContain(s);
    }
    expect(text).toContain('第1/1页');
    expect(text).not.toContain('张三丰');
  });

  it('reads back in English', () => {
    const text = squash(pdfText(pdfs.en as Buffer));
    for (const s of ['Customer Service Report', 'Igniter', 'CNY 268.00', '2 Dec 2026, 14:05', 'Page 1 of 1', DOC.diagnosis as string]) {
      expect(text).toContain(squash(s));
    }
  });

  it('writes the same bytes for the same document', async () => {
    expect((await renderServiceReportPdf(DOC, 'zh', cjkFont())).equals(pdfs.zh as Buffer)).toBe(true);
  });

  it('flows a long report onto more pages with the header repeated and page numbers', async () => {
    const part = DOC.partsUsed[0] as ServiceReportDocument['partsUsed'][number];
    const many = Array.from({ length: 45 }, (_, i) => ({ ...part, ref: `P-${i}` }));
    // pdftotext ends every page with a form feed.
    const pages = pdfText(await renderServiceReportPdf({ ...DOC, partsUsed: many }, 'zh', cjkFont()))
      .split('\f')
      .map(squash)
      .filter(Boolean);
    expect(pages.length).toBeGreaterThan(1);
    pages.forEach((page, i) => {
      expect(page).toContain(`第${i + 1}/${pages.length}页`);
      expect(page).toContain('SR-20261202-0007');
    });
    // The lines' table header starts again on the next page.
    expect(pages[1]).toMatch(/项目.*数量.*单价.*金额/);
    const text = pages.join('');
    expect(text).toContain('P-44');
    expect(text).toContain('有签字照片存档');
  });

  it.each(['zh', 'en'] as const)('keeps the first page of the %s PDF as a PNG', (lang) => {
    const pdfFile = artifactPath(`service-report-${lang}.pdf`);
    writeFileSync(pdfFile, pdfs[lang] as Buffer);
    const prefix = artifactPath(`service-report-${lang}`);
    poppler('pdftoppm', ['-png', '-r', '80', '-singlefile', '-f', '1', pdfFile, prefix]);
    const png = `${prefix}.png`;
    expect(readFileSync(png).subarray(0, 8).toString('latin1')).toBe('\x89PNG\r\n\x1a\n');
    expect(statSync(png).size).toBeGreaterThan(20_000);
  });
});
