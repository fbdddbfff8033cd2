/**
 * `npm run bench:size`: the bytes of one fixed 10-card digest on the wire, in a second, without a
 * database or SMTP: issue 14's size target (≤ 61,440 bytes) for work on the templates and the
 * MIME parts. The digest is the one `npm run bench` measured on 2026-12-05 (the largest 10-card
 * digest of its round, 66,368 bytes then): its view, subject, recipient, headers, Reply-To and
 * Message-ID in bench/digest-10-cards.json, written by `BENCH_DIGEST_VIEW=<file> npm run bench`.
 * It is rendered by today's templates and built by the mailer in outbox mode as the bench builds
 * its transport message (no DKIM, as there; a DKIM-Signature header adds 463 bytes with a
 * 1024-bit key, 641 with a 2048-bit one), and counted as the bench counts it: the .eml's LF line
 * ends as CRLF. So a change to the templates or the MIME code shows here as the bench would show
 * it, as long as the seeded data is the same (the dates in it move with the day the bench runs:
 * a few bytes).
 *
 * It prints the total and where the bytes are (headers, the text part, the HTML part, MIME
 * framing); with `--json`, one JSON line.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadDigestRenderer } from '../src/digests/digest-render.ts';
import type { DigestView } from '../src/digests/digest-view.ts';
import { createMailer } from '../src/platform/mail/mailer.ts';

/** Issue 14's target: a 10-card digest on the wire. */
export const DIGEST_SIZE_TARGET = 60 * 1024;

export interface DigestSize {
  total: number;
  headers: number;
  text: number;
  html: number;
  framing: number;
  htmlChars: number;
  textChars: number;
  cards: number;
}

interface DigestSample {
  subject: string;
  to: string;
  headers: Record<string, string>;
  replyTo: string;
  messageId: string;
  view: DigestView;
}

const SAMPLE = new URL('./digest-10-cards.json', import.meta.url);

/** The fixed 10-card digest as the mailer writes it, CRLF line ends. */
export async function fixedDigestOnTheWire(): Promise<{ wire: Buffer; htmlChars: number; textChars: number; cards: number }> {
  const sample = JSON.parse(await readFile(SAMPLE, 'utf8')) as DigestSample;
  const rendered = (await loadDigestRenderer()).render(sample.view);
  const outboxDir = await mkdtemp(path.join(os.tmpdir(), 'p2p-size-'));
  try {
    const mailer = createMailer({ smtpUrl: undefined, outboxDir, from: 'p2p-digest <digest@p2p-digest.example>' });
    const { to, subject, messageId, replyTo, headers } = sample;
    await mailer.send({ to, subject, html: rendered.html, text: rendered.text, messageId, replyTo, headers });
    mailer.close();
    const eml = (await readdir(outboxDir)).find((f) => f.endsWith('.eml'));
    if (!eml) throw new Error('the mailer wrote no .eml');
    const lf = await readFile(path.join(outboxDir, eml), 'latin1');
    const cards = rendered.html.match(/class="digest-card[" ]/g)?.length ?? 0;
    return { wire: Buffer.from(lf.replace(/\r?\n/g, '\r\n'), 'latin1'), htmlChars: rendered.html.length, textChars: rendered.text.length, cards };
  } finally {
    await rm(outboxDir, { recursive: true, force: true });
  }
}

/** Where the bytes of a multipart/alternative message (text, then HTML) are. */
export function sizeOf(wire: Buffer): Omit<DigestSize, 'htmlChars' | 'textChars' | 'cards'> {
  const message = wire.toString('latin1');
  const headerEnd = message.indexOf('\r\n\r\n');
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(message.slice(0, headerEnd))?.[1];
  if (!boundary) throw new Error('no MIME boundary');
  const parts = message.split(`--${boundary}`).slice(1, -1);
  const body = (part: string) => part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '').length;
  const text = body(parts.find((p) => p.includes('text/plain'))!);
  const html = body(parts.find((p) => p.includes('text/html'))!);
  const headers = headerEnd + 4;
  return { total: wire.length, headers, text, html, framing: wire.length - headers - text - html };
}

export async function measureDigestSize(): Promise<DigestSize> {
  const { wire, htmlChars, textChars, cards } = await fixedDigestOnTheWire();
  return { ...sizeOf(wire), htmlChars, textChars, cards };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = await measureDigestSize();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(size));
  } else {
    const row = (label: string, n: number) => console.log(`${label.padEnd(28)}${n.toLocaleString('en').padStart(8)} B`);
    console.log(`a fixed ${size.cards}-card digest on the wire (CRLF line ends, headers included):`);
    row('headers', size.headers);
    row('text part (body)', size.text);
    row('HTML part (body)', size.html);
    row('MIME framing, part headers', size.framing);
    row('total', size.total);
    console.log(`target ≤ ${DIGEST_SIZE_TARGET.toLocaleString('en')} B: ${size.total <= DIGEST_SIZE_TARGET ? 'met' : `missed by ${(size.total - DIGEST_SIZE_TARGET).toLocaleString('en')} B`}`);
  }
}
