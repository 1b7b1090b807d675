/**
 * What the customer-page browser tests share (rating, quote and service report pages in Debian's headless
 * Chromium): where Chromium is, and a page that records everything that would show a broken page.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';

export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      // next
    }
  }
  throw new Error('Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)');
}

/**
 * A page that records what would show a broken page: console errors (a CSP violation is one), script errors,
 * failed requests, and subresources (stylesheets) answered with an error. The document's own 4xx is expected
 * on the error pages and is asserted by the test itself.
 */
export async function watchedPage(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium reports the document's own 4xx as a failed resource; the tests expect those statuses (subresources: below).
    if (
      /^Failed to load resource: the server responded with a status of 4\d\d\b/.test(m.text()) &&
      m.location().url.split('?')[0] === page.url().split('?')[0]
    )
      return;
    problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.request().resourceType() !== 'document' && r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
  });
  return { page, problems };
}
