import { readdirSync, readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtp, type RunningRole } from '../../src/app/roles.ts';
import { addPartner } from '../support/digest-fixtures.ts';
import { composeRaw, dkimKeyFor, domainRecords, inboundServiceWith, stubResolver } from '../support/inbound-fixtures.ts';
import { createTestStack, eventually, type TestStack } from '../support/test-stack.ts';
import { SAMPLE_EMAILS } from '../support/sample-emails.ts';

/**
 * The real-world samples (../shared/data/emails: mail clients' replies, parser edge cases, a
 * bounce, spam) through the whole intake, nothing stubbed but DNS: sent over SMTP to the
 * listener, stored, processed by the worker, understood, acknowledged. Each must end as an
 * opportunity draft or a clear rejection; none may fail, crash the worker or be lost.
 */
const INTAKE = 'opportunities@p2p.test';
const root = SAMPLE_EMAILS;
const samples = ['client-replies', 'parser-edge-cases'].flatMap((dir) =>
  readdirSync(new URL(`${dir}/`, root))
    .filter((f) => f.endsWith('.eml'))
    .map((f) => `${dir}/${f}`),
);

let t: TestStack;
// The partner's domain signs its mail and publishes DMARC; so does a spoofer's, for itself only.
const partnerKey = dkimKeyFor('kubeworks.example');
const spooferKey = dkimKeyFor('spoofer.example');
let smtp: RunningRole & { port: number };
/** Each sample's From domain: the envelope sender uses it, as the sender's own server would. */
const sampleSenderDomains = new Map<string, string>();

beforeAll(async () => {
  for (const file of samples) {
    const from = (await simpleParser(readFileSync(new URL(file, root)))).from?.value[0]?.address;
    if (from?.includes('@')) sampleSenderDomains.set(file, from.slice(from.lastIndexOf('@') + 1).toLowerCase());
  }
});

beforeAll(async () => {
  t = await createTestStack({ INTAKE_ADDRESSES: INTAKE });
  // Offline DNS. The samples' From domains publish SPF for our test client and nothing else (no
  // DMARC, no DKIM key): their senders are authenticated by an aligned SPF pass, so they may be
  // answered, but none is DMARC-verified as a partner.
  const spf = Object.fromEntries([...new Set([...sampleSenderDomains.values(), 'elsewhere.example'])].map((d) => [d, 'v=spf1 ip4:127.0.0.1 -all']));
  (t.c as { inbound: ReturnType<typeof inboundServiceWith> }).inbound = inboundServiceWith(
    t,
    stubResolver({ ...spf, ...domainRecords(partnerKey, '127.0.0.1'), ...domainRecords(spooferKey, '127.0.0.1') }),
  );
  smtp = await startSmtp(t.c, 0);
  t.startBackground();
});

afterAll(async () => {
  await smtp?.stop();
  await t?.close();
});

describe('real-world mail through the whole intake', () => {
  it('turns every sample into a draft opportunity or a clear rejection, and loses none', { timeout: 120_000 }, async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
    for (const [i, file] of samples.entries()) {
      const raw = readFileSync(new URL(file, root));
      // A bounce comes from the null sender; everything else from a sender of its own.
      const from = file.includes('delivery-status') ? '' : `sender${i}@${sampleSenderDomains.get(file) ?? 'elsewhere.example'}`;
      await transport.sendMail({ envelope: { from, to: [INTAKE] }, raw });
    }
    transport.close();

    const rows = await eventually(async () => {
      const all = await t.c.db.selectFrom('inboundMessages').select(['status', 'outcome', 'opportunityId', 'size', 'mailFrom']).execute();
      return all.length === samples.length && all.every((r) => r.status !== 'received') ? all : undefined;
    }, 90_000);
    for (const row of rows) {
      expect(row.status, `${row.mailFrom}: ${row.outcome}`).toMatch(/^(processed|rejected)$/);
      expect(row.outcome).toBeTruthy();
    }
    const drafts = rows.filter((r) => r.opportunityId);
    expect(drafts.length).toBeGreaterThan(5); // the mail clients' messages are people writing
    expect(rows.filter((r) => r.status === 'rejected').map((r) => r.outcome).join(' | ')).toMatch(/bounce/);

    // Nothing an email creates reaches partners before its sender confirmed it.
    const opportunities = await t.c.db.selectFrom('opportunities').select(['status', 'source']).execute();
    expect(opportunities.every((o) => o.source === 'email' && o.status === 'pending_verification')).toBe(true);
    // Senders of drafts get one acknowledgement each ("Here is what we understood"), at most one
    // a day: several samples share a sender. Bounced, list and machine mail get no answer.
    const senders = new Set(
      (await t.c.db.selectFrom('opportunities').select('submitterEmail').execute()).map((o) => o.submitterEmail.toLowerCase()),
    );
    const acks = await eventually(async () => {
      const found = t.smtp.received.filter((m) => /^Message-ID: <email-acknowledgement\./im.test(m.raw));
      return found.length === senders.size ? found : undefined;
    }, 30_000);
    expect(new Set(acks.map((m) => m.envelope.to.join()))).toEqual(senders);
    for (const ack of acks) expect(ack.parsed.text).toMatch(/understood/i);
  });

  it('takes a DKIM-signed message from a partner as theirs, a spoofed one as unverified, and ignores an out-of-office', { timeout: 60_000 }, async () => {
    const partnerId = await addPartner(t, 'kubeworks', ['kubernetes-on-azure'], { email: 'priya@kubeworks.example' });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true, name: 'mail.kubeworks.example' });
    const opportunity = (subject: string) => ({
      from: 'Priya Shah <priya@kubeworks.example>',
      to: INTAKE,
      subject,
      text: 'Fwd from our customer: a shipyard in Bergen needs its planning tools on Azure Kubernetes Service. Nordics. Budget 40,000 EUR, start 2027-01-15.',
    });
    const send = async (raw: Buffer, from: string) => transport.sendMail({ envelope: { from, to: [INTAKE] }, raw });
    await send(await composeRaw({ ...opportunity('Fwd: AKS landing zone for a shipyard'), messageId: '<genuine@kubeworks.example>' }, partnerKey), 'priya@kubeworks.example');
    await send(await composeRaw({ ...opportunity('AKS landing zone, spoofed'), messageId: '<spoofed@spoofer.example>' }, spooferKey), 'bounce@spoofer.example');
    await send(
      await composeRaw({ from: 'Priya Shah <priya@kubeworks.example>', to: INTAKE, subject: 'Out of office', text: 'I am away until Monday.', headers: { 'Auto-Submitted': 'auto-replied' }, messageId: '<ooo@kubeworks.example>' }, partnerKey),
      'priya@kubeworks.example',
    );
    transport.close();

    const byMessage = await eventually(async () => {
      const rows = await t.c.db.selectFrom('inboundMessages').select(['messageId', 'status', 'outcome', 'opportunityId']).where('messageId', 'like', '%example>').execute();
      const done = rows.filter((r) => ['<genuine@kubeworks.example>', '<spoofed@spoofer.example>', '<ooo@kubeworks.example>'].includes(r.messageId ?? ''));
      return done.length === 3 && done.every((r) => r.status !== 'received') ? new Map(done.map((r) => [r.messageId, r])) : undefined;
    }, 30_000);
    const opportunityOf = (messageId: string) =>
      t.c.db.selectFrom('opportunities').select(['status', 'submitterPartnerId', 'title']).where('id', '=', byMessage.get(messageId)!.opportunityId!).executeTakeFirstOrThrow();

    // DMARC passed for the partner's own domain: the mail speaks for the partner and, complete, is published.
    expect(await opportunityOf('<genuine@kubeworks.example>')).toMatchObject({ submitterPartnerId: partnerId, status: 'published', title: 'AKS landing zone for a shipyard' });
    // Signed, but by another domain than the From: unverified, a draft waiting for the mailbox's confirmation.
    expect(await opportunityOf('<spoofed@spoofer.example>')).toMatchObject({ submitterPartnerId: null, status: 'pending_verification' });
    // The out-of-office is no opportunity and gets no answer.
    expect(byMessage.get('<ooo@kubeworks.example>')).toMatchObject({ status: 'rejected', opportunityId: null });
    // Priya hears back once: the acknowledgement of her opportunity, nothing for the out-of-office.
    await t.smtp.waitFor((m) => m.envelope.to.includes('priya@kubeworks.example') && /^Message-ID: <email-acknowledgement\./im.test(m.raw));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(t.smtp.received.filter((m) => m.envelope.to.includes('priya@kubeworks.example'))).toHaveLength(1);
  });
});
