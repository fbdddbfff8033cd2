/**
 * `npm run bench:understanding`: what the worst mails we know cost on the processing path's CPU
 * side (parse, sender check, reading the body, understanding), and the longest stretch each held
 * the event loop. A measurement, not a test: it prints milliseconds and exits 0.
 *
 * No database and no network: DNS answers "not found" at once, the skill catalogue comes from
 * taxonomy.json. Knobs (environment): BENCH_ROUNDS (3: each input is run this often, the best
 * round is printed, so a busy machine shows less of its noise).
 */
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { checkSender, type DNSResolver } from '../src/inbound/trust/sender-auth.ts';
import { parseStored } from '../src/inbound/understanding/parse.ts';
import { readBody, understand } from '../src/inbound/understanding/understand.ts';
import { catalogueFromTaxonomyFile as fileCatalogue } from '../src/skills/load-taxonomy.ts';
import type { SkillCatalogue } from '../src/skills/skill-catalogue.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const KB = 1024;
const MB = 1024 * KB;

const nowhere: DNSResolver = async (name) => {
  throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
};

function mail(body: Buffer, contentType = 'text/plain; charset=utf-8', encoding = '8bit'): Buffer {
  const headers = ['From: Bench <bench@sender.example>', 'To: opportunities@p2p.test', 'Subject: Azure Kubernetes Service partner in Munich', 'MIME-Version: 1.0', `Content-Type: ${contentType}`, `Content-Transfer-Encoding: ${encoding}`];
  return Buffer.concat([Buffer.from([...headers, '', ''].join('\r\n')), body]);
}

function nestedMime(depth: number): Buffer {
  const opening = Array.from({ length: depth }, (_, i) => `--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n\r\n`).join('');
  const closing = Array.from({ length: depth }, (_, i) => `--b${depth - i}--\r\n`).join('');
  return mail(Buffer.from(`${opening}--b${depth}\r\nContent-Type: text/plain\r\n\r\nAKS in Munich.\r\n${closing}`), 'multipart/mixed; boundary="b0"');
}

const WORST: Array<[string, () => Buffer]> = [
  ['10 KB invalid UTF-8', () => mail(Buffer.alloc(10 * KB, 0xff))],
  ['1 MB invalid UTF-8', () => mail(Buffer.alloc(MB, 0xff))],
  ['50 KB random bytes, whole message', () => randomBytes(50 * KB)],
  ['50 KB random bytes, text part', () => mail(randomBytes(50 * KB))],
  ['50 KB random bytes, HTML part', () => mail(randomBytes(50 * KB), 'text/html; charset=utf-8')],
  ['1 MB of "a" (one line, no spaces)', () => mail(Buffer.alloc(MB, 'a'))],
  ['1 MB of spaces', () => mail(Buffer.alloc(MB, ' '))],
  ['1 MB of line feeds', () => mail(Buffer.alloc(MB, '\n'))],
  ['60,000 spaces inside a line', () => mail(Buffer.from(`AKS${' '.repeat(60_000)}Munich\r\n`))],
  ['HTML nested 20,000 deep', () => mail(Buffer.from(`${'<div>'.repeat(20_000)}AKS${'</div>'.repeat(20_000)}`), 'text/html; charset=utf-8')],
  ['1 MB of tiny HTML elements', () => mail(Buffer.from('<b>AKS</b>'.repeat(MB / 10)), 'text/html; charset=utf-8')],
  ['MIME nested 100 deep', () => nestedMime(100)],
  ['10 MB base64 part (the wire limit)', () => mail(Buffer.from(randomBytes(7 * MB).toString('base64').replace(/.{76}/g, '$&\r\n')), 'application/octet-stream', 'base64')],
  ['10 MB of text lines (the wire limit)', () => mail(Buffer.from('We need AKS in Munich, budget 40k EUR.\r\n'.repeat((10 * MB) / 40)))],
];

interface Figures {
  parse: number;
  auth: number;
  understanding: number;
  total: number;
  longestBlock: number;
}

async function measure(raw: Buffer, catalogue: SkillCatalogue): Promise<Figures> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const t0 = performance.now();
  const read = await parseStored(raw);
  const t1 = performance.now();
  await checkSender(raw, { mailFrom: 'bench@sender.example', remoteIp: '192.0.2.1', helo: 'mx.sender.example' }, { mta: 'mx.p2p.test', dnsTimeoutMs: 1000, resolver: nowhere });
  const t2 = performance.now();
  if (read.ok) understand(read.parsed, catalogue, { now: new Date(), body: await readBody(read.parsed) });
  const t3 = performance.now();
  // A block at the very end shows only when the sampling timer fires late: let it fire.
  await new Promise((resolve) => setTimeout(resolve, 30));
  delay.disable();
  return { parse: t1 - t0, auth: t2 - t1, understanding: t3 - t2, total: t3 - t0, longestBlock: delay.max / 1e6 };
}

const catalogue = await fileCatalogue();
// Warm-up: modules load, V8 compiles, the HTML thread's code is read once.
await measure(mail(Buffer.from('We need an AKS partner in Munich, budget 40,000 EUR.')), catalogue);
await measure(mail(Buffer.from('<p>We need an <b>Intune</b> partner.</p>'), 'text/html; charset=utf-8'), catalogue);

const ms = (n: number) => n.toFixed(0).padStart(7);
console.log(`worst inputs, best of ${ROUNDS} rounds (ms)`);
console.log(`${'input'.padEnd(38)}${'size KB'.padStart(9)}${'parse'.padStart(7)}${'auth'.padStart(7)}${'underst.'.padStart(9)}${'total'.padStart(7)}${'longest block'.padStart(15)}`);
for (const [name, build] of WORST) {
  const raw = build();
  const rounds: Figures[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await measure(raw, catalogue));
  const best = rounds.reduce((a, b) => (b.longestBlock < a.longestBlock ? b : a));
  console.log(`${name.padEnd(38)}${String(Math.round(raw.length / KB)).padStart(9)}${ms(best.parse)}${ms(best.auth)}${ms(best.understanding).padStart(9)}${ms(best.total)}${ms(best.longestBlock).padStart(15)}`);
}
