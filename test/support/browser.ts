/**
 * Headless Chromium (Debian's package, `npm test` installs it: scripts/provision-system.sh) for the browser tests
 * of the Temporal Web UI: launch with a private profile, read the page's text (frames included), wait for text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1600, height: 1300 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'aftercare-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}

/** Text of the page and its frames (the UI renders markdown — summaries, details — in sandboxed iframes). */
export async function bodyText(page: Page): Promise<string> {
  // Runs in the browser; typed loosely because this project compiles without the DOM library.
  const read = () => (globalThis as unknown as { document?: { body?: { innerText?: string } } }).document?.body?.innerText ?? '';
  const parts = await Promise.all(page.frames().map((f) => f.evaluate(read).catch(() => '')));
  return parts.join('\n');
}

/** Waits until every needle is on the page (the UI renders in steps and decodes asynchronously). */
export async function expectOnPage(page: Page, needles: (string | RegExp)[], timeoutMs = 30_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const text = await bodyText(page);
    const missing = needles.filter((n) => (typeof n === 'string' ? !text.includes(n) : !n.test(text)));
    if (missing.length === 0) return text;
    if (Date.now() > end) throw new Error(`not on the page: ${missing.join(' | ')}\n--- page text ---\n${text.slice(0, 6000)}`);
    await page.waitForTimeout(500);
  }
}
