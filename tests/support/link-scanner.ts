import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';

/**
 * What a corporate mail scanner (Defender Safe Links, Proofpoint, Mimecast) does to every link in
 * a mail before the person reads it: HEAD, a few GETs without cookies, and sometimes a real
 * browser that runs the page's JavaScript for a while. None of it may change anything.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A free TCP port on 127.0.0.1, so the app can be told its public URL before it listens. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Every http(s) URL in a mail's HTML (href attributes) and text part, once each. */
export function linksOf(mail: { html?: string | false; text?: string }): string[] {
  const found = new Set<string>();
  for (const m of String(mail.html || '').matchAll(/\shref\s*=\s*"(https?:\/\/[^"]+)"/gi)) found.add(m[1]!.replace(/&amp;/g, '&'));
  for (const m of String(mail.text ?? '').matchAll(/https?:\/\/[^\s<>"]+/g)) found.add(m[0]);
  return [...found];
}

export interface ScanReport {
  url: string;
  statuses: number[];
}

/** HEAD, three GETs without cookies (following redirects, as scanners do), then Chromium running the page's JavaScript. */
export async function scanLink(url: string, browser: Browser, browseMs = 3_000): Promise<ScanReport> {
  const statuses: number[] = [];
  statuses.push((await fetch(url, { method: 'HEAD', redirect: 'follow' })).status);
  for (let i = 0; i < 3; i++) {
    const response = await fetch(url, { redirect: 'follow', headers: { 'user-agent': 'Mozilla/5.0 (compatible; SafeLinksScanner/1.0)' } });
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const response = await page.goto(url, { waitUntil: 'load' });
    statuses.push(response?.status() ?? 0);
    await page.waitForTimeout(browseMs);
  } finally {
    await context.close();
  }
  return { url, statuses };
}
