import { spawn, spawnSync } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailJob } from '../../src/app/mails.ts';
import { loadDigestRenderer } from '../../src/digests/digest-render.ts';
import { loadMailTemplates } from '../../src/platform/mail/mail-templates.ts';
import { digestFixture } from '../support/digest-view-fixture.ts';
import { addInterest, addOpportunity, addPartner, digestServiceWith } from '../support/digest-fixtures.ts';
import { partnerInput } from '../support/factories.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

/**
 * Every kind of mail we send, as it leaves over SMTP, scored by Debian's SpamAssassin with its
 * local tests only (`spamassassin -L -t`: no DNS lists, no Razor/Pyzor): each must score 0.0 or
 * less. Runs where `spamassassin` is on PATH (.ci/run installs it); skips, saying why, elsewhere.
 */
const SPAMASSASSIN = spawnSync('sh', ['-c', 'command -v spamassassin'], { encoding: 'utf8' }).stdout.trim();
if (!SPAMASSASSIN) console.warn('spam-score.test.ts skipped: `spamassassin` is not on PATH (apt-get install spamassassin)');

interface Score {
  score: number;
  tests: string[];
}

/** Runs `spamassassin -L -t` over one raw message; its verdict from the X-Spam-Status header. */
function spamScore(raw: string): Promise<Score> {
  return new Promise((resolve, reject) => {
    const child = spawn(SPAMASSASSIN, ['-L', '-t'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', () => {
      const header = /^X-Spam-Status: ([\s\S]*?)\n(?!\s)/m.exec(out)?.[1]?.replace(/\s+/g, ' ');
      const score = header && /score=(-?[\d.]+)/.exec(header)?.[1];
      if (!header || score === undefined) return reject(new Error(`spamassassin said no X-Spam-Status: ${err || out.slice(0, 500)}`));
      const tests = /tests=(\S*)/.exec(header)?.[1] ?? '';
      resolve({ score: Number(score), tests: tests === 'none' ? [] : tests.split(',').filter(Boolean) });
    });
    child.stdin.end(raw);
  });
}

describe('the preheader and the language of every mail (no SpamAssassin needed)', () => {
  const TEXT_COLOR = '#1f2933';
  const preheaderOf = (html: string) => /<div class="preheader" style="([^"]*)">([^<]*)<\/div>/.exec(html);

  it('is hidden the standard way, in the text colour (never white or faint), in a mail that says lang="en"', async () => {
    const notice = (await loadMailTemplates()).notice({
      subject: 'Confirm your sign-up',
      preheader: 'One click and your first digest is on its way.',
      heading: 'Welcome',
      paragraphs: ['Hello'],
      details: [],
      action: null,
      footer: { reason: 'because', unsubscribeUrl: 'https://p2p.example/u/x', operator: 'Example Ltd' },
    }).html;
    const digest = (await loadDigestRenderer()).render(digestFixture()).html;
    for (const html of [notice, digest]) {
      const [, style, text] = preheaderOf(html) ?? [];
      expect(text).toBeTruthy();
      expect(style).toMatch(/display:none;max-height:0;max-width:0;overflow:hidden/);
      expect(style).toContain(`color:${TEXT_COLOR}`);
      // MJML's <mj-preview> (white, 1px): what SpamAssassin scored HTML_FONT_LOW_CONTRAST.
      expect(html).not.toMatch(/color:#ffffff;line-height:1px/);
      expect(html).toMatch(/<html lang="en"/);
    }
    expect(preheaderOf(notice)![2]).toBe('One click and your first digest is on its way.');
  });
});

describe.skipIf(!SPAMASSASSIN)('SpamAssassin (local tests) scores every mail we send at 0.0 or less', () => {
  let t: TestStack;
  const sent = new Map<string, string>();

  beforeAll(async () => {
    t = await createTestStack();
    const { db } = t.c;
    let n = 0;
    const send = async (label: string, job: MailJob) => {
      const jobId = `spam-${++n}`;
      expect(await t.c.mail.send(job, jobId), label).toBe('sent');
      sent.set(label, (await t.smtp.waitFor((m) => m.raw.includes(`<${job.kind}.${jobId}@`), 5_000)).raw);
    };

    const partnerId = await addPartner(t, 'kubeworks', ['kubernetes-on-azure', 'identity-access-management'], {
      profile: 'We build AKS platforms with Entra ID single sign-on for manufacturers.',
      website: 'https://kubeworks.example',
    });
    const other = await addPartner(t, 'identio', ['identity-access-management']);
    const pending = await t.c.partners.signUp(partnerInput('newcomer', ['kubernetes-on-azure']));
    expect(pending).toBe('created');
    const newcomer = (await t.c.partners.findRowByEmail('newcomer@partners.example'))!;

    const published = await addOpportunity(t, 'AKS platform for a Linz logistics firm', ['kubernetes-on-azure', 'identity-access-management'], {
      budgetMin: 20_000,
      budgetMax: 40_000,
      currency: 'EUR',
    });
    const draft = await addOpportunity(t, 'Entra ID clean-up for a retailer', ['identity-access-management']);
    await db.updateTable('opportunities').set({ status: 'pending_verification' }).where('id', '=', draft).execute();
    const rejected = await addOpportunity(t, 'Sentinel roll-out for a school board', ['identity-access-management']);
    await db.updateTable('opportunities').set({ status: 'rejected' }).where('id', '=', rejected).execute();
    const closed = await addOpportunity(t, 'Landing zone for an insurer', ['kubernetes-on-azure']);

    const interest = await addInterest(t, published, partnerId, { note: 'We did three AKS platforms with Entra ID this year.' });
    const introduction = await db.insertInto('introductions').values({ opportunityId: published, partnerId }).returning('id').executeTakeFirstOrThrow();
    await addInterest(t, closed, other);
    await db.updateTable('opportunities').set({ status: 'closed' }).where('id', '=', closed).execute();

    const inbound = await db
      .insertInto('inboundMessages')
      .values({
        dedupeKey: 'spam-score-1',
        raw: Buffer.from('Subject: AKS help\r\n\r\nWe need AKS help in Linz.\r\n'),
        rcptTo: ['opportunities@p2p.test'],
        receivedVia: 'smtp',
        size: 40,
        opportunityId: draft,
        status: 'processed',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const signIn = await db
      .insertInto('adminSignInRequests')
      .values({ email: 'operator@p2p.test', expiresAt: sql<Date>`now() + interval '15 minutes'` })
      .returning('id')
      .executeTakeFirstOrThrow();

    await send('partner-confirm', { kind: 'partner-confirm', partnerId: newcomer.id });
    await send('partner-preferences-link', { kind: 'partner-preferences-link', partnerId });
    await send('opportunity-confirm', { kind: 'opportunity-confirm', opportunityId: draft });
    await send('opportunity-receipt', { kind: 'opportunity-receipt', opportunityId: published });
    await send('opportunity-approved', { kind: 'opportunity-approved', opportunityId: published });
    await send('opportunity-rejected', { kind: 'opportunity-rejected', opportunityId: rejected });
    await send('interest-summary', { kind: 'interest-summary', opportunityId: published, interestIds: [interest] });
    await send('introduction (submitter)', { kind: 'introduction', introductionId: introduction.id, side: 'submitter' });
    await send('introduction (partner)', { kind: 'introduction', introductionId: introduction.id, side: 'partner' });
    await send('not-picked', { kind: 'not-picked', opportunityId: closed, partnerId: other });
    await send('email-acknowledgement', { kind: 'email-acknowledgement', inboundId: inbound.id, missing: ['regions'], attachments: ['scope.pdf'] });
    await send('digest-reply-help', { kind: 'digest-reply-help', partnerId });
    await send('admin-sign-in', { kind: 'admin-sign-in', requestId: signIn.id });
    const [toSubmitter, toPartner] = await Promise.all(
      (['submitter', 'partner'] as const).map((side) =>
        db.insertInto('outcomeRequests').values({ introductionId: introduction.id, side }).returning('id').executeTakeFirstOrThrow(),
      ),
    );
    await send('outcome-question (submitter)', { kind: 'outcome-question', requestId: toSubmitter!.id });
    await send('outcome-question (partner)', { kind: 'outcome-question', requestId: toPartner!.id });
    await send('outcome-reminder', { kind: 'outcome-reminder', requestId: toPartner!.id });

    await t.c.digests.runRound({ everyone: true, partnerId, period: '2099-W10' });
    sent.set('digest', (await t.smtp.waitFor((m) => /^Message-ID: <digest\./im.test(m.raw), 10_000)).raw);

    // An urgent alert (a row of the digest ledger with its own subject and opening line), outside
    // quiet hours whatever the clock says.
    const alertee = await addPartner(t, 'swiftstack', ['kubernetes-on-azure']);
    await db.updateTable('partners').set({ urgentDelivery: 'alert' }).where('id', '=', alertee).execute();
    const urgentStart = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const urgent = await addOpportunity(t, 'AKS upgrade before a retail peak', ['kubernetes-on-azure'], { urgent: true, startDate: urgentStart });
    const alerts = await digestServiceWith(t, { alertsPerDay: 3, quietHours: null });
    const created = await alerts.startUrgent({ opportunityId: urgent });
    expect(created.alerts).toHaveLength(1);
    const built = await alerts.buildMany(created.alerts);
    await alerts.sendMany(created.alerts.filter((id) => built.get(id) === 'ready'));
    sent.set('urgent alert', (await t.smtp.waitFor((m) => m.envelope.to.includes('swiftstack@partners.example') && /^Message-ID: <digest\./im.test(m.raw), 10_000)).raw);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('covers every kind of mail the service drafts, and the digest', async () => {
    const { createMailKinds } = await import('../../src/app/mails.ts');
    const kinds = Object.keys(createMailKinds(t.c as never));
    for (const kind of kinds) expect([...sent.keys()].some((label) => label.startsWith(kind)), kind).toBe(true);
    expect(sent.has('digest')).toBe(true);
  });

  it('scores each of them at 0.0 or less, and each says its language', async () => {
    // Three at a time: SpamAssassin takes a core for a few seconds per message.
    const queue = [...sent];
    const results: Array<{ label: string } & Score> = [];
    await Promise.all(
      [1, 2, 3].map(async () => {
        for (let next = queue.shift(); next; next = queue.shift()) results.push({ label: next[0], ...(await spamScore(next[1])) });
      }),
    );
    const scoring = results.filter((r) => r.score > 0).map((r) => `${r.label}: ${r.score} (${r.tests.join(', ')})`);
    expect(scoring, scoring.join('\n')).toEqual([]);
    for (const [label, raw] of sent) expect(raw, label).not.toMatch(/lang="und"/);
    // About 12 s on an idle 2-core machine; minutes when other suites share the cores.
  }, 360_000);
});
