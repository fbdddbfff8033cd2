import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, freePort } from './link-scanner.ts';
import { createTestStack, type TestStack } from './test-stack.ts';

/** Whether Debian's Chromium is installed: the browser tests skip, saying why, when it is not. */
export const hasChromium = existsSync(CHROMIUM);

/** Says once, on stderr, that a browser test file is skipped and how to get Chromium. */
export function warnWithoutChromium(file: string): void {
  if (!hasChromium) console.warn(`${file} — SKIPPED: ${CHROMIUM} is missing (apt-get install chromium)`);
}

/** The whole service on a free local port, its background roles running, and a browser to drive it. */
export interface BrowserStack {
  t: TestStack;
  browser: Browser;
  /** http://127.0.0.1:<port>, also the stack's PUBLIC_BASE_URL: the links in its mails lead here. */
  base: string;
  close(): Promise<void>;
}

export async function startBrowserStack(env: Record<string, string> = {}): Promise<BrowserStack> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await createTestStack({ PUBLIC_BASE_URL: base, ...env });
  await t.app.listen({ port, host: '127.0.0.1' });
  t.startBackground();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    t,
    browser,
    base,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

/** Presses a button and waits for the page it leads to (a form post and its redirect). */
export async function pressButton(page: Page, name: string | RegExp): Promise<void> {
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name }).click()]);
}
