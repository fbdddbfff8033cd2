import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addInterest, addOpportunity, addPartner, settle } from '../support/digest-fixtures.ts';
import { databaseFingerprint } from '../support/db-fingerprint.ts';
import { hasChromium, pressButton, startBrowserStack, warnWithoutChromium, type BrowserStack } from '../support/browser-stack.ts';
import { linksOf, scanLink } from '../support/link-scanner.ts';
import type { ReceivedMail } from '../support/smtp-sink.ts';
import { eventually, type TestStack } from '../support/test-stack.ts';

/**
 * The outcome loop in a real browser: the submitter introduces themselves to a partner on the
 * status page; fourteen days later (the introduction's row moved back in time, then the
 * scheduler's pass) each side gets one "Did you and … work together?" email; a mail scanner
 * fetches and browses every link of every email and nothing changes; both answer in the browser;
 * the answers show on the submitter's status page, and the partner's "yes" shows as a reason
 * when the partner is matched again. Debian's Chromium through playwright-core.
 */
warnWithoutChromium('tests/outcomes/outcome-e2e.test.ts');

const SUBMITTER = { name: 'Jonas Berg', company: 'Fjord Systems AS', email: 'jonas@fjord.example' };
const PARTNER = { company: 'kubeworks Ltd', email: 'kubeworks@partners.example' };
const DAY = 86_400_000;

let t: TestStack;
let browser: Browser | undefined;
let base = '';

let stack: BrowserStack | undefined;

beforeAll(async () => {
  if (!hasChromium) return;
  stack = await startBrowserStack();
  ({ t, browser, base } = stack);
});

afterAll(async () => {
  await stack?.close();
});

const mailTo = (email: string, subject: RegExp) => (m: ReceivedMail) => m.envelope.to.includes(email) && subject.test(m.parsed.subject ?? '');
const questionsTo = (email: string) => t.smtp.received.filter(mailTo(email, /work together\?$/));

/** The link of an answer button in a question mail's plain text. */
const answerLink = (mail: ReceivedMail, answer: string) => {
  const link = mail.parsed.text?.match(new RegExp(`${base.replace(/[.:/]/g, '\\$&')}/w/[\\w.-]+\\?answer=${answer}`))?.[0];
  if (!link) throw new Error(`no ${answer} link in:\n${mail.parsed.text}`);
  return link;
};

describe('the outcome loop in a browser', () => {
  it.skipIf(!hasChromium)('asks both sides once, survives a mail scanner, records answers from the page, and feeds them back', { timeout: 180_000 }, async () => {
    const partnerId = await addPartner(t, 'kubeworks', ['kubernetes-on-azure'], { regions: ['nordics'] });
    const opportunityId = await addOpportunity(t, 'AKS landing zone for a shipyard', ['kubernetes-on-azure'], { regions: ['nordics'], submitter: SUBMITTER });
    await addInterest(t, opportunityId, partnerId, { note: 'We run AKS for three shipyards.' });
    const o = await t.c.db.selectFrom('opportunities').select('expiresAt').where('id', '=', opportunityId).executeTakeFirstOrThrow();
    const statusUrl = t.c.links.opportunityStatus(opportunityId, o.expiresAt);

    // The submitter picks the partner on the status page: an introduction, and its two emails.
    const submitterSide = await browser!.newPage();
    await submitterSide.goto(statusUrl);
    await submitterSide.getByRole('checkbox', { name: PARTNER.company }).check();
    await pressButton(submitterSide, 'Introduce us');
    await t.smtp.waitFor(mailTo(PARTNER.email, /^Introduction/));
    await t.smtp.waitFor(mailTo(SUBMITTER.email, /^Introduction/));
    await submitterSide.getByText(/We ask you both on \d{1,2} [A-Z][a-z]{2} \d{4}/).waitFor();

    // Nothing is asked before the delay; fourteen days on, one question to each side, however often the pass runs.
    expect((await t.c.outcomes.askAndRemind()).asked).toBe(0);
    await t.c.db.updateTable('introductions').set({ createdAt: new Date(Date.now() - 14 * DAY - 60_000) }).where('opportunityId', '=', opportunityId).execute();
    expect((await t.c.outcomes.askAndRemind()).asked).toBe(2);
    expect((await t.c.outcomes.askAndRemind()).asked).toBe(0);
    const toSubmitter = await t.smtp.waitFor(mailTo(SUBMITTER.email, /work together\?$/));
    const toPartner = await t.smtp.waitFor(mailTo(PARTNER.email, /work together\?$/));
    expect(toSubmitter.parsed.subject).toBe(`Did you and ${PARTNER.company} work together?`);
    expect(toPartner.parsed.subject).toBe(`Did you and ${SUBMITTER.company} work together?`);
    await settle();
    expect(questionsTo(SUBMITTER.email)).toHaveLength(1);
    expect(questionsTo(PARTNER.email)).toHaveLength(1);

    // A mail scanner fetches and browses every link of every email: nothing changes.
    await eventually(async () => !(await t.c.db.selectFrom('outbox').select('id').where('publishedAt', 'is', null).executeTakeFirst()));
    await settle();
    await t.stopBackground();
    const links = [...new Set(t.smtp.received.flatMap((m) => linksOf({ html: m.parsed.html, text: m.parsed.text })))].filter((url) => url.startsWith(base));
    const paths = new Set(links.map((url) => new URL(url).pathname.split('/')[1]));
    for (const kind of ['w', 'o', 'u']) expect(paths, `a /${kind}/ link among ${[...paths].join(', ')}`).toContain(kind);
    const before = await databaseFingerprint(t.c.db);
    const reports = [];
    for (let i = 0; i < links.length; i += 6) {
      reports.push(...(await Promise.all(links.slice(i, i + 6).map((url) => scanLink(url, browser!, 1_500)))));
    }
    expect(await databaseFingerprint(t.c.db)).toEqual(before);
    for (const report of reports) for (const status of report.statuses) expect(status, report.url).toBeLessThan(500);

    // The partner opens "Yes" from their email: preselected; adds an amount and a note; saves.
    const partnerSide = await browser!.newPage();
    await partnerSide.goto(answerLink(toPartner, 'yes'));
    await partnerSide.getByRole('heading', { name: `Did you and ${SUBMITTER.company} work together?` }).waitFor();
    expect(await partnerSide.getByRole('radio', { name: 'Yes, a project is under way' }).isChecked()).toBe(true);
    await partnerSide.getByRole('radio', { name: '€10k–50k' }).check();
    await partnerSide.fill('#note', 'Phase one starts in January.');
    await pressButton(partnerSide, 'Save my answer');
    await partnerSide.getByText('We recorded your answer: Yes, a project is under way.').waitFor();
    await partnerSide.setViewportSize({ width: 375, height: 800 });
    await partnerSide.screenshot({ path: 'test-results/outcome-answer-375.png', fullPage: true });

    // The submitter opens "Still talking" and saves it.
    await submitterSide.goto(answerLink(toSubmitter, 'talking'));
    expect(await submitterSide.getByRole('radio', { name: 'Still talking' }).isChecked()).toBe(true);
    await pressButton(submitterSide, 'Save my answer');
    await submitterSide.getByText('We recorded your answer: Still talking.').waitFor();

    // Both answers on the submitter's status page (the partner's amount and note are not theirs to see).
    await submitterSide.goto(statusUrl);
    const outcome = submitterSide.locator('dd.outcome');
    await expect.poll(() => outcome.innerText()).toContain('You: Still talking');
    expect(await outcome.innerText()).toContain(`${PARTNER.company}: Yes, a project is under way`);
    expect(await submitterSide.content()).not.toContain('Phase one starts');
    await submitterSide.screenshot({ path: 'test-results/outcome-status-1280.png', fullPage: true });

    // Matched again: the partner's confirmed work together is a reason, and a small bonus.
    const next = await addOpportunity(t, 'AKS for a second shipyard', ['kubernetes-on-azure'], {
      regions: ['nordics'],
      submitter: { name: 'Ada Lund', company: 'Lund Marine AB', email: 'ada@lund.example' },
    });
    const res = await t.app.inject({ method: 'GET', url: `/api/opportunities/${next}/matches`, headers: t.adminHeaders });
    const match = res.json<{ matches: Array<{ company: string; reasons: string[] }> }>().matches.find((m) => m.company === PARTNER.company);
    expect(match?.reasons).toContain('Worked with 1 partner through p2p-digest');
  });
});
