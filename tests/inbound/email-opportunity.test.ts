import { describeReach, previewReach } from '../../src/matching/match.service.ts';
import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailOpportunity } from '../../src/inbound/drafts/email-opportunity.ts';
import { createOpportunityService } from '../../src/opportunities/opportunity.service.ts';
import { databaseFingerprint } from '../support/db-fingerprint.ts';
import { createTestStack, csrfFrom, eventually, formBody, linkIn, tamper, type TestStack } from '../support/test-stack.ts';
import { BROWSER, FORM } from '../support/browser-requests.ts';
import { stackQueries } from '../support/stack-queries.ts';

let t: TestStack;
let seq = 0;

beforeAll(async () => {
  t = await createTestStack();
  t.startBackground();
});
afterAll(async () => t?.close());


/** A forwarded Outlook-style opportunity with quoted history, a signature and an attachment. */
function forwardedMail(from: string, messageId: string, opts: { withRegion?: boolean; niceToHave?: string } = {}) {
  const where = opts.withRegion === false ? 'somewhere' : 'Munich';
  return Buffer.from(
    [
      `From: Anna Berger <${from}>`,
      'To: opportunities@p2p.test',
      `Subject: FW: [EXT] AKS migration for a retailer in ${where}`,
      `Message-ID: ${messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Can one of your partners help?',
      '',
      '-----Original Message-----',
      'From: Tom Meyer <tom@contoso.example>',
      'Sent: Tuesday, December 1, 2026 4:12 PM',
      'Subject: AKS migration',
      '',
      `Our customer, a retailer with 40 stores, moves its shop platform to Azure Kubernetes Service, ${where === 'Munich' ? 'on site in Munich' : 'location to be agreed'}.`,
      'Budget: EUR 40,000 - 60,000, start 2027-01-15.',
      ...(opts.niceToHave ? [opts.niceToHave] : []),
      '',
      'Best regards,',
      'Tom',
      '',
      '> an older question about Sentinel',
      '--b1',
      'Content-Type: application/pdf; name="scope.pdf"',
      'Content-Disposition: attachment; filename="scope.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 scope').toString('base64'),
      '--b1--',
      '',
    ].join('\r\n'),
  );
}

/** The stack's opportunity service as configured, but with MODERATION=on. */
const moderated = () =>
  createOpportunityService({
    db: t.c.db,
    catalogue: t.c.catalogue,
    partners: t.c.partners,
    introductions: t.c.introductions,
    moderation: true,
    defaultLifetimeDays: 30,
  });

/** Stores a message as the intake does, and hands it to understanding as the inbound job does. */
async function receive(
  raw: Buffer,
  sender: { email: string; name: string },
  opts: { verifiedPartnerId?: string | null; mayReply?: boolean; moderation?: boolean } = {},
) {
  const row = await t.c.db
    .insertInto('inboundMessages')
    .values({ receivedVia: 'smtp', mailFrom: sender.email, rcptTo: ['opportunities@p2p.test'], dedupeKey: randomUUID(), raw, size: raw.length })
    .returning('id')
    .executeTakeFirstOrThrow();
  const result = await createEmailOpportunity(
    { catalogue: t.c.catalogue, opportunities: opts.moderation ? moderated() : t.c.opportunities },
    { inboundId: row.id, parsed: await simpleParser(raw), sender, verifiedPartnerId: opts.verifiedPartnerId ?? null, mayReply: opts.mayReply ?? true },
  );
  return { inboundId: row.id, ...result };
}

const inboundRow = (id: string) => t.c.db.selectFrom('inboundMessages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const { opportunityRow: opportunity } = stackQueries(() => t);
const acknowledgements = async (inboundId: string) =>
  (await t.c.db.selectFrom('outbox').select('id').where('dedupeKey', '=', `mail:email-acknowledgement:${inboundId}`).execute()).length;
const mailTo = (email: string, subject: RegExp) =>
  eventually(async () => t.smtp.received.find((m) => m.envelope.to.includes(email) && subject.test(m.parsed.subject ?? '')));

async function activePartner(email: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/partners',
    headers: t.adminHeaders,
    payload: { company: `Fabrikam ${++seq} AG`, contactName: 'Anna Berger', email, regions: ['dach'], skills: ['Intune'] },
  });
  expect(res.statusCode).toBe(201);
  return res.json<{ id: string; company: string }>();
}

describe('an opportunity sent by email', () => {
  it('from an unknown sender: a draft, an acknowledgement with a correction link, published from the page', async () => {
    const sender = { email: `anna.${++seq}@fabrikam.example`, name: 'Anna Berger' };
    const result = await receive(forwardedMail(sender.email, `<fwd-${seq}@fabrikam.example>`), sender);
    expect(result.outcome).toBe('awaiting confirmation');

    const o = await opportunity(result.opportunityId!);
    expect(o).toMatchObject({
      title: 'AKS migration for a retailer in Munich',
      status: 'pending_verification',
      source: 'email',
      sourceMessageId: `<fwd-${seq}@fabrikam.example>`,
      regions: ['dach'],
      budgetMin: 40_000,
      budgetMax: 60_000,
      currency: 'EUR',
      submitterEmail: sender.email,
      submitterName: 'Anna Berger',
      submitterCompany: 'fabrikam.example',
      submitterPartnerId: null,
      publishedAt: null,
    });
    expect(o.description).toContain('moves its shop platform to Azure Kubernetes Service');
    expect(o.description).not.toMatch(/Original Message|Best regards|Sentinel|%PDF/);
    expect(await inboundRow(result.inboundId)).toMatchObject({ status: 'processed', outcome: 'awaiting confirmation', opportunityId: o.id });

    const mail = await mailTo(sender.email, /^Here is what we understood/);
    const text = mail.parsed.text ?? '';
    expect(text).toContain('AKS migration for a retailer in Munich');
    expect(text).toContain('Kubernetes on Microsoft Azure');
    expect(text).toContain('scope.pdf');
    expect(text).toContain('40,000 – 60,000 EUR');

    // GET shows the form, filled in, and writes nothing.
    const path = new URL(linkIn(text, '/e/')).pathname;
    const before = await databaseFingerprint(t.c.db);
    const page = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="AKS migration for a retailer in Munich"');
    expect(page.body).toContain('scope.pdf');
    expect(page.body).not.toContain('%PDF');
    expect(await databaseFingerprint(t.c.db)).toEqual(before);

    // POST with the corrections publishes it; the address stays the one the mail came from.
    const { token, cookie } = csrfFrom(page);
    const fields = {
      _csrf: token,
      title: 'AKS migration for a retailer',
      description: o.description,
      requiredSkills: ['kubernetes-on-azure', 'intune'],
      regions: ['dach', 'emea-central'],
      budgetMin: '40000',
      budgetMax: '60000',
      currency: 'EUR',
      startDate: '2027-01-15',
      'submitter.name': 'Anna Berger',
      'submitter.company': 'Fabrikam AG',
      'submitter.email': 'someone.else@evil.example',
    };
    const bad = await t.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie }, payload: formBody({ ...fields, requiredSkills: [] }) });
    expect(bad.statusCode).toBe(400);
    expect((await opportunity(o.id)).status).toBe('pending_verification');

    const posted = await t.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie }, payload: formBody(fields) });
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toMatch(/^\/o\//);
    const published = await opportunity(o.id);
    expect(published).toMatchObject({
      status: 'published',
      title: 'AKS migration for a retailer',
      regions: ['dach', 'emea-central'],
      submitterCompany: 'Fabrikam AG',
      submitterEmail: sender.email,
      startDate: '2027-01-15',
    });
    expect(published.requiredSkillIds).toHaveLength(2);

    // The link now leads to the status page, and changes nothing more.
    const again = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
    expect(again.body).toContain('Already published');
  });

  it('the acknowledgement of a draft says how many partners match it now, and what would reach more', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/partners',
      headers: t.adminHeaders,
      payload: { company: `Kube Crew ${++seq} GmbH`, contactName: 'Kai Kube', email: `kai.${seq}@kubecrew.example`, regions: ['dach'], skills: ['AKS'] },
    });
    expect(res.statusCode).toBe(201);
    const sender = { email: `anna.${++seq}@fabrikam.example`, name: 'Anna Berger' };
    const result = await receive(forwardedMail(sender.email, `<reach-${seq}@fabrikam.example>`), sender);
    const o = await opportunity(result.opportunityId!);
    const preview = await previewReach(t.c.db, o);
    expect(preview!.matched).toBeGreaterThan(0);
    const mail = await mailTo(sender.email, /^Here is what we understood/);
    const text = (mail.parsed.text ?? '').replace(/\s+/g, ' ');
    expect(text).toContain(`Who would hear of it: ${preview!.matched} partner${preview!.matched === 1 ? ' matches' : 's match'} now.`);
    expect(text).toContain(`Who would hear of it: ${await describeReach(t.c.db, o)}`);
    // The correction page behind the button says it too, and writes nothing.
    const before = await databaseFingerprint(t.c.db);
    const page = await t.app.inject({ method: 'GET', url: new URL(linkIn(mail.parsed.text ?? '', '/e/')).pathname, headers: BROWSER });
    expect(page.body).toContain(`<p class="reach">Who would hear of it, as we read it now: ${preview!.matched} partner`);
    expect(await databaseFingerprint(t.c.db)).toEqual(before);
  });

  it('from a verified partner with nothing missing: published at once, the acknowledgement links to its status', async () => {
    const email = `anna.${++seq}@fabrikam.example`;
    const partner = await activePartner(email);
    const result = await receive(forwardedMail(email, `<fwd-${seq}@fabrikam.example>`), { email, name: '' }, { verifiedPartnerId: partner.id });
    expect(result.outcome).toBe('published');
    const o = await opportunity(result.opportunityId!);
    expect(o).toMatchObject({ status: 'published', submitterPartnerId: partner.id, submitterCompany: partner.company, submitterName: 'Anna Berger' });
    expect(o.publishedAt).not.toBeNull();
    const mail = await mailTo(email, /^Here is what we understood/);
    expect(linkIn(mail.parsed.text, '/o/')).toBeTruthy();
    expect(mail.parsed.text).not.toContain('/e/');
  });

  it('from a verified partner under MODERATION=on: complete, but waiting for review', async () => {
    const email = `anna.${++seq}@fabrikam.example`;
    const partner = await activePartner(email);
    const result = await receive(forwardedMail(email, `<mod-${seq}@fabrikam.example>`), { email, name: 'Anna' }, { verifiedPartnerId: partner.id, moderation: true });
    expect(result.outcome).toBe('awaiting review');
    expect(await opportunity(result.opportunityId!)).toMatchObject({ status: 'pending_review', publishedAt: null });
    const published = await t.c.db.selectFrom('outbox').select('id').where('dedupeKey', '=', `opportunity.published:${result.opportunityId}`).execute();
    expect(published).toHaveLength(0);
  });

  it('from a verified partner with something missing: a draft all the same', async () => {
    const email = `anna.${++seq}@fabrikam.example`;
    const partner = await activePartner(email);
    const result = await receive(forwardedMail(email, `<fwd-${seq}@fabrikam.example>`, { withRegion: false }), { email, name: 'Anna' }, { verifiedPartnerId: partner.id });
    expect(result.outcome).toBe('awaiting confirmation');
    const mail = await mailTo(email, /^Here is what we understood/);
    expect(mail.parsed.text).toContain('We could not find where the work is');
    const page = await t.app.inject({ method: 'GET', url: new URL(linkIn(mail.parsed.text, '/e/')).pathname, headers: BROWSER });
    expect(page.body).toContain('We found no region');
    // Stored as remote only because the table needs one or the other; the form asks again.
    expect(page.body).not.toMatch(/name="remote" value="on" checked/);
  });

  it('a start date that reads two ways: a draft even from a verified partner, and the acknowledgement asks which was meant', async () => {
    const email = `anna.${++seq}@fabrikam.example`;
    const partner = await activePartner(email);
    const mail = (messageId: string, headers: string[] = []) =>
      Buffer.from(
        [
          `From: Anna Berger <${email}>`,
          'To: opportunities@p2p.test',
          'Subject: Intune rollout for 300 devices, fully remote',
          `Message-ID: ${messageId}`,
          ...headers,
          'Content-Type: text/plain; charset=utf-8',
          '',
          'We need a partner for an Intune rollout to 300 laptops. Fully remote. We would like to start on 04/05/2027.',
          '',
        ].join('\r\n'),
      );
    // Nothing in the mail tells how its sender writes dates: read day first, and asked.
    const asked = await receive(mail(`<date-${seq}@fabrikam.example>`), { email, name: 'Anna' }, { verifiedPartnerId: partner.id });
    expect(asked.outcome).toBe('awaiting confirmation');
    expect(await opportunity(asked.opportunityId!)).toMatchObject({ status: 'pending_verification', startDate: '2027-05-04' });
    const ack = await mailTo(email, /^Here is what we understood/);
    expect(ack.parsed.text).toContain('We read the start date 04/05/2027 as 4 May 2027. If you meant 5 Apr 2027, correct it on the page behind the button before you publish.');
    expect(linkIn(ack.parsed.text, '/e/')).toBeTruthy();

    // Written in US English (Content-Language): month first, nothing to ask, published at once.
    const told = await receive(mail(`<date-us-${seq}@fabrikam.example>`, ['Content-Language: en-US']), { email, name: 'Anna' }, { verifiedPartnerId: partner.id, mayReply: false });
    expect(told.outcome).toBe('published');
    expect(await opportunity(told.opportunityId!)).toMatchObject({ status: 'published', startDate: '2027-04-05' });
  });

  it('asked for "as a plus": a nice-to-have skill in the draft, the acknowledgement and the correction page', async () => {
    const sender = { email: `anna.${++seq}@fabrikam.example`, name: 'Anna Berger' };
    const raw = forwardedMail(sender.email, `<nice-${seq}@fabrikam.example>`, { niceToHave: 'Power BI dashboards for the stores would be a plus.' });
    const result = await receive(raw, sender);
    const o = await opportunity(result.opportunityId!);
    const slugs = (ids: number[]) => ids.map((id) => t.c.catalogue.get(id)!.slug);
    expect(slugs(o.requiredSkillIds)).toEqual(['kubernetes-on-azure']);
    expect(slugs(o.niceSkillIds)).toEqual(['power-bi']);

    const mail = await mailTo(sender.email, /^Here is what we understood/);
    expect(mail.parsed.text).toMatch(/Nice to have\W+Power BI/);
    const page = await t.app.inject({ method: 'GET', url: new URL(linkIn(mail.parsed.text ?? '', '/e/')).pathname, headers: BROWSER });
    expect(page.body).toMatch(/name="niceToHaveSkills" value="power-bi" checked/);
    expect(page.body).not.toMatch(/name="requiredSkills" value="power-bi" checked/);
  });

  it('delivered twice with the same Message-ID: one opportunity', async () => {
    const sender = { email: `anna.${++seq}@fabrikam.example`, name: 'Anna' };
    const raw = forwardedMail(sender.email, `<dup-${seq}@fabrikam.example>`);
    const first = await receive(raw, sender);
    const second = await receive(raw, sender);
    expect(second).toMatchObject({ outcome: 'duplicate', opportunityId: first.opportunityId });
    const rows = await t.c.db.selectFrom('opportunities').select('id').where('submitterEmail', '=', sender.email).execute();
    expect(rows).toHaveLength(1);
    expect(await inboundRow(second.inboundId)).toMatchObject({ status: 'processed', outcome: 'duplicate' });
    expect(await acknowledgements(second.inboundId)).toBe(0);
  });

  it('without permission to reply: the draft, no acknowledgement', async () => {
    const sender = { email: `anna.${++seq}@fabrikam.example`, name: 'Anna' };
    const result = await receive(forwardedMail(sender.email, `<quiet-${seq}@fabrikam.example>`), sender, { mayReply: false });
    expect(result.outcome).toBe('awaiting confirmation');
    expect(await acknowledgements(result.inboundId)).toBe(0);
    expect(await acknowledgements((await receive(forwardedMail(sender.email, `<loud-${seq}@fabrikam.example>`), sender)).inboundId)).toBe(1);
  });

  it('a changed or foreign link gets the friendly page and changes nothing', async () => {
    const wrongPurpose = new URL(t.c.links.confirmOpportunity(randomUUID())).pathname.split('/').pop()!;
    const good = new URL(t.c.links.emailDraft(randomUUID())).pathname;
    for (const url of [`/e/${wrongPurpose}`, `/e/${tamper(good.split('/').pop()!)}`]) {
      const res = await t.app.inject({ method: 'GET', url, headers: BROWSER });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('This link does not work');
    }
  });
});
