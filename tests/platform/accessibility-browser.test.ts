import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSettings } from '../../src/app/app-deps.ts';
import { buildApp, type App } from '../../src/app/http-app.ts';
import { createMailKinds } from '../../src/app/mails.ts';
import { notifyInterests } from '../../src/interests/interest-notifier.ts';
import { createOpportunityService } from '../../src/opportunities/opportunity.service.ts';
import { addInterest, addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { opportunityInput, partnerInput } from '../support/factories.ts';
import { composeRaw, dkimKeyFor, domainRecords, inboundServiceWith, storeInbound, stubResolver, type TestDkimKey } from '../support/inbound-fixtures.ts';
import { CHROMIUM, CHROMIUM_ARGS, freePort } from '../support/link-scanner.ts';
import type { ReceivedMail } from '../support/smtp-sink.ts';
import { createTestStack, eventually, linkIn, type TestStack } from '../support/test-stack.ts';

/**
 * Every page a partner, a submitter or the operator meets, and every kind of mail we send, in
 * Debian's Chromium (playwright-core) at a phone's and a desktop's width (1280 px for pages, 640 px
 * for mail), checked by axe-core against the WCAG 2.2 A and AA rules: any serious or critical
 * finding fails. On top of axe, what it does not measure: form fields' borders against their
 * background (WCAG 1.4.11, 3:1), and that a phone never scrolls sideways. Each mail is caused the
 * way the service causes it (a sign-up, moderation, the interest notifier, an introduction, the
 * outcome pass, the email intake, the urgent pass, a digest round), and the walk fails when a kind
 * declared in code (each feature's MailKinds, the digest ledger's kinds) was not walked.
 * Screenshots go to test-results/, or to docs/images/ for the README with
 * `UPDATE_DOC_SCREENSHOTS=1 npx vitest run tests/platform/accessibility-browser.test.ts`.
 */
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`tests/platform/accessibility-browser.test.ts — SKIPPED: ${CHROMIUM} is missing (apt-get install chromium)`);

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const DOCS = process.env.UPDATE_DOC_SCREENSHOTS ? fileURLToPath(new URL('../../docs/images/', import.meta.url)) : RESULTS;
const OPERATOR = 'ops@operator.example';

/**
 * Console pages whose README pictures tests/admin/admin-console-browser.test.ts takes (admin-*.png):
 * this walk checks them too, but keeps its screenshots of them in test-results/.
 */
const CONSOLE_PICTURED_ELSEWHERE = new Set(['admin-overview', 'admin-moderation', 'admin-opportunities', 'admin-opportunity', 'admin-partners', 'admin-partner', 'admin-digests', 'admin-inbound', 'admin-suppressions', 'admin-audit']);

/** The partners' mail domain signs its mail and publishes DMARC (the email intake trusts it); elsewhere.example has SPF only. */
const PARTNERS_KEY = dkimKeyFor('partners.example');
const RESOLVER = stubResolver({ ...domainRecords(PARTNERS_KEY, '192.0.2.10'), 'elsewhere.example': 'v=spf1 ip4:192.0.2.10 -all' });

let t: TestStack;
let outboxApp: App | undefined;
let outboxDir = '';
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let base = '';
let outboxBase = '';

interface Finding {
  where: string;
  rule: string;
  impact: string;
  nodes: string[];
}

/** axe-core over the page as it is now: its serious and critical findings. */
async function axe(page: Page, where: string): Promise<Finding[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.addScriptTag({ path: AXE_SOURCE });
  type AxeResult = { violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: string[]; failureSummary?: string }> }> };
  const result = await page.evaluate<AxeResult>(`axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ['violations'] })`);
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ where, rule: v.id, impact: v.impact!, nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`) }));
}

/**
 * WCAG 1.4.11: a form field's border is what shows where to type or tick, so it needs 3:1 against
 * the background it sits on (axe measures text only). Returns the fields that fall short.
 */
async function weakFieldBorders(page: Page): Promise<string[]> {
  return await page.evaluate<string[]>(`(() => {
    const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
      .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const background = (el) => {
      for (let e = el.parentElement; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const weak = [];
    for (const el of document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea')) {
      const style = getComputedStyle(el);
      if (el.closest('.trap') || style.display === 'none' || style.visibility === 'hidden') continue;
      const r = ratio(rgb(style.borderTopColor).slice(0, 3), background(el));
      if (r < 3) weak.push((el.id || el.name) + ' ' + style.borderTopColor + ' ' + r.toFixed(2) + ':1');
    }
    return weak;
  })()`);
}

const scrollWidth = async (page: Page) => Number(await page.evaluate('document.scrollingElement.scrollWidth'));

/**
 * The page at both widths: axe, the field borders, no sideways scroll on a phone, screenshots
 * (`<name>-<width>.png`, in docs/images/ when `docs` and UPDATE_DOC_SCREENSHOTS=1).
 */
async function check(page: Page, name: string, widths: number[], docs: boolean): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const width of widths) {
    await page.setViewportSize({ width, height: 800 });
    const where = `${name} @ ${width}px`;
    findings.push(...(await axe(page, where)));
    for (const weak of await weakFieldBorders(page)) findings.push({ where, rule: 'field-border-contrast (1.4.11)', impact: 'serious', nodes: [weak] });
    // Focus order follows the page: no positive tabindex anywhere.
    const jumps = await page.evaluate<string[]>(`[...document.querySelectorAll('[tabindex]')].filter((e) => e.tabIndex > 0).map((e) => e.outerHTML.slice(0, 80))`);
    for (const jump of jumps) findings.push({ where, rule: 'positive tabindex (focus order)', impact: 'serious', nodes: [jump] });
    if (width <= 400) {
      const w = await scrollWidth(page);
      if (w > width + 1) findings.push({ where, rule: 'no sideways scroll', impact: 'serious', nodes: [`${w} px wide`] });
    }
    await page.screenshot({ path: `${docs ? DOCS : RESULTS}${name}-${width}.png`, fullPage: true });
  }
  return findings;
}

/** A page at 375 and 1280 px; its screenshots `page-<name>-<width>.png`. */
const checkPage = (page: Page, name: string) => check(page, `page-${name}`, [375, 1280], !CONSOLE_PICTURED_ELSEWHERE.has(name));

async function open(url: string): Promise<Page> {
  const page = await context!.newPage();
  await page.goto(url.startsWith('http') ? url : `${base}${url}`, { waitUntil: 'load' });
  return page;
}

async function pressButton(page: Page, name: string | RegExp) {
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name }).first().click()]);
}

const pathOf = (url: string) => new URL(url).pathname;
const inAMonth = () => new Date(Date.now() + 30 * 86_400_000);

beforeAll(async () => {
  if (!hasChromium) return;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // Quiet hours off: the urgent alert goes whatever the hour the test runs at.
  t = await createTestStack({ PUBLIC_BASE_URL: base, ADMIN_EMAILS: OPERATOR, URGENT_QUIET_HOURS: 'off' });
  await t.app.listen({ port, host: '127.0.0.1' });
  t.startBackground();
  // The development outbox is served by the app `start` builds without SMTP_URL.
  outboxDir = await mkdtemp(path.join(tmpdir(), 'p2p-a11y-outbox-'));
  outboxApp = await buildApp({ ...t.c, settings: { ...httpSettings(t.config, 'outbox'), devOutboxDir: outboxDir } });
  const outboxPort = await freePort();
  outboxBase = `http://127.0.0.1:${outboxPort}`;
  await outboxApp.listen({ port: outboxPort, host: '127.0.0.1' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  // The pages' Content-Security-Policy allows our own scripts only; axe is injected by the test.
  context = await browser.newContext({ bypassCSP: true });
  await mkdir(RESULTS, { recursive: true });
  await mkdir(DOCS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await outboxApp?.close();
  await t?.close();
  if (outboxDir) await rm(outboxDir, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)('accessibility (axe-core, WCAG 2.2 AA) of every page and mail, at 375 and 1280 px', () => {
  it('finds nothing serious or critical on any page a partner, a submitter or the operator sees', async () => {
    const findings: Finding[] = [];
    const seen = async (url: string, name: string, act?: (page: Page) => Promise<void>) => {
      const page = await open(url);
      if (act) await act(page);
      findings.push(...(await checkPage(page, name)));
      return page;
    };

    const partnerId = await addPartner(t, 'kubeworks', ['kubernetes-on-azure', 'identity-access-management'], {
      website: 'https://kubeworks.example',
      country: 'Austria',
      profile: 'We build AKS platforms with Entra ID single sign-on for manufacturers.',
    });
    const other = await addPartner(t, 'identio', ['identity-access-management']);
    const opportunityId = await addOpportunity(t, 'AKS landing zone for a Linz logistics firm', ['kubernetes-on-azure', 'identity-access-management'], {
      budgetMin: 40_000,
      budgetMax: 70_000,
      currency: 'EUR',
    });
    await addInterest(t, opportunityId, partnerId, { note: 'We did three AKS platforms with Entra ID this year; happy to talk.' });
    await addInterest(t, opportunityId, other);
    const { expiresAt } = await t.c.opportunities.getRow(opportunityId);
    const { opportunity: pending } = await t.c.opportunities.submit({ source: 'form', input: opportunityInput({ title: 'Entra ID clean-up for a retailer' }) });
    const email = 'kubeworks@partners.example';

    await seen('/', 'home');
    await seen('/join', 'join');
    await seen('/join', 'join-errors', (page) => pressButton(page, 'Join and confirm by email'));
    await seen('/submit', 'submit');
    await seen('/submit', 'submit-errors', async (page) => {
      await page.getByLabel('Title').fill('AKS');
      await pressButton(page, 'Submit');
    });
    await seen('/submit/sent', 'submit-sent');
    await seen(pathOf(t.c.links.confirmOpportunity(pending.id)), 'submit-confirm');
    await seen(pathOf(t.c.links.opportunityStatus(opportunityId, expiresAt)), 'status');
    await seen(pathOf(t.c.links.interest(partnerId, opportunityId, inAMonth())), 'interest');
    await seen(pathOf(t.c.links.notRelevant(other, opportunityId, inAMonth())), 'not-relevant');
    await seen(pathOf(t.c.links.notRelevant(other, opportunityId, inAMonth())), 'not-relevant-stored', (page) => pressButton(page, /^Not relevant$/));
    await seen(pathOf(t.c.links.preferences(partnerId)), 'preferences');
    await seen(pathOf(t.c.links.unsubscribe(email)), 'unsubscribe');
    await seen(pathOf(t.c.links.unsubscribe('gone@partners.example')), 'unsubscribe-already', async (page) => {
      await pressButton(page, 'Unsubscribe');
      await page.goto(`${base}${pathOf(t.c.links.unsubscribe('gone@partners.example'))}`, { waitUntil: 'load' });
    });
    // The outcome question's answer page, as its "Yes" button opens it, and after answering.
    const { id: interestId } = await t.c.db.selectFrom('interests').select('id').where('opportunityId', '=', opportunityId).where('partnerId', '=', other).executeTakeFirstOrThrow();
    await t.c.introductions.introduce(opportunityId, [interestId]);
    const { id: introductionId } = await t.c.db
      .selectFrom('introductions')
      .select('id')
      .where('opportunityId', '=', opportunityId)
      .where('partnerId', '=', other)
      .executeTakeFirstOrThrow();
    const question = await t.c.db.insertInto('outcomeRequests').values({ introductionId, side: 'partner' }).returning('id').executeTakeFirstOrThrow();
    const outcomePath = (answer?: string) => {
      const url = new URL(t.c.links.outcome(question.id, answer));
      return url.pathname + url.search;
    };
    await seen(outcomePath('yes'), 'outcome');
    await seen(outcomePath('talking'), 'outcome-answered', (page) => pressButton(page, 'Save my answer'));
    // The status page after "Introduce us" (its success message and timeline).
    await seen(`${pathOf(t.c.links.opportunityStatus(opportunityId, expiresAt))}?introduced=${interestId}`, 'status-introduced');
    // Closing in two steps, and the undo that follows, on an opportunity of its own.
    const ending = await addOpportunity(t, 'Entra ID tenant merge for a Graz retailer', ['identity-access-management']);
    await addInterest(t, ending, other, { note: 'Two tenant merges last year.' });
    const endingPath = pathOf(t.c.links.opportunityStatus(ending, (await t.c.opportunities.getRow(ending)).expiresAt));
    await seen(`${endingPath}/end?as=closed`, 'status-confirm');
    await seen(`${endingPath}/end?as=withdrawn`, 'status-confirm-withdraw');
    await seen(`${endingPath}/end?as=closed`, 'status-closed', (page) => pressButton(page, 'Yes, close it'));
    await seen(`${endingPath}/undo`, 'status-undo');
    await seen('/nowhere', 'not-found');

    // The operator: sign in through the emailed link, then every console page.
    await seen('/admin/sign-in', 'admin-sign-in');
    const page = await open('/admin/sign-in');
    await page.getByLabel('Email').fill(OPERATOR);
    await pressButton(page, 'Email me a sign-in link');
    const mail = await t.smtp.waitFor((m) => m.envelope.to.includes(OPERATOR) && /sign-in link/.test(m.parsed.subject ?? ''));
    await page.goto(linkIn(mail.parsed.text, '/admin/sign-in/'));
    await pressButton(page, 'Sign in');
    for (const [url, name] of [
      ['/admin', 'admin-overview'],
      ['/admin/moderation', 'admin-moderation'],
      ['/admin/opportunities', 'admin-opportunities'],
      [`/admin/opportunities/${opportunityId}`, 'admin-opportunity'],
      ['/admin/partners', 'admin-partners'],
      [`/admin/partners/${partnerId}`, 'admin-partner'],
      ['/admin/digests', 'admin-digests'],
      ['/admin/inbound', 'admin-inbound'],
      ['/admin/suppressions', 'admin-suppressions'],
      ['/admin/audit', 'admin-audit'],
    ] as const) {
      await page.goto(`${base}${url}`, { waitUntil: 'load' });
      findings.push(...(await checkPage(page, name)));
    }

    // The development outbox, with the mails this run sent.
    await t.smtp.waitFor((m) => /Confirm your opportunity/.test(m.parsed.subject ?? ''));
    for (const [i, m] of t.smtp.received.entries()) await writeFile(path.join(outboxDir, `2026-12-04T10-00-0${i % 10}-00${i}Z-${m.envelope.to[0]}.eml`), m.raw);
    const outbox = await seen(`${outboxBase}/dev/outbox`, 'dev-outbox');
    const first = await outbox.locator('table a').first().getAttribute('href');
    await seen(`${outboxBase}${first}`, 'dev-outbox-mail');

    expect(findings, findings.map((f) => `${f.where}: ${f.rule} (${f.impact})\n    ${f.nodes.join('\n    ')}`).join('\n')).toEqual([]);
  }, 300_000);

  it('finds nothing serious or critical in any kind of mail we send, at 375 and 640 px', async () => {
    const { db } = t.c;
    const DAY = 86_400_000;
    const inAMinute = (from: number) => new Date(from + 60_000);
    const inbound = inboundServiceWith(t, RESOLVER);

    // The page walk's partners (made here when this test runs alone); one more takes urgent work
    // as it comes (alerts), another in a daily summary, due now.
    const partner = async (key: string, skills: string[]) =>
      (await t.c.partners.findRowByEmail(`${key}@partners.example`)) ?? (await t.c.partners.findById((await addPartner(t, key, skills))))!;
    const kube = await partner('kubeworks', ['kubernetes-on-azure', 'identity-access-management']);
    const identio = await partner('identio', ['identity-access-management']);
    await addPartner(t, 'swiftstack', ['kubernetes-on-azure'], { urgentDelivery: 'alert' });
    const summarised = await addPartner(t, 'dailyops', ['kubernetes-on-azure'], { urgentDelivery: 'daily' });
    // Its digest hour is 11:00 in a time zone where it is 12:xx now: due for an hour, whatever the hour the test runs at.
    const offset = 12 - new Date().getUTCHours();
    const noonZone = offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
    await db.updateTable('partners').set({ timezone: noonZone, digestHour: 11 }).where('id', '=', summarised).execute();

    // partner-confirm: a sign-up; partner-preferences-link: the operator's "send a preferences link".
    expect(await t.c.partners.signUp(partnerInput('newcomer', ['kubernetes-on-azure'], { profile: 'AKS platforms for retailers.' }))).toBe('created');
    await t.c.partners.sendPreferencesLink(kube.id);
    // admin-sign-in: the console's sign-in form.
    await t.c.adminAuth.requestSignIn(OPERATOR);

    // opportunity-confirm, -receipt, -approved and -rejected: the form's way in under MODERATION=on
    // (a confirmation left unconfirmed; two confirmed, then approved and rejected).
    const moderated = createOpportunityService({
      db,
      catalogue: t.c.catalogue,
      partners: t.c.partners,
      introductions: t.c.introductions,
      moderation: true,
      defaultLifetimeDays: 30,
    });
    const submitter = { name: 'Lena Vogt', company: 'Vogt Logistik GmbH', email: 'lena@vogt.example' };
    await moderated.submit({ source: 'form', input: opportunityInput({ title: 'Intune roll-out for a Linz school board', submitter }) });
    const reviewed: string[] = [];
    for (const title of ['Sentinel roll-out for a Salzburg hospital', 'Entra ID tenant split for a Vienna insurer']) {
      const { opportunity } = await moderated.submit({ source: 'form', input: opportunityInput({ title, submitter }) });
      await moderated.confirmSubmitter(opportunity.id);
      reviewed.push(opportunity.id);
    }
    await t.c.opportunities.approve(reviewed[0]!);
    await t.c.opportunities.reject(reviewed[1]!, { reason: 'The tenant split is already placed with a partner of the insurer.' });

    // interest-summary (the notifier's pass once the batch window is over), introduction (both
    // sides), outcome-question and -reminder (the outcome pass, 14 and 21 days on); not-picked
    // (an opportunity of its own, closed by the operator: no undo window to wait out).
    const opportunityId = await addOpportunity(t, 'AKS platform for a Graz machine builder', ['kubernetes-on-azure', 'identity-access-management'], {
      budgetMin: 30_000,
      budgetMax: 50_000,
      currency: 'EUR',
      submitter,
    });
    const picked = await addInterest(t, opportunityId, kube.id, { note: 'Three AKS platforms with Entra ID this year.' });
    await addInterest(t, opportunityId, identio.id, { note: 'Entra ID is what we do all day.' });
    expect(await notifyInterests(db, { batchMinutes: t.config.interestBatchMinutes, now: new Date(Date.now() + (t.config.interestBatchMinutes + 1) * 60_000) })).toBeGreaterThan(0);
    await t.smtp.waitFor((m) => m.raw.includes('Message-ID: <interest-summary.') && m.envelope.to.includes(submitter.email), 15_000);
    await t.c.introductions.introduce(opportunityId, [picked]);
    const placed = await addOpportunity(t, 'Entra ID governance for a Klagenfurt bank', ['identity-access-management'], { submitter });
    await addInterest(t, placed, identio.id);
    await t.c.opportunities.end(placed, 'closed');
    const asked = Date.now() + t.config.outcomeAskAfterDays * DAY;
    expect((await t.c.outcomes.askAndRemind(inAMinute(asked))).asked).toBeGreaterThan(0);
    expect((await t.c.outcomes.askAndRemind(inAMinute(asked + t.config.outcomeReminderAfterDays * DAY + 60_000))).reminded).toBeGreaterThan(0);

    // email-acknowledgement: an unverified sender's draft, and a verified partner's published opportunity.
    const emailed = (from: string, subject: string, text: string, key?: TestDkimKey) =>
      composeRaw({ from, to: 'opportunities@p2p.test', subject, text, attachments: [{ filename: 'scope.pdf', content: '%PDF-1.4 scope' }] }, key);
    const draft = await inbound.process(
      await storeInbound(t, await emailed('Zoe Adler <zoe@elsewhere.example>', 'AKS help needed', 'We need help moving our shop to Azure Kubernetes Service next spring.'), {
        mailFrom: 'zoe@elsewhere.example',
      }),
    );
    expect(draft.status).toBe('processed');
    const published = await inbound.process(
      await storeInbound(
        t,
        await emailed(
          'Contact identio <identio@partners.example>',
          'AKS migration for a retailer in Munich',
          'Our customer, a retailer with 40 stores, moves its shop platform to Azure Kubernetes Service, on site in Munich.\nBudget: EUR 40,000 - 60,000, start 2027-01-15.',
          PARTNERS_KEY,
        ),
        { mailFrom: 'identio@partners.example' },
      ),
    );
    expect(published.outcome).toBe('published');

    // alert and daily: an urgent opportunity, through the urgent pass (quiet hours off for this file).
    const soon = new Date(Date.now() + 7 * DAY).toISOString().slice(0, 10);
    const urgent = await addOpportunity(t, 'AKS upgrade before a retail peak', ['kubernetes-on-azure'], { urgent: true, startDate: soon, submitter });
    await t.c.digests.startUrgent({ opportunityId: urgent });
    await t.c.digests.startUrgent();

    // digest: a round; digest-reply-help: kubeworks answers its digest with words a program cannot read.
    await t.c.digests.runRound({ everyone: true, period: '2099-W11' });
    const digest = await t.smtp.waitFor((m) => m.envelope.to.includes(kube.email) && /^Message-ID: <digest\./im.test(m.raw) && !/^Subject: Urgent/im.test(m.raw), 15_000);
    const replyTo = digest.parsed.replyTo?.value[0]?.address ?? '';
    const reply = await composeRaw({ from: `Contact kubeworks <${kube.email}>`, to: replyTo, subject: `Re: ${digest.parsed.subject}`, text: 'The second one looks good, call me.' }, PARTNERS_KEY);
    expect((await inbound.process(await storeInbound(t, reply, { mailFrom: kube.email, rcptTo: [replyTo] }))).outcome).toMatch(/unclear.*answered/);

    // Every kind declared in code: each feature's MailKinds (src/app/mails.ts joins them) and the digest ledger's kinds.
    const declared = Object.keys(createMailKinds(t.c as never));
    const ledgerKinds = (await sql<{ kind: string }>`SELECT unnest(enum_range(NULL::digest_kind))::text AS kind`.execute(db)).rows.map((r) => r.kind);
    const expected = [...declared, ...ledgerKinds].sort();
    expect(expected).toEqual(expect.arrayContaining(['admin-sign-in', 'alert', 'daily', 'digest', 'outcome-question']));

    /** Each mail's kind, from its Message-ID (`<kind.job@…>`, or `<digest.row@…>` and the ledger row's kind), and its variant. */
    const labelOf = async (m: ReceivedMail): Promise<{ kind: string; label: string }> => {
      const [, prefix = 'unknown', id = ''] = /^Message-ID: <([a-z-]+)\.([^@>]+)@/im.exec(m.raw) ?? [];
      if (prefix === 'digest') {
        const row = await db.selectFrom('digests').select('kind').where('id', '=', id).executeTakeFirstOrThrow();
        return { kind: row.kind, label: row.kind };
      }
      if (prefix === 'introduction') {
        const toPartner = await t.c.partners.findRowByEmail(m.envelope.to[0]!);
        return { kind: prefix, label: `introduction-${toPartner ? 'partner' : 'submitter'}` };
      }
      if (prefix === 'email-acknowledgement') return { kind: prefix, label: `email-acknowledgement-${/\/e\//.test(m.parsed.text ?? '') ? 'draft' : 'published'}` };
      return { kind: prefix, label: prefix };
    };
    const variants = ['introduction-partner', 'introduction-submitter', 'email-acknowledgement-draft', 'email-acknowledgement-published'];
    const mails = new Map<string, { kind: string; html: string }>();
    const collect = async () => {
      for (const m of t.smtp.received) {
        const { kind, label } = await labelOf(m);
        if (m.parsed.html && !mails.has(label)) mails.set(label, { kind, html: m.parsed.html });
      }
      const walked = new Set([...mails.values()].map((v) => v.kind));
      return expected.every((k) => walked.has(k)) && variants.every((v) => mails.has(v));
    };
    await eventually(collect, 30_000).catch(() => undefined);
    const walked = new Set([...mails.values()].map((v) => v.kind));
    expect(expected.filter((k) => !walked.has(k)), 'kinds of mail declared in code but not walked: cause each in this test').toEqual([]);
    expect(variants.filter((v) => !mails.has(v))).toEqual([]);
    // And nothing was sent that is not one of those kinds (a mail sent around both the mail service and the ledger).
    expect([...walked].filter((k) => !expected.includes(k)), 'mails of no declared kind').toEqual([]);

    const findings: Finding[] = [];
    const page = await context!.newPage();
    for (const [label, { html }] of [...mails].sort(([a], [b]) => a.localeCompare(b))) {
      await page.setContent(html, { waitUntil: 'load' });
      expect(await page.evaluate('document.documentElement.lang'), `${label} says its language`).toBe('en');
      findings.push(...(await check(page, `email-${label}`, [375, 640], true)));
    }
    expect(findings, findings.map((f) => `${f.where}: ${f.rule} (${f.impact})\n    ${f.nodes.join('\n    ')}`).join('\n')).toEqual([]);
  }, 180_000);
});
