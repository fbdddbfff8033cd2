import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPartner } from '../support/digest-fixtures.ts';
import { databaseFingerprint } from '../support/db-fingerprint.ts';
import { hasChromium, pressButton, startBrowserStack, warnWithoutChromium, type BrowserStack } from '../support/browser-stack.ts';
import { linksOf, scanLink } from '../support/link-scanner.ts';
import type { ReceivedMail } from '../support/smtp-sink.ts';
import { eventually, linkIn, type TestStack } from '../support/test-stack.ts';

/**
 * Urgent work end to end in a real browser (issue 13, "Done when"): a partner joins with urgent
 * work "as it comes" (the sign-up's pre-selected choice), another keeps it "in my digest"; a
 * submitter marks an opportunity urgent on the form, sees the reach preview on the confirmation
 * page and publishes. The "as it comes" partner gets an alert from the workers and the
 * scheduler's pass, the "digest" partner nothing until the round, and neither ever gets it
 * twice. The preview's count equals the matches matching then stores, and fetching every link
 * of the alert changes nothing. Debian's Chromium through playwright-core.
 */
warnWithoutChromium('tests/digests/urgent-e2e.test.ts');

const ALERTED = { company: 'Kubeworks Ltd', contactName: 'Priya Shah', email: 'priya@kubeworks.example' };
const SUBMITTER = { name: 'Jonas Berg', company: 'Fjord Systems AS', email: 'jonas@fjord.example' };
const TITLE = 'AKS cluster rescue before the shipyard restarts';
const DIGESTER = 'digester@partners.example';

let t: TestStack;
let browser: Browser | undefined;
let base = '';

let stack: BrowserStack | undefined;

beforeAll(async () => {
  if (!hasChromium) return;
  // Quiet hours off: the test runs at any hour of the day.
  stack = await startBrowserStack({ URGENT_QUIET_HOURS: 'off' });
  ({ t, browser, base } = stack);
});

afterAll(async () => {
  await stack?.close();
});

const mailsTo = (email: string) => t.smtp.received.filter((m) => m.envelope.to.includes(email));
const carrying = (m: ReceivedMail) => (m.parsed.text ?? '').includes(TITLE);

async function pickSkill(page: Page, picker: string, search: string, label: string) {
  await page.fill(`#${picker}-filter`, search);
  await page.getByRole('checkbox', { name: label, exact: true }).first().check();
}

describe('urgent work in a browser', () => {
  it.skipIf(!hasChromium)('alerts the "as it comes" partner within the scheduler step, the "digest" partner only in the round, never twice', { timeout: 150_000 }, async () => {
    const partnerSide = await browser!.newPage();
    const submitterSide = await browser!.newPage();

    // A partner joins; "as it comes" is offered pre-selected.
    await partnerSide.goto(`${base}/join`);
    await partnerSide.fill('#company', ALERTED.company);
    await partnerSide.fill('#contactName', ALERTED.contactName);
    await partnerSide.fill('#email', ALERTED.email);
    await partnerSide.getByRole('checkbox', { name: 'Nordics' }).check();
    await pickSkill(partnerSide, 'skills', 'kubernetes', 'Kubernetes on Microsoft Azure');
    expect(await partnerSide.getByRole('radio', { name: /As it comes/ }).isChecked()).toBe(true);
    await partnerSide.getByRole('checkbox', { name: /weekly digest/ }).check();
    await pressButton(partnerSide, /join|sign up/i);
    const welcome = await t.smtp.waitFor((m) => m.envelope.to.includes(ALERTED.email) && /confirm/i.test(m.parsed.subject ?? ''));
    await partnerSide.goto(linkIn(welcome.parsed.text, '/join/confirm/'));
    await pressButton(partnerSide, /confirm/i);
    await eventually(async () => (await t.c.db.selectFrom('partners').select('status').where('email', '=', ALERTED.email).executeTakeFirst())?.status === 'active');

    // Others keep urgent work in their digest; some match only with remote work.
    await addPartner(t, 'digester', ['kubernetes-on-azure'], { regions: ['nordics'], urgentDelivery: 'digest' });
    await addPartner(t, 'far-away', ['kubernetes-on-azure'], { regions: ['apac'], remoteOk: true, urgentDelivery: 'digest' });
    await eventually(async () => (await t.c.db.selectFrom('outbox').select('id').where('publishedAt', 'is', null).execute()).length === 0);

    // The submitter marks the opportunity urgent, with a start date ten days away.
    const start = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await submitterSide.goto(`${base}/submit`);
    await submitterSide.fill('#title', TITLE);
    await submitterSide.fill('#description', 'Our customer, a shipyard in Bergen, needs its AKS clusters stable before production restarts.');
    await pickSkill(submitterSide, 'requiredSkills', 'kubernetes', 'Kubernetes on Microsoft Azure');
    await submitterSide.getByRole('checkbox', { name: 'Nordics' }).first().check();
    await submitterSide.fill('#startDate', start);
    await submitterSide.getByRole('checkbox', { name: /Urgent/ }).check();
    await submitterSide.fill('[id="submitter.name"]', SUBMITTER.name);
    await submitterSide.fill('[id="submitter.company"]', SUBMITTER.company);
    await submitterSide.fill('[id="submitter.email"]', SUBMITTER.email);
    await pressButton(submitterSide, /submit/i);
    const confirm = await t.smtp.waitFor((m) => m.envelope.to.includes(SUBMITTER.email) && /confirm/i.test(m.parsed.subject ?? ''));
    await submitterSide.goto(linkIn(confirm.parsed.text, '/submit/confirm/'));
    const confirmText = await submitterSide.locator('body').innerText();
    expect(confirmText).toMatch(/Urgent\s+Yes/);
    const preview = confirmText.match(/Who would hear of it: (\d+) partners? match(?:es)? now\. Allowing remote work: (\d+)\./);
    expect(preview, confirmText).not.toBeNull();
    await pressButton(submitterSide, /confirm/i);

    // The relay, the match job and the urgent-alert job run in the background workers.
    const opportunity = await eventually(() =>
      t.c.db.selectFrom('opportunities').select(['id', 'urgent', 'matchedAt']).where('submitterEmail', '=', SUBMITTER.email).where('matchedAt', 'is not', null).executeTakeFirst(),
    );
    expect(opportunity.urgent).toBe(true);
    // The preview's count is what matching stored.
    const stored = await t.c.db.selectFrom('matches').select('partnerId').where('opportunityId', '=', opportunity.id).execute();
    expect(Number(preview![1])).toBe(stored.length);
    expect(stored.length).toBe(2);
    expect(Number(preview![2])).toBe(3);

    // The match job queued the alert work: the alert arrives without any further step.
    const alert = await eventually(async () => mailsTo(ALERTED.email).find((m) => /^Urgent: /.test(m.parsed.subject ?? '')), 20_000);
    expect(alert.parsed.subject).toMatch(new RegExp(`^Urgent: ${TITLE} — starts \\d{1,2} \\w{3}$`));
    expect(carrying(alert)).toBe(true);
    expect(mailsTo(DIGESTER)).toHaveLength(0);
    // The scheduler's pass (the reconciler's urgent step), as often as it likes: nothing new.
    await t.c.digests.startUrgent();
    await t.c.digests.startUrgent();
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsTo(ALERTED.email).filter(carrying)).toHaveLength(1);
    expect(mailsTo(DIGESTER)).toHaveLength(0);

    // The round: the digest partner gets it now; the alerted partner not again.
    await t.c.digests.runRound({ everyone: true });
    await t.c.digests.runRound({ everyone: true, period: '2099-W02' });
    await t.c.digests.startUrgent();
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsTo(DIGESTER).filter(carrying)).toHaveLength(1);
    expect(mailsTo(ALERTED.email).filter(carrying)).toHaveLength(1);
    expect(await t.c.db.selectFrom('digestItems').select('partnerId').where('opportunityId', '=', opportunity.id).execute()).toHaveLength(2);

    // A mail scanner fetches and browses every link of the alert: nothing changes.
    await t.stopBackground();
    const links = linksOf({ html: alert.parsed.html, text: alert.parsed.text }).filter((url) => url.startsWith(base));
    const kinds = new Set(links.map((url) => new URL(url).pathname.split('/')[1]));
    for (const kind of ['i', 'n', 'p', 'u']) expect(kinds, `a /${kind}/ link among ${[...kinds].join(', ')}`).toContain(kind);
    const before = await databaseFingerprint(t.c.db);
    const reports = await Promise.all(links.map((url) => scanLink(url, browser!, 2_000)));
    expect(await databaseFingerprint(t.c.db)).toEqual(before);
    for (const report of reports) for (const status of report.statuses) expect(status, report.url).toBeLessThan(500);
  });
});
