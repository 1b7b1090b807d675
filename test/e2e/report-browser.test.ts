/**
 * Lifecycle 4, the customer's service report in headless Chromium (Debian's `chromium`): an out-of-warranty gas
 * water heater is repaired over HTTP (quote approved by phone, payment, photos, parts fitted, completion with the
 * report); the real worker stores the report and its PDFs (Debian's Noto CJK font) and the `completed_report` SMS
 * carries the link. The browser opens it in Chinese on a phone, switches to English, prints it (print media and
 * Chromium's own PDF), and downloads the stored PDF, whose first page is rendered to PNG with pdftoppm and read
 * back with pdftotext. Opened again it still works; an expired link shows "expired" (410), a forged one and a quote
 * link "not valid" (404). Screenshots and PDFs go to test-artifacts/ (service-report-page-*).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { isRatingTokenError, verifyRatingToken, type RatingTokenPayload } from '../../src/ratingLink';
import type { ServiceRequestState } from '../../workflows/messages';
import { makePng } from '../support/images';
import { type ApiStack, expectNoPii, PII_NEEDLES, saveArtifact, signedLink, startApiStack, startBody, TOKENS } from './api-stack';
import { chromiumPath, watchedPage } from './customerBrowser';

let stack: ApiStack;
let browser: Browser;
const run = `${process.pid}-${Date.now().toString(36)}`;
/** The links' tokens must not reach the API log (it writes `/report/…`). */
const linkTokens: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startApiStack('report-browser'),
    chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] }),
  ]);
}, 90_000);
afterAll(async () => {
  await browser?.close();
  const output = stack?.api.output() ?? '';
  const workerOutput = stack?.worker.output() ?? '';
  await stack?.stop();
  saveArtifact('report-browser-worker.log', workerOutput);
  saveArtifact('report-browser.log', output);
  expectNoPii(output, [...PII_NEEDLES, ...linkTokens]);
  expectNoPii(workerOutput, [...PII_NEEDLES, ...linkTokens]);
});

interface Repaired {
  id: string;
  ticket: string;
  tech: string;
  link: string;
  payload: RatingTokenPayload;
}

/** An out-of-warranty repair driven to completion over HTTP; returns the report link of the completion SMS. */
async function repaired(tag: string): Promise<Repaired> {
  const externalId = `E2E-REPORT-${tag}-${run}`;
  const created = await stack.call('POST', '/v1/service-requests', {
    token: TOKENS.integration,
    body: startBody(externalId, { product: { model: 'JSQ25-13A', purchaseDate: '2015-01-01', category: 'gas_water_heater' } }),
  });
  expect(created.status).toBe(201);
  const id = created.body.requestId as string;
  const assigned = await stack.until('assigned', async () => {
    const s = await stack.state(id);
    return s.status === 'assigned' && s.technicianId ? s : undefined;
  });
  const tech = assigned.technicianId!;
  const as = async (token: string, path: string, body: unknown): Promise<ServiceRequestState> => {
    const r = await stack.call<ServiceRequestState>('POST', `/v1/service-requests/${id}/${path}`, { token, body });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const techToken = TOKENS.technician(tech);
  await as(techToken, 'accept', {});
  await as(techToken, 'appointment', { at: new Date(Date.now() + 3_600_000).toISOString() });
  await as(techToken, 'arrival', {});
  await as(techToken, 'diagnosis', { faultCause: 'wear', diagnosis: '热电偶老化，点火后约十分钟熄火' });
  await as(techToken, 'quote', {
    lines: [
      { kind: 'labour', code: 'GAS-IGNITION', quantity: 1 },
      { kind: 'part', partNumber: 'GWH-TC-01', quantity: 1 },
    ],
  });
  expect((await as(TOKENS.ops, 'quote-decision', { approved: true, note: '客户电话同意维修' })).status).toBe('on_site');
  await as(techToken, 'payment', { method: 'on_site', amount: 11500 });
  for (const kind of ['before', 'after', 'signature']) {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', new Blob([makePng(4, 4)], { type: 'image/png' }), `${kind}.png`);
    const up = await stack.call('POST', `/v1/service-requests/${id}/photos`, { token: techToken, raw: form });
    expect(up.status).toBe(201);
  }
  const done = await as(techToken, 'completion', {
    resolved: true,
    notes: '更换热电偶，清理燃烧器，试机正常',
    partsUsed: [{ partNumber: 'GWH-TC-01', quantity: 1, oldPartShown: true }],
    report: { testRun: { done: true, minutes: 10 }, useExplained: true },
  });
  expect(done.status).toBe('completed');

  const link = await stack.customerLink(id, 'completed_report', 'report');
  const token = link.slice(`${stack.base}/report/`.length);
  linkTokens.push(token);
  const payload = verifyRatingToken(token, stack.secret, Date.now(), 'report');
  if (isRatingTokenError(payload)) throw new Error(`the report link does not verify: ${payload.error}`);
  const s = await stack.state(id);
  expect(s.serviceReport?.stored).toMatchObject({ pdf: true });
  return { id, ticket: s.ticket, tech, link, payload };
}

const text = async (page: import('playwright-core').Page, selector: string): Promise<string> =>
  ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

test('zh on a phone, then English, printed, and the stored PDF: the whole report, CJK text in the PDF', async () => {
  const r = await repaired('OK');
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  const { page, problems } = await watchedPage(context);

  const res = await page.goto(r.link);
  expect(res?.status()).toBe(200);
  expect(res?.headers()['cache-control']).toBe('no-store');
  expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
  expect(await text(page, 'h1')).toBe('客户服务报告');
  expect(await text(page, '#ticket')).toContain(r.ticket);
  const report = await text(page, '#report');
  for (const needle of [
    '点火系统维修',
    'GAS-IGNITION',
    '80.00',
    '热电偶',
    'GWH-TC-01',
    '35.00',
    '旧件已展示',
    '正常磨损',
    '热电偶老化',
    '更换热电偶',
    '试机 10 分钟',
    '现场支付',
    '已过保修期',
  ]) {
    expect({ needle, found: report.includes(needle) }).toEqual({ needle, found: true });
  }
  expect(await text(page, '#charges-total')).toContain('115.00');
  expect(await text(page, '#signature')).toContain('签字');
  // The customer is masked; the address is not on the page.
  expect(report).toContain('赵**');
  expect(report).toContain('137****7123');
  for (const pii of PII_NEEDLES) expect(report).not.toContain(pii);
  saveArtifact('service-report-page-zh.png', await page.screenshot({ fullPage: true }));

  // Printing: the PDF link and the language switch are hidden, the report is all there.
  await page.emulateMedia({ media: 'print' });
  expect(await page.locator('#pdf-link').isVisible()).toBe(false);
  expect(await page.locator('#report').isVisible()).toBe(true);
  saveArtifact('service-report-page-print-zh.png', await page.screenshot({ fullPage: true }));
  await page.emulateMedia({ media: 'screen' });

  // The stored PDF, in the page's language.
  const pdfHref = await page.locator('#pdf-link').getAttribute('href');
  expect(pdfHref).toBe(`${new URL(r.link).pathname}/pdf?lang=zh`);
  const pdf = await page.request.get(new URL(pdfHref!, r.link).toString());
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  const bytes = await pdf.body();
  expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  saveArtifact('service-report-stored-zh.pdf', bytes);
  const dir = mkdtempSync(join(tmpdir(), 'aftercare-report-pdf-'));
  try {
    const file = join(dir, 'report.pdf');
    writeFileSync(file, bytes);
    const pdfText = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    for (const needle of ['客户服务报告', r.ticket, '热电偶', '热电偶老化', '115.00']) {
      expect({ needle, found: pdfText.includes(needle) }).toEqual({ needle, found: true });
    }
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-singlefile', file, join(dir, 'page1')]);
    const png = readFileSync(join(dir, 'page1.png'));
    expect(png.length).toBeGreaterThan(20_000);
    saveArtifact('service-report-stored-zh-page1.png', png);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // English by the switch; its own PDF.
  const en = await page.goto(`${r.link}?lang=en`);
  expect(en?.status()).toBe(200);
  expect(await text(page, 'h1')).toBe('Customer Service Report');
  expect(await text(page, '#report')).toContain('Thermocouple');
  expect(await page.locator('#pdf-link').getAttribute('href')).toBe(`${new URL(r.link).pathname}/pdf?lang=en`);
  saveArtifact('service-report-page-en.png', await page.screenshot({ fullPage: true }));
  // What Chromium itself prints: the customer's "save as PDF".
  saveArtifact('service-report-page-printed-en.pdf', await page.pdf({ format: 'A4' }));

  // Opened again (the link is not single use).
  expect((await page.goto(r.link))?.status()).toBe(200);
  expect(problems).toEqual([]);
  await context.close();
});

test('expired → 410 page, forged or a quote link → 404 page; the real link still opens', async () => {
  const r = await repaired('BAD');
  const context = await browser.newContext({ locale: 'zh-CN' });
  const { page, problems } = await watchedPage(context);

  const expired = signedLink(stack, { ...r.payload, expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'report');
  const e = await page.goto(expired);
  expect(e?.status()).toBe(410);
  expect(await text(page, 'h1')).toBe('报告链接已过期');
  saveArtifact('service-report-page-expired-zh.png', await page.screenshot({ fullPage: true }));
  expect((await page.goto(`${expired}/pdf?lang=zh`))?.status()).toBe(410);

  const token = r.link.slice(`${stack.base}/report/`.length);
  const forged = `${stack.base}/report/${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`;
  expect((await page.goto(forged))?.status()).toBe(404);
  expect(await text(page, 'h1')).toBe('报告链接无效');
  saveArtifact('service-report-page-invalid-zh.png', await page.screenshot({ fullPage: true }));
  const asQuote = signedLink(stack, r.payload, 'quote').replace('/q/', '/report/');
  expect((await page.goto(asQuote))?.status()).toBe(404);

  expect((await page.goto(r.link))?.status()).toBe(200);
  expect(problems).toEqual([]);
  await context.close();
});
