import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { dkimSign } from 'mailauth';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { DNSResolver } from '../../src/inbound/trust/sender-auth.ts';
import { createInboundService, type InboundServiceDeps } from '../../src/inbound/inbound.service.ts';
import { APP_SECRET, type TestStack } from './test-stack.ts';

/** A DKIM key of a sending domain, with the TXT record that publishes it. */
export interface TestDkimKey {
  domain: string;
  selector: string;
  privateKey: string;
  record: string;
}

export function dkimKeyFor(domain: string, selector = 'test'): TestDkimKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { domain, selector, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), record: `v=DKIM1; k=rsa; p=${spki}` };
}

/**
 * A DNS that serves only the TXT records given (DKIM keys, DMARC and SPF policies) and answers
 * every other question "not found", as a resolver does: tests run offline and decide what exists.
 */
export function stubResolver(txt: Record<string, string>): DNSResolver {
  return async (name, rrtype) => {
    const value = txt[name.toLowerCase()];
    if (rrtype === 'TXT' && value !== undefined) return [[value]];
    throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
}

/** DNS for a domain that publishes a DKIM key, "p=reject" DMARC and an SPF record for `ip`. */
export function domainRecords(key: TestDkimKey, ip: string): Record<string, string> {
  return {
    [`${key.selector}._domainkey.${key.domain}`]: key.record,
    [`_dmarc.${key.domain}`]: 'v=DMARC1; p=reject',
    [key.domain]: `v=spf1 ip4:${ip} -all`,
  };
}

/** A raw message built by nodemailer, DKIM-signed with `key` when given. */
export async function composeRaw(mail: Mail.Options, key?: TestDkimKey): Promise<Buffer> {
  const raw = await new Promise<Buffer>((resolve, reject) =>
    new MailComposer(mail).compile().build((err, message) => (err ? reject(err) : resolve(message))),
  );
  if (!key) return raw;
  // mailauth's typings name the fields flat; the code reads them from `signatureData`.
  const options = { signatureData: [{ signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey }] };
  const { signatures } = await dkimSign(raw, options as never);
  return Buffer.concat([Buffer.from(signatures), raw]);
}

export interface StoredInbound {
  mailFrom?: string;
  rcptTo?: string[];
  remoteIp?: string | null;
  helo?: string | null;
  receivedVia?: 'smtp' | 'webhook';
}

/** Stores a raw message as the listener would ('received'), and returns its id. */
export async function storeInbound(t: TestStack, raw: Buffer, envelope: StoredInbound = {}): Promise<string> {
  const row = await t.c.db
    .insertInto('inboundMessages')
    .values({
      receivedVia: envelope.receivedVia ?? 'smtp',
      mailFrom: envelope.mailFrom ?? '',
      rcptTo: envelope.rcptTo ?? ['opportunities@p2p.test'],
      remoteIp: envelope.remoteIp === undefined ? '192.0.2.10' : envelope.remoteIp,
      helo: envelope.helo === undefined ? 'mx.sender.example' : envelope.helo,
      messageId: null,
      dedupeKey: randomUUID(),
      raw,
      size: raw.length,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * The container's inbound service as configured, but with DNS answered by `resolver` (the stack's
 * own uses the system's, which a test must not depend on).
 */
export function inboundServiceWith(t: TestStack, resolver: DNSResolver, settings: Partial<InboundServiceDeps['settings']> = {}) {
  return createInboundService({
    db: t.c.db,
    opportunities: t.c.opportunities,
    interests: t.c.interests,
    digests: t.c.digests,
    partners: t.c.partners,
    suppressions: t.c.suppressions,
    unsubscribe: t.c.unsubscribe,
    catalogue: t.c.catalogue,
    returnPaths: t.c.returnPaths,
    log: t.c.log,
    settings: {
      ownAddresses: [t.config.mailFrom, t.config.unsubscribeMailto],
      unsubscribeMailto: t.config.unsubscribeMailto,
      mta: 'mx.p2p.test',
      dnsTimeoutMs: t.config.inboundDnsTimeoutMs,
      replySecrets: [APP_SECRET],
      repliesPerDomainDaily: t.config.inboundRepliesPerDomainDaily,
      ...settings,
    },
    resolver,
  });
}

/**
 * A delivery report (RFC 3464) as a receiving MTA writes it: one recipient with `Action: failed`
 * and `status`, and, when given, the headers of the mail that failed enclosed.
 */
export function deliveryReport(recipient: string, status: string, originalHeaders?: string): Buffer {
  return Buffer.from(
    [
      'From: Mail Delivery System <MAILER-DAEMON@mx.partners.example>',
      'To: digest@p2p.test',
      'Subject: Undelivered Mail Returned to Sender',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"',
      '',
      '--dsn',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--dsn',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.partners.example',
      '',
      `Final-Recipient: rfc822; ${recipient}`,
      'Action: failed',
      `Status: ${status}`,
      'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
      '',
      ...(originalHeaders === undefined ? [] : ['--dsn', 'Content-Type: text/rfc822-headers', '', originalHeaders]),
      '--dsn--',
      '',
    ].join('\r\n'),
  );
}
