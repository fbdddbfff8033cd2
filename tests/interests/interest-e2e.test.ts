import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyInterests } from '../../src/interests/interest-notifier.ts';
import { addPartner } from '../support/digest-fixtures.ts';
import { databaseFingerprint } from '../support/db-fingerprint.ts';
import { CHROMIUM, CHROMIUM_ARGS, freePort, linksOf, scanLink } from '../support/link-scanner.ts';
import type { ReceivedMail } from '../support/smtp-sink.ts';
import { createTestStack, csrfFrom, eventually, formBody, linkIn, type TestStack } from '../support/test-stack.ts';

/**
 * The whole interest loop in a real browser, as people would go through it: a partner joins and
 * confirms, another company submits an opportunity through the form, a digest round runs, the
 * partner opens "I'm interested" from the captured digest, writes a note and presses the button;
 * the submitter is told, picks the partner, and both get each other's contact details.
 * Debian's Chromium through playwright-core (never a browser download); `.ci/run` installs it.
 */
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`tests/interest-e2e.test.ts — SKIPPED: ${CHROMIUM} is missing (apt-get install chromium)`);

const PARTNER = { company: 'Kubeworks Ltd', contactName: 'Priya Shah', email: 'priya@kubeworks.example' };
const SUBMITTER = { name: 'Jonas Berg', company: 'Fjord Systems AS', email: 'jonas@fjord.example' };
const NOTE = 'We run AKS for three manufacturers in the Nordics and can start in January.';

let t: TestStack;
let browser: Browser | undefined;
let base = '';

beforeAll(async () => {
  if (!hasChromium) return;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await createTestStack({ PUBLIC_BASE_URL: base, INTEREST_BATCH_MINUTES: '0', UNDO_GRACE_MINUTES: '0' });
  await t.app.listen({ port, host: '127.0.0.1' });
  t.startBackground();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const mailTo = (email: string, subject: RegExp) => (m: ReceivedMail) => m.envelope.to.includes(email) && subject.test(m.parsed.subject ?? '');

/** Picks a skill in the form's skill picker the way a person does: search, then tick. */
async function pickSkill(page: Page, picker: string, search: string, label: string) {
  await page.fill(`#${picker}-filter`, search);
  await page.getByRole('checkbox', { name: label, exact: true }).first().check();
}

async function pressButton(page: Page, name: string | RegExp) {
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name }).click()]);
}

describe('the interest loop in a browser', () => {
  it.skipIf(!hasChromium)('takes a partner from a digest to an introduction', { timeout: 120_000 }, async () => {
    const partnerSide = await browser!.newPage();
    const submitterSide = await browser!.newPage();

    // A partner joins and confirms.
    await partnerSide.goto(`${base}/join`);
    await partnerSide.fill('#company', PARTNER.company);
    await partnerSide.fill('#contactName', PARTNER.contactName);
    await partnerSide.fill('#email', PARTNER.email);
    await partnerSide.getByRole('checkbox', { name: 'Nordics' }).check();
    await pickSkill(partnerSide, 'skills', 'kubernetes', 'Kubernetes on Microsoft Azure');
    await partnerSide.getByRole('checkbox', { name: /weekly digest/ }).check();
    await pressButton(partnerSide, /join|sign up/i);
    const welcome = await t.smtp.waitFor(mailTo(PARTNER.email, /confirm/i));
    await partnerSide.goto(linkIn(welcome.parsed.text, '/join/confirm/'));
    await pressButton(partnerSide, /confirm/i);
    await eventually(async () => (await t.c.db.selectFrom('partners').select('status').where('email', '=', PARTNER.email).executeTakeFirst())?.status === 'active');

    // Another company submits an opportunity through the form and confirms it.
    await submitterSide.goto(`${base}/submit`);
    await submitterSide.fill('#title', 'AKS landing zone for a shipyard');
    await submitterSide.fill('#description', 'Our customer, a shipyard in Bergen, needs its planning tools moved to Azure Kubernetes Service.');
    await pickSkill(submitterSide, 'requiredSkills', 'kubernetes', 'Kubernetes on Microsoft Azure');
    await submitterSide.getByRole('checkbox', { name: 'Nordics' }).first().check();
    await submitterSide.fill('[id="submitter.name"]', SUBMITTER.name);
    await submitterSide.fill('[id="submitter.company"]', SUBMITTER.company);
    await submitterSide.fill('[id="submitter.email"]', SUBMITTER.email);
    await pressButton(submitterSide, /submit/i);
    const confirm = await t.smtp.waitFor(mailTo(SUBMITTER.email, /confirm/i));
    await submitterSide.goto(linkIn(confirm.parsed.text, '/submit/confirm/'));
    await pressButton(submitterSide, /confirm/i);
    const opportunity = await eventually(() =>
      t.c.db.selectFrom('opportunities').select(['id', 'status', 'matchedAt']).where('submitterEmail', '=', SUBMITTER.email).where('matchedAt', 'is not', null).executeTakeFirst(),
    );
    expect(opportunity.status).toBe('published');

    // A digest round; the partner opens "I'm interested" from the captured digest.
    const round = await t.c.digests.runRound({ everyone: true });
    expect(round.sent).toBe(1);
    const digest = await t.smtp.waitFor((m) => m.envelope.to.includes(PARTNER.email) && /^Message-ID: <digest\./im.test(m.raw));
    await partnerSide.goto(linkIn(digest.parsed.text, '/i/'));
    await partnerSide.getByText(PARTNER.company).first().waitFor(); // who the partner acts as
    await partnerSide.fill('#note', NOTE);
    await pressButton(partnerSide, "I'm interested");
    await partnerSide.getByRole('heading', { name: 'You are interested' }).waitFor();

    // The submitter hears of it (batched; the window is 0 here) without the partner's contact details.
    await notifyInterests(t.c.db, { batchMinutes: 0, now: new Date(Date.now() + 1000) });
    const summary = await t.smtp.waitFor(mailTo(SUBMITTER.email, /interested/i));
    expect(summary.parsed.text).toContain(PARTNER.company);
    expect(summary.parsed.text).toContain(NOTE);
    expect(summary.parsed.text).not.toContain(PARTNER.email);
    expect(summary.parsed.text).not.toContain(PARTNER.contactName);

    // The submitter picks the partner on the status page; both are introduced.
    await submitterSide.goto(linkIn(summary.parsed.text, '/o/'));
    await submitterSide.getByRole('checkbox', { name: PARTNER.company }).check();
    await pressButton(submitterSide, 'Introduce us');
    const toPartner = await t.smtp.waitFor(mailTo(PARTNER.email, /introduc/i));
    const toSubmitter = await t.smtp.waitFor(mailTo(SUBMITTER.email, /introduc/i));
    expect(toPartner.parsed.text).toContain(SUBMITTER.email);
    expect(toPartner.parsed.text).toContain(SUBMITTER.name);
    expect(toSubmitter.parsed.text).toContain(PARTNER.email);
    expect(toSubmitter.parsed.text).toContain(PARTNER.contactName);
    const introductions = await t.c.db.selectFrom('introductions').selectAll().where('opportunityId', '=', opportunity.id).execute();
    expect(introductions).toHaveLength(1);
  });

  it.skipIf(!hasChromium)(
    'survives a mail scanner: every link of every email, fetched and browsed, changes nothing',
    { timeout: 180_000 },
    async () => {
      // A second partner, interested but not picked, so the closing note is among the emails too.
      await addPartner(t, 'runner-up', ['kubernetes-on-azure'], { regions: ['nordics'] });
      await t.c.digests.runRound({ everyone: true, period: '2099-W01' });
      const digest = await t.smtp.waitFor((m) => m.envelope.to.includes('runner-up@partners.example') && /^Message-ID: <digest\./im.test(m.raw));
      const interestPath = new URL(linkIn(digest.parsed.text, '/i/')).pathname;
      const page = await t.app.inject({ method: 'GET', url: interestPath });
      const { token, cookie } = csrfFrom(page);
      const posted = await t.app.inject({
        method: 'POST',
        url: interestPath,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        payload: formBody({ _csrf: token, action: 'interest', note: 'We could help too.' }),
      });
      expect(posted.statusCode).toBeLessThan(400);
      const [opportunity] = await t.c.db.selectFrom('opportunities').select('id').where('submitterEmail', '=', SUBMITTER.email).execute();
      await t.c.opportunities.end(opportunity!.id, 'closed');
      await t.smtp.waitFor((m) => m.envelope.to.includes('runner-up@partners.example') && !/^Message-ID: <digest\./im.test(m.raw) && /^Update on /.test(m.parsed.subject ?? ''));
      // Nothing of ours may write while the scanner runs; the relay and workers are done.
      await t.stopBackground();

      const links = [...new Set(t.smtp.received.flatMap((m) => linksOf({ html: m.parsed.html, text: m.parsed.text })))].filter((url) => url.startsWith(base));
      const paths = new Set(links.map((url) => new URL(url).pathname.split('/')[1]));
      // Confirmations, receipts and status pages, digests (interest, not relevant, preferences), unsubscribe.
      for (const kind of ['join', 'submit', 'o', 'i', 'n', 'p', 'u']) expect(paths, `a /${kind}/ link among ${[...paths].join(', ')}`).toContain(kind);

      const before = await databaseFingerprint(t.c.db);
      const reports = [];
      for (let i = 0; i < links.length; i += 6) {
        reports.push(...(await Promise.all(links.slice(i, i + 6).map((url) => scanLink(url, browser!, 2_000)))));
      }
      const after = await databaseFingerprint(t.c.db);
      expect(after).toEqual(before);
      for (const report of reports) {
        for (const status of report.statuses) expect(status, report.url).toBeLessThan(500);
      }
    },
  );
});
