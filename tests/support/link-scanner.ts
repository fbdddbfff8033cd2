import { createServer } from 'node:net';
import { sql } from 'kysely';
import type { Browser } from 'playwright-core';
import type { Database } from '../../src/db/database.js';

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

/**
 * A fingerprint of every row of every table of ours: equal before and after means nothing was
 * written (inserted, updated or deleted) anywhere.
 */
export async function databaseFingerprint(db: Database): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'kysely_%'
     ORDER BY table_name
  `.execute(db);
  const out: Record<string, string> = {};
  for (const { name } of tables.rows) {
    const row = await sql<{ digest: string }>`
      SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${sql.table(name)} t
    `.execute(db);
    out[name] = row.rows[0]!.digest;
  }
  return out;
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
