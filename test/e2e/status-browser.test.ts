/**
 * The customer's status page (issue 15) in headless Chromium (Debian's `chromium`): ONE request driven over HTTP on
 * the real API and worker, its status page — the link from the receipt SMS — opened at each stage, in Chinese and in
 * English, on a phone: received (nobody services the product: ops must dispatch), technician assigned by ops (name and work number),
 * visit booked (the slot, in the policy's zone), on site, completed with the service report (its link opens the
 * report page), rated and closed. Each stage waits for the request's state to settle first. An expired link (signed
 * with a past expiry) and a forged one show the clear page (410 / 404) in the customer's language. Screenshots go to
 * test-artifacts/ (status-page-*.png); the link's token and the customer's data never reach the API's log.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import YAML from 'yaml';
import { formatTime } from '../../src/api/status/page';
import { isRatingTokenError, verifyRatingToken } from '../../src/ratingLink';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import type { ServiceRequestState } from '../../workflows/messages';
import { makePng } from '../support/images';
import { RATING_WINDOWS, writeFastPolicyVariant } from '../support/policies';
import { type ApiStack, expectNoPii, PII_NEEDLES, saveArtifact, signedLink, startApiStack, startBody, TOKENS } from './api-stack';
import { chromiumPath, watchedPage } from './customerBrowser';

let stack: ApiStack;
let browser: Browser;
const contexts: Partial<Record<'zh' | 'en', BrowserContext>> = {};
const run = `${process.pid}-${Date.now().toString(36)}`;
const linkTokens: string[] = [];
/** The technician's phone (the roster's) must not be on the page either: the service card shows name and work number. */
const TECH_PHONE = '13800138001';

beforeAll(async () => {
  // fast.yaml, with time for a busy machine: the accept window and the rating link outlast any step of the test.
  const fast = YAML.parse(readFileSync(join(PROJECT_ROOT, 'policy', 'fast.yaml'), 'utf8')) as { deadlines: Record<string, unknown> };
  const dir = mkdtempSync(join(tmpdir(), 'aftercare-status-policy-'));
  const policy = writeFastPolicyVariant(dir, `2026.1-fast-status-${run}`, {
    ...RATING_WINDOWS,
    deadlines: { ...fast.deadlines, accept: '10m' },
  });
  [stack, browser] = await Promise.all([
    startApiStack('status-browser', { AFTERCARE_POLICY: policy }),
    chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] }),
  ]);
  for (const lang of ['zh', 'en'] as const) {
    contexts[lang] = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: lang === 'zh' ? 'zh-CN' : 'en-GB',
    });
  }
}, 90_000);

afterAll(async () => {
  await browser?.close();
  const output = stack?.api.output() ?? '';
  await stack?.stop();
  saveArtifact('status-browser.log', output);
  expectNoPii(output, [...PII_NEEDLES, ...linkTokens]);
});

const text = async (page: Page, selector: string): Promise<string> =>
  ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

/** Each stage's state (done, current, upcoming, skipped), in page order. */
async function stages(page: Page): Promise<Record<string, string>> {
  const items = await page
    .locator('#stages > li')
    .evaluateAll((lis) => lis.map((li) => [li.id.replace(/^stage-/, ''), li.dataset.state ?? '']));
  return Object.fromEntries(items);
}

interface Opened {
  page: Page;
  stages: Record<string, string>;
  body: string;
}

/** Opens the status page in `lang` (by `?lang=`), checks it is a sound page without PII, screenshots it. */
async function open(link: string, lang: 'zh' | 'en', stage: string): Promise<Opened> {
  const { page, problems } = await watchedPage(contexts[lang]!);
  const res = await page.goto(`${link}?lang=${lang}`);
  expect(res?.status()).toBe(200);
  expect(res?.headers()['content-type']).toBe('text/html; charset=utf-8');
  expect(await page.locator('html').getAttribute('lang')).toBe(lang === 'zh' ? 'zh-CN' : 'en');
  expect(await text(page, 'h1')).toBe(lang === 'zh' ? '服务进度' : 'Service progress');
  // Styled (its own stylesheet loaded under the CSP): the stage list is not a bulleted list.
  expect(
    await page
      .locator('#stages')
      .evaluate(
        (ol) =>
          (ol.ownerDocument.defaultView as { getComputedStyle(e: unknown): { listStyleType: string } }).getComputedStyle(ol).listStyleType,
      ),
  ).toBe('none');
  const body = await text(page, 'body');
  for (const needle of [...PII_NEEDLES, TECH_PHONE]) expect(body).not.toContain(needle);
  expect(await text(page, '#hotline')).toContain('400-800-1234');
  saveArtifact(`status-page-${stage}-${lang}.png`, await page.screenshot({ fullPage: true }));
  expect(problems).toEqual([]);
  const opened = { page, stages: await stages(page), body };
  return opened;
}

async function both(link: string, stage: string, check: (o: Opened, lang: 'zh' | 'en') => Promise<void> | void): Promise<void> {
  for (const lang of ['zh', 'en'] as const) {
    const o = await open(link, lang, stage);
    await check(o, lang);
    await o.page.close();
  }
}

test('one request, its status page at every stage, in Chinese and English; expired and forged links', async () => {
  // Nobody on the roster services lifts: the request waits at dispatch until ops choose a technician.
  const created = await stack.call('POST', '/v1/service-requests', {
    token: TOKENS.integration,
    body: startBody(`E2E-STATUS-${run}`, { product: { model: 'OTIS-GEN2', purchaseDate: '2024-03-18', category: 'lift' } }),
  });
  expect(created.status).toBe(201);
  const id = created.body.requestId as string;
  const link = await stack.customerLink(id, 'received', 's');
  const token = link.slice(`${stack.base}/s/`.length);
  linkTokens.push(token);
  const payload = verifyRatingToken(token, stack.secret, Date.now(), 'status');
  if (isRatingTokenError(payload)) throw new Error(`the status link does not verify: ${payload.error}`);
  expect(payload).toMatchObject({ requestId: id, tokenId: 'status-zh' });
  const state = (what: string, ok: (s: ServiceRequestState) => boolean) =>
    stack.until(what, async () => {
      const s = await stack.state(id);
      return ok(s) ? s : undefined;
    });
  const as = async (token: string, path: string, body: unknown): Promise<ServiceRequestState> => {
    const r = await stack.call<ServiceRequestState>('POST', `/v1/service-requests/${id}/${path}`, { token, body });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  // 1. Received: no candidate, ops are asked (level 1); the page says a technician is being arranged.
  const received = await state('no candidate: waiting for ops', (s) => s.status === 'dispatching' && s.escalationLevel >= 1);
  await both(link, 'received', (o, lang) => {
    expect(Object.entries(o.stages).map(([id, state]) => `${id} ${state}`)).toEqual([
      'received done',
      'assigned current',
      ...['booked', 'on_site', 'completed', 'report', 'rating'].map((id) => `${id} upcoming`),
    ]);
    expect(o.body).toContain(formatTime(received.receivedAt, lang, 'Asia/Shanghai'));
    expect(o.body).toContain(lang === 'zh' ? '正在为您安排工程师' : 'We are arranging a technician for you');
    expect(o.body).toContain(received.ticket);
  });

  // 2. Ops assign t1001 by hand: the service card's name and work number.
  await as(TOKENS.ops, 'assignment', { technicianId: 't1001' });
  const assigned = await state('assigned', (s) => s.status === 'assigned' && s.technicianId === 't1001');
  const card = assigned.assignments.at(-1)!;
  expect(card).toMatchObject({ name: '张伟', workNumber: 'T-1001' });
  await both(link, 'assigned', async (o, lang) => {
    expect(o.stages).toMatchObject({ received: 'done', assigned: 'done', booked: 'current', on_site: 'upcoming' });
    expect(await text(o.page, '#stage-assigned')).toContain(lang === 'zh' ? '张伟（工号 T-1001）' : '张伟 (ID T-1001)');
  });

  // 3. Accepted and booked: the slot in the policy's zone is the next promise.
  const tech = TOKENS.technician('t1001');
  await as(tech, 'accept', {});
  const slot = new Date(Math.ceil((Date.now() + 26 * 3_600_000) / 3_600_000) * 3_600_000).toISOString();
  await as(tech, 'appointment', { at: slot, requestedBy: 'customer' });
  await state('scheduled', (s) => s.status === 'scheduled');
  await both(link, 'booked', async (o, lang) => {
    expect(o.stages).toMatchObject({ assigned: 'done', booked: 'done', on_site: 'current', completed: 'upcoming' });
    const when = formatTime(slot, lang, 'Asia/Shanghai');
    expect(await text(o.page, '#stage-booked')).toContain(when);
    expect(await text(o.page, '#next')).toContain(when);
  });

  // 4. On site.
  await as(tech, 'arrival', {});
  await state('on site', (s) => s.status === 'on_site');
  await both(link, 'on-site', async (o, lang) => {
    expect(o.stages).toMatchObject({ booked: 'done', on_site: 'done', completed: 'current', report: 'upcoming' });
    expect(await text(o.page, '#stage-on_site')).toContain(lang === 'zh' ? '工程师正在上门服务' : 'The technician is with you');
  });

  // 5. Completed with the service report: its link opens the existing report page.
  for (const kind of ['before', 'after', 'signature']) {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', new Blob([makePng(4, 4)], { type: 'image/png' }), `${kind}.png`);
    expect((await stack.call('POST', `/v1/service-requests/${id}/photos`, { token: tech, raw: form })).status).toBe(201);
  }
  await as(tech, 'completion', {
    resolved: true,
    notes: '更换热电偶，试机正常',
    report: { faultCause: 'quality', diagnosis: '热电偶失效', testRun: { done: true, minutes: 10 }, useExplained: true },
  });
  await state('report stored', (s) => s.status === 'completed' && !!s.serviceReport?.stored);
  const ratingLink = await stack.customerLink(id, 'completed_report', 'r');
  const reportLink = await stack.customerLink(id, 'completed_report', 'report');
  linkTokens.push(ratingLink.slice(`${stack.base}/r/`.length), reportLink.slice(`${stack.base}/report/`.length));
  await both(link, 'completed', async (o, lang) => {
    expect(o.stages).toMatchObject({ on_site: 'done', completed: 'done', report: 'done', rating: 'current' });
    expect(await text(o.page, '#stage-rating')).toContain(
      lang === 'zh' ? '请通过完工短信中的评价链接为本次服务打分' : 'Please rate the service with the link in the completion SMS',
    );
    const href = await o.page.locator('#report-link').getAttribute('href');
    expect(`${stack.base}${href}`).toBe(reportLink);
    const [report] = await Promise.all([o.page.waitForNavigation(), o.page.locator('#report-link').click()]);
    expect(report?.status()).toBe(200);
    expect(await text(o.page, 'h1')).toBe(lang === 'zh' ? '客户服务报告' : 'Customer Service Report');
  });

  // 6. Rated through the rating link: closed.
  const rated = await stack.call('POST', `/v1/service-requests/${id}/feedback`, {
    body: { score: 5, comment: '师傅很专业', token: ratingLink.slice(`${stack.base}/r/`.length) },
  });
  expect(rated.status).toBe(200);
  await state('closed', (s) => s.status === 'closed');
  await both(link, 'closed', async (o, lang) => {
    expect(Object.keys(o.stages)).toEqual(['received', 'assigned', 'booked', 'on_site', 'completed', 'report', 'rating']);
    expect(new Set(Object.values(o.stages))).toEqual(new Set(['done']));
    expect(await text(o.page, '#stage-rating')).toContain(lang === 'zh' ? '已评价：5 分' : 'Rated 5 out of 5');
    expect(await text(o.page, '#banner')).toContain(lang === 'zh' ? '服务单已关闭' : 'the request is closed');
    expect(await o.page.locator('#next').count()).toBe(0);
  });

  // Expired (signed with a past expiry) and forged links: the clear page, in the customer's language.
  const expired = signedLink(
    stack,
    { requestId: id, tokenId: 'status-zh', expiresAt: new Date(Date.now() - 60_000).toISOString() },
    'status',
  );
  const forged = `${link.slice(0, -2)}${link.endsWith('AA') ? 'BB' : 'AA'}`;
  for (const [what, url, status, zh, en] of [
    ['expired', expired, 410, '查询链接已过期', 'This link has expired'],
    ['forged', forged, 404, '查询链接无效', 'This link is not valid'],
  ] as const) {
    for (const lang of ['zh', 'en'] as const) {
      const { page, problems } = await watchedPage(contexts[lang]!);
      const res = await page.goto(url);
      expect({ what, lang, status: res?.status(), type: res?.headers()['content-type'] }).toEqual({
        what,
        lang,
        status,
        type: 'text/html; charset=utf-8',
      });
      expect(await text(page, 'h1')).toBe(lang === 'zh' ? zh : en);
      expect(await text(page, '#hotline')).toContain('400-800-1234');
      saveArtifact(`status-page-${what}-${lang}.png`, await page.screenshot({ fullPage: true }));
      expect(problems).toEqual([]);
      await page.close();
    }
  }
}, 300_000);
