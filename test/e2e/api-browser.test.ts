/**
 * Issue 4, acceptance 5: headless Chromium (Debian's `chromium`) opens the rating link from the completion
 * SMS, gives 4 stars and a comment, and the request's state shows the score. Screenshots are saved to
 * test-artifacts/ (form, thank-you, and the page a used link shows).
 */
import { chromium, type Browser } from 'playwright-core';
import { chromiumPath } from './customerBrowser';
import { type ApiStack, driveVisit, expectNoPii, saveArtifact, startApiStack, startBody, TOKENS } from './api-stack';

let stack: ApiStack;
let browser: Browser;
const run = `${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startApiStack('api-browser'),
    chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] }),
  ]);
}, 90_000);
afterAll(async () => {
  await browser?.close();
  const output = stack?.api.output() ?? '';
  const workerOutput = stack?.worker.output() ?? '';
  await stack?.stop();
  saveArtifact('api-browser-worker.log', workerOutput);
  saveArtifact('api-browser.log', output);
  expectNoPii(output);
});

test('a customer rates 4 stars with a comment in the browser; the state shows the score', async () => {
  const id = `sr-crm-E2E-WEB-${run}`;
  const created = await stack.call('POST', '/v1/service-requests', { token: TOKENS.integration, body: startBody(`E2E-WEB-${run}`) });
  expect(created.status).toBe(201);
  await driveVisit(stack, id, { photos: true });
  const link = await stack.ratingLink(id);

  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));

  const res = await page.goto(link);
  expect(res?.status()).toBe(200);
  await expect(page.locator('h1').textContent()).resolves.toBe('请为本次服务评分');
  await page.locator('label[for="star4"]').tap();
  await expect(page.locator('#star-caption').textContent()).resolves.toBe('满意');
  await page.locator('#comment').fill('师傅很专业，就是来得稍晚');
  saveArtifact('rating-page-form.png', await page.screenshot({ fullPage: true }));

  const posted = page.waitForResponse((r) => r.url().endsWith(`/v1/service-requests/${id}/feedback`));
  await page.locator('#submit').tap();
  expect((await posted).status()).toBe(200);
  await page.locator('#result-thanks').waitFor({ state: 'visible' });
  await expect(page.locator('#result-thanks h2').textContent()).resolves.toBe('感谢您的评价！');
  expect(await page.locator('#low-score').isVisible()).toBe(false);
  saveArtifact('rating-page-thanks.png', await page.screenshot({ fullPage: true }));
  // The script and stylesheet loaded under the CSP: no blocked resources, no script errors.
  expect(problems).toEqual([]);

  const state = await stack.state(id);
  expect(state.feedback).toMatchObject({ score: 4, comment: '师傅很专业，就是来得稍晚' });
  expect(['closed', 'completed']).toContain(state.status);

  // The link is spent: opening it again shows a friendly page, in English for an English browser.
  const en = await browser.newContext({ locale: 'en-US', extraHTTPHeaders: { 'accept-language': 'en-US,en;q=0.9' } });
  const again = await en.newPage();
  const second = await again.goto(link);
  expect(second?.status()).toBe(409);
  await expect(again.locator('h1').textContent()).resolves.toBe('You have already rated this service. Thank you!');
  saveArtifact('rating-page-used.png', await again.screenshot({ fullPage: true }));
  await en.close();
  await context.close();
}, 120_000);
