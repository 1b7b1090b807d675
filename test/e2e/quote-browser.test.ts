/**
 * Lifecycle 4, the customer's quote page in headless Chromium (Debian's `chromium`): an out-of-warranty gas water
 * heater is driven on site over HTTP, diagnosed and quoted (GAS-IGNITION 80.00 + GWH-TC-01 35.00 = 115.00 CNY);
 * the quote link from the `quote` SMS is opened in the browser, which approves (zh, mobile) or declines (en) with
 * the page's no-script form. A used link and a link answered from another tab show "already answered" (409), an
 * expired link (signed with the stack's secret) "expired" (410), a forged one "not valid" (404). Every page loads
 * its stylesheets under the CSP without console errors. Screenshots go to test-artifacts/ (quote-page-*.png).
 */
import { chromium, type Browser, type BrowserContextOptions, type Page, type Response } from 'playwright-core';
import { verifyRatingToken, isRatingTokenError, type RatingTokenPayload } from '../../src/ratingLink';
import type { ServiceRequestState } from '../../workflows/messages';
import { chromiumPath, watchedPage } from './customerBrowser';
import { type ApiStack, expectNoPii, PII_NEEDLES, saveArtifact, signedLink, startApiStack, startBody, TOKENS } from './api-stack';

let stack: ApiStack;
let browser: Browser;
const run = `${process.pid}-${Date.now().toString(36)}`;
/** The quote links' tokens: bearer secrets of a kind, which the API log must not hold either (it writes `/q/…`). */
const linkTokens: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startApiStack('quote-browser'),
    chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] }),
  ]);
}, 90_000);
afterAll(async () => {
  await browser?.close();
  const output = stack?.api.output() ?? '';
  const workerOutput = stack?.worker.output() ?? '';
  await stack?.stop();
  saveArtifact('quote-browser-worker.log', workerOutput);
  saveArtifact('quote-browser.log', output);
  expectNoPii(output, [...PII_NEEDLES, ...linkTokens]);
});

const MOBILE_ZH: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
};
const DESKTOP_EN: BrowserContextOptions = { locale: 'en-US', extraHTTPHeaders: { 'accept-language': 'en-US,en;q=0.9' } };

/** Out of warranty since 2018 (36 months from 2015): every repair is chargeable, no diagnosis needed for that. */
const OUT_OF_WARRANTY = { product: { model: 'JSQ25-13A', purchaseDate: '2015-01-01', category: 'gas_water_heater' } };
const QUOTE_BODY = {
  lines: [
    { kind: 'labour', code: 'GAS-IGNITION', quantity: 1 },
    { kind: 'part', partNumber: 'GWH-TC-01', quantity: 1 },
  ],
  note: '热电偶老化，需更换',
};

interface Quoted {
  id: string;
  tech: string;
  /** The link from the `quote` SMS: `${base}/q/<token>`. */
  link: string;
  /** The link's signed payload, as the API reads it. */
  payload: RatingTokenPayload;
}

/**
 * Creates an out-of-warranty request and drives it over HTTP as the assigned technician: accept, appointment,
 * arrival (on site), diagnosis, quote. Returns the quote link the customer got by SMS.
 */
async function quotedRequest(tag: string): Promise<Quoted> {
  const externalId = `E2E-QUOTE-${tag}-${run}`;
  const created = await stack.call('POST', '/v1/service-requests', {
    token: TOKENS.integration,
    body: startBody(externalId, OUT_OF_WARRANTY),
  });
  expect(created.status).toBe(201);
  const id = created.body.requestId as string;
  expect(id).toBe(`sr-crm-${externalId}`);
  const assigned = await stack.until(
    'assigned',
    async () => {
      const s = await stack.state(id);
      return s.status === 'assigned' && s.technicianId ? s : undefined;
    },
    30_000,
  );
  expect(assigned.warranty).toMatchObject({ status: 'out_of_warranty' });
  expect(assigned.chargeable).toMatchObject({ chargeable: true });
  const tech = assigned.technicianId!;
  const token = TOKENS.technician(tech);
  const act = async (path: string, body: unknown): Promise<ServiceRequestState> => {
    const r = await stack.call<ServiceRequestState>('POST', `/v1/service-requests/${id}/${path}`, { token, body });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await act('accept', {});
  await act('appointment', { at: new Date(Date.now() + 3_600_000).toISOString() });
  expect((await act('arrival', {})).status).toBe('on_site');
  const diagnosed = await act('diagnosis', { faultCause: 'wear', diagnosis: '热电偶老化，点火后约十分钟熄火' });
  expect(diagnosed.status).toBe('on_site');
  const quoted = await act('quote', QUOTE_BODY);
  expect(quoted.status).toBe('quote_pending');
  expect(quoted.quotes).toEqual([expect.objectContaining({ id: 'Q1', labour: 8000, parts: 3500, total: 11500, currency: 'CNY' })]);

  const link = await stack.customerLink(id, 'quote', 'q');
  expect(link.startsWith(`${stack.base}/q/`)).toBe(true);
  const v = verifyRatingToken(link.slice(`${stack.base}/q/`.length), stack.secret, Date.now(), 'quote');
  if (isRatingTokenError(v)) throw new Error(`the quote link does not verify: ${v.error}`);
  expect(v.requestId).toBe(id);
  linkTokens.push(link.slice(`${stack.base}/q/`.length));
  return { id, tech, link, payload: v };
}

/** Both stylesheets applied: the rating page's frame (the card) and the quote page's own (the message colours, the table). */
async function expectStyled(page: Page): Promise<void> {
  // A string: the test is compiled without the DOM library.
  const sheets = await page.evaluate<string[]>(
    'Array.from(document.styleSheets, (s) => `${new URL(s.href).pathname} ${s.cssRules.length > 0 ? "applied" : "empty"}`)',
  );
  expect(sheets).toEqual(['/r/assets/rating.css applied', '/q/assets/quote.css applied']);
}

/** Taps (touch screens) or clicks a submit button and returns the POST's response once its page has loaded. */
async function submit(page: Page, button: string, link: string, how: 'tap' | 'click'): Promise<Response> {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(link)),
    how === 'tap' ? page.locator(button).tap() : page.locator(button).click(),
  ]);
  await page.waitForLoadState('load');
  return res;
}

const text = async (page: Page, selector: string): Promise<string> => ((await page.locator(selector).textContent()) ?? '').trim();

test('zh, mobile: the quote shows its lines and total; Approve → thank-you page; the state shows the approval via the link', async () => {
  const q = await quotedRequest('OK');
  const context = await browser.newContext(MOBILE_ZH);
  const { page, problems } = await watchedPage(context);

  const res = await page.goto(q.link);
  expect(res?.status()).toBe(200);
  expect(res?.headers()['cache-control']).toBe('no-store');
  expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
  expect(await page.title()).toBe('维修报价确认');
  expect(await text(page, 'h1')).toBe('请确认维修报价');
  const ticket = (await stack.state(q.id)).ticket;
  expect(await text(page, '.ticket strong')).toBe(ticket);
  expect(await text(page, 'table.lines caption')).toBe('金额单位：元');
  const rows = await page.locator('table.lines tbody tr').allTextContents();
  expect(rows).toHaveLength(2);
  expect(rows[0]).toMatch(/点火系统维修\s*GAS-IGNITION\s*1\s*80\.00\s*80\.00/);
  expect(rows[1]).toMatch(/热电偶\s*GWH-TC-01\s*1\s*35\.00\s*35\.00/);
  const foot = await page.locator('table.lines tfoot tr').allInnerTexts();
  expect(foot.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual(['人工费 80.00', '配件费 35.00', '合计 115.00']);
  expect(await text(page, 'tr.total')).toMatch(/合计\s*115\.00/);
  expect(await text(page, '.note')).toBe('工程师备注: 热电偶老化，需更换');
  expect(await text(page, '.deadline')).toMatch(/^请于 \d{4}年\d{1,2}月\d{1,2}日（周.）\d{2}:\d{2} 前确认。$/);
  expect(await text(page, 'button.approve')).toBe('同意报价，继续维修');
  expect(await text(page, 'button.decline')).toBe('拒绝报价');
  expect(await page.locator('.lang a').getAttribute('href')).toBe(`${new URL(q.link).pathname}?lang=en`);
  await expectStyled(page);
  saveArtifact('quote-page-zh.png', await page.screenshot({ fullPage: true }));

  const answered = await submit(page, 'button.approve', q.link, 'tap');
  expect(answered.status()).toBe(200);
  expect(await text(page, 'h1')).toBe('感谢您的确认！');
  expect(await text(page, 'main p')).toBe('工程师将继续为您维修。');
  expect(await page.locator('h1.message.approved').count()).toBe(1);
  await expectStyled(page);
  saveArtifact('quote-page-approved-zh.png', await page.screenshot({ fullPage: true }));
  expect(problems).toEqual([]);

  const state = await stack.until('approved quote back on site', async () => {
    const s = await stack.state(q.id);
    return s.status === 'on_site' && s.quotes?.[0]?.decision ? s : undefined;
  });
  expect(state.quotes).toHaveLength(1);
  expect(state.quotes![0]!.decision).toMatchObject({ approved: true, via: 'link' });
  expect(state.outcome).toBeUndefined();
  expect(state.technicianId).toBe(q.tech);
  await context.close();
});

test('en (browser language): Decline → the declined page with the visit fee; closed quote_declined; the customer gets the SMS', async () => {
  const q = await quotedRequest('NO');
  const context = await browser.newContext(DESKTOP_EN);
  const { page, problems } = await watchedPage(context);

  const res = await page.goto(q.link);
  expect(res?.status()).toBe(200);
  expect(await page.locator('html').getAttribute('lang')).toBe('en');
  expect(await text(page, 'h1')).toBe('Please review the repair quote');
  expect(await text(page, 'table.lines caption')).toBe('Amounts in CNY');
  const rows = await page.locator('table.lines tbody tr').allTextContents();
  expect(rows[0]).toMatch(/Ignition system repair\s*GAS-IGNITION\s*1\s*80\.00\s*80\.00/);
  expect(rows[1]).toMatch(/Thermocouple\s*GWH-TC-01\s*1\s*35\.00\s*35\.00/);
  expect(await text(page, 'tr.total')).toMatch(/Total\s*115\.00/);
  expect(await text(page, '.deadline')).toMatch(/^Please decide by \w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2}\.$/);
  expect(await text(page, '.hint')).toBe('If you decline, the service ends and only the visit fee is due.');
  await expectStyled(page);
  saveArtifact('quote-page-en.png', await page.screenshot({ fullPage: true }));

  const answered = await submit(page, 'button.decline', q.link, 'click');
  expect(answered.status()).toBe(200);
  expect(await text(page, 'h1')).toBe('You declined the quote');
  expect(await text(page, 'main p')).toBe('The service is closed; only the visit fee of CNY 50.00 is due.');
  await expectStyled(page);
  saveArtifact('quote-page-declined-en.png', await page.screenshot({ fullPage: true }));
  expect(problems).toEqual([]);

  const state = await stack.until('declined quote closed', async () => {
    const s = await stack.state(q.id);
    return s.status === 'closed' ? s : undefined;
  });
  expect(state.outcome).toBe('quote_declined');
  expect(state.visitFee).toEqual({ amount: 5000, currency: 'CNY' });
  expect(state.quotes![0]!.decision).toMatchObject({ approved: false, via: 'link' });
  const sms = await stack.until('quote_declined SMS', async () =>
    (await stack.outbox()).find((l) => l.requestId === q.id && l.kind === 'quote_declined'),
  );
  expect(sms.to).toBe('+8613700137123');
  expect(sms.text).toContain('50.00');
  await context.close();
});

test('a used link: answered in one tab, the other tab’s Decline and opening the link again show "already answered" (409)', async () => {
  const q = await quotedRequest('USED');
  const context = await browser.newContext(MOBILE_ZH);
  // Tab 1 shows the quote and is left open; the customer approves in tab 2.
  const stale = await watchedPage(context);
  expect((await stale.page.goto(q.link))?.status()).toBe(200);
  const first = await watchedPage(context);
  expect((await first.page.goto(q.link))?.status()).toBe(200);
  expect((await submit(first.page, 'button.approve', q.link, 'tap')).status()).toBe(200);
  expect(await text(first.page, 'h1')).toBe('感谢您的确认！');
  await stack.until('approved', async () => ((await stack.state(q.id)).quotes?.[0]?.decision ? true : undefined));

  // Opening the link again (the SMS once more).
  const again = await watchedPage(context);
  const reopened = await again.page.goto(q.link);
  expect(reopened?.status()).toBe(409);
  expect(await text(again.page, 'h1')).toBe('该报价已处理');
  expect(await text(again.page, 'main p')).toBe('报价已经确认或拒绝，或已不再等待您的答复。如有疑问，请拨打客服热线。');
  await expectStyled(again.page);
  saveArtifact('quote-page-answered-zh.png', await again.page.screenshot({ fullPage: true }));

  // Posting again from the stale tab: refused, the approval stands.
  const posted = await submit(stale.page, 'button.decline', q.link, 'tap');
  expect(posted.status()).toBe(409);
  expect(await text(stale.page, 'h1')).toBe('该报价已处理');
  await expectStyled(stale.page);
  saveArtifact('quote-page-answered-post-zh.png', await stale.page.screenshot({ fullPage: true }));

  // The same in English, for a browser asking for it.
  const en = await browser.newContext(DESKTOP_EN);
  const enPage = await watchedPage(en);
  expect((await enPage.page.goto(q.link))?.status()).toBe(409);
  expect(await text(enPage.page, 'h1')).toBe('This quote was already answered');
  saveArtifact('quote-page-answered-en.png', await enPage.page.screenshot({ fullPage: true }));

  for (const w of [stale, first, again, enPage]) expect(w.problems).toEqual([]);
  const state = await stack.state(q.id);
  expect(state.status).toBe('on_site');
  expect(state.quotes![0]!.decision).toMatchObject({ approved: true, via: 'link' });
  await en.close();
  await context.close();
});

test('an expired link shows "expired" (410); a forged one, or a link signed for something else, "not valid" (404)', async () => {
  const q = await quotedRequest('OLD');
  const context = await browser.newContext(MOBILE_ZH);
  const w = await watchedPage(context);
  const { page } = w;

  // The same request and token id, signed with the stack's secret, but expired a minute ago.
  const expired = signedLink(stack, { ...q.payload, expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'quote');
  const res = await page.goto(expired);
  expect(res?.status()).toBe(410);
  expect(await text(page, 'h1')).toBe('报价链接已过期');
  expect(await text(page, 'main p')).toBe('确认期限已过。请拨打客服热线确认或拒绝报价。');
  await expectStyled(page);
  saveArtifact('quote-page-expired-zh.png', await page.screenshot({ fullPage: true }));
  // Posting the expired link's form is refused the same way, in the language asked for.
  const postExpired = await page.request.post(`${expired}?lang=en`, { form: { approved: 'true' } });
  expect(postExpired.status()).toBe(410);
  expect(await postExpired.text()).toContain('This quote link has expired');
  // ?lang=en wins over the browser's language.
  expect((await page.goto(`${expired}?lang=en`))?.status()).toBe(410);
  expect(await text(page, 'h1')).toBe('This quote link has expired');
  saveArtifact('quote-page-expired-en.png', await page.screenshot({ fullPage: true }));

  // A control: the same payload with a later expiry opens the quote, so only the expiry made the difference.
  const fresh = signedLink(stack, { ...q.payload, expiresAt: new Date(Date.now() + 3_600_000).toISOString() }, 'quote');
  expect((await page.goto(fresh))?.status()).toBe(200);
  expect(await text(page, 'h1')).toBe('请确认维修报价');

  // Forged: one character of the signature changed (not the last, whose spare bits would only make it non-canonical).
  const [payloadPart, sig] = q.link.slice(`${stack.base}/q/`.length).split('.') as [string, string];
  const forgedSig = `${sig.slice(0, 5)}${sig[5] === 'A' ? 'B' : 'A'}${sig.slice(6)}`;
  const forged = await page.goto(`${stack.base}/q/${payloadPart}.${forgedSig}`);
  expect(forged?.status()).toBe(404);
  expect(await text(page, 'h1')).toBe('报价链接无效');
  expect(await text(page, 'main p')).toBe('请检查短信中的链接是否完整。');
  await expectStyled(page);
  saveArtifact('quote-page-invalid-zh.png', await page.screenshot({ fullPage: true }));
  const postForged = await page.request.post(`${stack.base}/q/${payloadPart}.${forgedSig}`, { form: { approved: 'false' } });
  expect(postForged.status()).toBe(404);

  // The request's real token signed as a rating link does not open the quote page.
  const asRating = signedLink(stack, q.payload, 'rating').replace(`${stack.base}/r/`, `${stack.base}/q/`);
  expect((await page.goto(asRating))?.status()).toBe(404);
  expect(await text(page, 'h1')).toBe('报价链接无效');
  expect(w.problems).toEqual([]);

  // The watch would see a blocked resource: an inline script is refused by the pages' CSP and reported.
  const control = await watchedPage(context);
  await control.page.goto(q.link);
  await control.page.addScriptTag({ content: 'window.injected = true' }).catch(() => undefined);
  expect(control.problems).toEqual([
    expect.stringMatching(/^console: .*violates the following Content Security Policy directive 'script-src/),
  ]);

  // None of it touched the quote: it still waits for the customer, and the real link still works.
  const state = await stack.state(q.id);
  expect(state.status).toBe('quote_pending');
  expect(state.quotes![0]!.decision).toBeUndefined();
  expect((await page.goto(q.link))?.status()).toBe(200);
  await context.close();
});
