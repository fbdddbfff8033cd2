import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { complaintEvidence, permanentFailures } from '../../src/inbound/trust/bounces.ts';
import {
  addressOf,
  asksToUnsubscribe,
  classifyMail,
  envelopeSender,
  ownAddressSet,
  reportTypeOf,
  type MailFacts,
} from '../../src/inbound/trust/classify.ts';
import { SAMPLE_EMAILS } from '../support/sample-emails.ts';

const own = ownAddressSet(['p2p-digest <digest@p2p.test>', 'unsubscribe@p2p.test']);

function facts(headers: Record<string, string>, overrides: Partial<MailFacts> = {}): MailFacts {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    mailFrom: 'ann@partner.example',
    fromAddress: 'ann@partner.example',
    subject: 'Need a Dynamics 365 partner in Munich',
    header: (name) => lower.get(name.toLowerCase()),
    ...overrides,
  };
}

const kindOf = (f: MailFacts) => classifyMail(f, own).kind;

describe('classifying inbound mail', () => {
  it('takes a plain message from a person for a person', () => {
    expect(classifyMail(facts({}), own)).toEqual({ kind: 'person' });
    expect(kindOf(facts({ 'Auto-Submitted': 'no' }))).toBe('person');
  });

  it('recognises automatic replies and out-of-office by header or subject', () => {
    expect(kindOf(facts({ 'Auto-Submitted': 'auto-replied' }))).toBe('auto-reply');
    expect(kindOf(facts({ 'Auto-Submitted': 'auto-generated' }))).toBe('auto-reply');
    expect(kindOf(facts({ 'X-Auto-Response-Suppress': 'All' }))).toBe('auto-reply');
    expect(kindOf(facts({ 'X-Autoreply': 'yes' }))).toBe('auto-reply');
    expect(kindOf(facts({ 'X-Autorespond': 'yes' }))).toBe('auto-reply');
    for (const p of ['bulk', 'junk', 'list', 'Bulk']) expect(kindOf(facts({ Precedence: p }))).toBe('auto-reply');
    for (const subject of ['Out of Office: Need a partner', 'Automatic reply: Test', 'Abwesenheitsnotiz: Projekt', 'Auto-Reply: hi', 'Réponse automatique : projet']) {
      expect(kindOf(facts({}, { subject }))).toBe('auto-reply');
    }
    expect(kindOf(facts({}, { subject: 'Office 365 migration, out of scope parts' }))).toBe('person');
  });

  it('recognises mailing-list mail', () => {
    expect(classifyMail(facts({ 'List-Id': '<devs.lists.example>' }), own)).toMatchObject({ kind: 'list' });
  });

  it('recognises bounces: null sender, mailer daemons, delivery reports', () => {
    expect(classifyMail(facts({}, { mailFrom: '' }), own)).toMatchObject({ kind: 'bounce', deliveryStatus: false });
    expect(kindOf(facts({}, { mailFrom: 'MAILER-DAEMON@mx.example' }))).toBe('bounce');
    expect(kindOf(facts({}, { fromAddress: 'postmaster@mx.example' }))).toBe('bounce');
    const dsn = facts({ 'Content-Type': 'multipart/report; report-type=delivery-status; boundary="x"' });
    expect(classifyMail(dsn, own)).toMatchObject({ kind: 'bounce', deliveryStatus: true });
  });

  it('recognises complaint reports (ARF)', () => {
    expect(kindOf(facts({ 'Content-Type': 'multipart/report; report-type="feedback-report"; boundary=x' }))).toBe('complaint');
  });

  it('recognises our own mail by address or loop header, before anything else', () => {
    expect(kindOf(facts({}, { fromAddress: 'digest@p2p.test' }))).toBe('own');
    expect(kindOf(facts({}, { mailFrom: 'digest@p2p.test' }))).toBe('own');
    expect(kindOf(facts({ 'X-P2P-Digest-Loop': 'p2p.test', 'Auto-Submitted': 'auto-replied' }))).toBe('own');
  });

  it('reads addresses from "Name <addr>" and bare forms', () => {
    expect(addressOf('Ann Example <Ann@Partner.Example>')).toBe('ann@partner.example');
    expect(addressOf('ann@partner.example')).toBe('ann@partner.example');
    expect(addressOf('not an address')).toBeNull();
    expect(addressOf(undefined)).toBeNull();
  });

  it('reads the report type only of multipart/report', () => {
    expect(reportTypeOf('multipart/report; report-type=delivery-status')).toBe('delivery-status');
    expect(reportTypeOf('multipart/mixed; report-type=delivery-status')).toBeNull();
    expect(reportTypeOf('multipart/report')).toBe('unknown');
  });

  it('does not take a webhook without an envelope sender for a bounce', () => {
    expect(envelopeSender('smtp', '', undefined)).toBe('');
    expect(envelopeSender('webhook', '', undefined)).toBeNull();
    expect(envelopeSender('webhook', '', '<>')).toBe('');
    expect(envelopeSender('webhook', '', '<Ann@Partner.example>')).toBe('ann@partner.example');
    expect(kindOf(facts({}, { mailFrom: null }))).toBe('person');
  });

  it('sees an unsubscribe request in the subject or the start of the body', () => {
    expect(asksToUnsubscribe('unsubscribe', '')).toBe(true);
    expect(asksToUnsubscribe('', 'Please UNSUBSCRIBE me')).toBe(true);
    expect(asksToUnsubscribe('Hello', 'a project')).toBe(false);
  });
});

describe('reading delivery and complaint reports', () => {
  const dsn = (action: string, status: string) =>
    Buffer.from(
      [
        'From: MAILER-DAEMON@mx.example',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        '',
        'Delivery failed.',
        '--b1',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example',
        '',
        'Final-Recipient: rfc822; Gone@Partner.example',
        `Action: ${action}`,
        `Status: ${status}`,
        '',
        '--b1--',
        '',
      ].join('\r\n'),
    );

  it('finds permanent failures (Action: failed, Status 5.x.x) only', () => {
    expect(permanentFailures(dsn('failed', '5.1.1'))).toEqual([{ addresses: ['gone@partner.example'], status: '5.1.1' }]);
    expect(permanentFailures(dsn('delayed', '4.4.1'))).toEqual([]);
    expect(permanentFailures(dsn('failed', '4.2.2'))).toEqual([]);
  });

  it('reads the real Amazon SES sample', () => {
    const raw = readFileSync(new URL('parser-edge-cases/delivery-status.eml', SAMPLE_EMAILS));
    expect(permanentFailures(raw)).toEqual([{ addresses: ['xxxx@xxxx.com'], status: '5.1.1' }]);
  });

  it('reads the complained-about address (Original-Rcpt-To, then the enclosed To) and the enclosed return paths', () => {
    const arf = (report: string) =>
      Buffer.from(
        [
          'Content-Type: multipart/report; report-type=feedback-report; boundary="b"',
          '',
          '--b',
          'Content-Type: message/feedback-report',
          '',
          'Feedback-Type: abuse',
          'User-Agent: test',
          report,
          '',
          '--b',
          'Content-Type: message/rfc822',
          '',
          'Return-Path: <bounce+abc.0123456789abcdef0123@in.p2p.test>',
          'From: digest@p2p.test',
          'To: Bob <Bob@Partner.example>',
          'X-P2P-Return-Path: bounce+def.0123456789abcdef0123@in.p2p.test',
          '',
          'hi',
          '--b--',
        ].join('\r\n'),
      );
    expect(complaintEvidence(arf('Original-Rcpt-To: ann@partner.example'))).toEqual({
      recipients: ['ann@partner.example', 'bob@partner.example'],
      returnPaths: ['bounce+abc.0123456789abcdef0123@in.p2p.test', 'bounce+def.0123456789abcdef0123@in.p2p.test'],
    });
    expect(complaintEvidence(arf('Version: 1')).recipients).toEqual(['bob@partner.example']);
  });
});
