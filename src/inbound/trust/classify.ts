import { LOOP_HEADER } from '../../platform/mail/loop-header.ts';

/**
 * What kind of mail a stored inbound message is, from its headers and envelope alone. Pure: no
 * database, no DNS. Only a 'person' message may become an opportunity or get a reply; every other
 * kind is machine mail, and answering machines is how mail loops start.
 */
export type MailKind =
  | { kind: 'own'; reason: string }
  | { kind: 'complaint'; reason: string }
  | { kind: 'bounce'; reason: string; deliveryStatus: boolean }
  | { kind: 'auto-reply'; reason: string }
  | { kind: 'list'; reason: string }
  | { kind: 'person' };

/** The facts the classifier looks at. `header` returns a header's unfolded value, or undefined. */
export interface MailFacts {
  /** The envelope's MAIL FROM; '' is the null sender of bounces; null when unknown (a webhook that gave none). */
  mailFrom: string | null;
  /** The From header's address, lower-cased, or null when it has none we can read. */
  fromAddress: string | null;
  subject: string;
  header: (name: string) => string | undefined;
}

/** Subjects out-of-office and vacation responders use when they set no header at all. */
const AUTO_REPLY_SUBJECT =
  /^\s*(auto(matic)?[\s-]*(reply|response|antwort)|out of (the )?office|abwesenheitsnotiz|abwesend|vacation|on vacation|away from (the )?office|r[ée]ponse automatique|absence|fuori sede|afwezig)\b/i;

const MACHINE_SENDER = /^(mailer-daemon|postmaster)@/i;

/** Lower-cased address from "Name <addr>" or a bare address; null when there is none. */
export function addressOf(value: string | undefined | null): string | null {
  if (!value) return null;
  const angled = value.match(/<([^<>\s]+@[^<>\s]+)>/);
  const bare = angled ? angled[1] : value.trim().match(/^[^\s<>"]+@[^\s<>"]+$/)?.[0];
  return bare ? bare.toLowerCase() : null;
}

/** The addresses we send from (configured as "Name <addr>" or bare), lower-cased. */
export function ownAddressSet(configured: readonly string[]): Set<string> {
  return new Set(configured.map(addressOf).filter((a): a is string => a !== null));
}

/** multipart/report's report-type parameter, lower-cased, when the message is a report. */
export function reportTypeOf(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\/report\b/i.test(contentType)) return null;
  return contentType.match(/report-type\s*=\s*"?([\w.-]+)"?/i)?.[1]?.toLowerCase() ?? 'unknown';
}

/** Why this looks like an automatic reply, or null (RFC 3834 and the de facto headers). */
export function autoReplyReason(facts: MailFacts): string | null {
  const autoSubmitted = facts.header('auto-submitted')?.trim().toLowerCase();
  if (autoSubmitted && !autoSubmitted.startsWith('no')) return `Auto-Submitted: ${autoSubmitted}`;
  if (facts.header('x-auto-response-suppress') !== undefined) return 'X-Auto-Response-Suppress present';
  if (facts.header('x-autoreply') !== undefined) return 'X-Autoreply present';
  if (facts.header('x-autorespond') !== undefined) return 'X-Autorespond present';
  const precedence = facts.header('precedence')?.trim().toLowerCase();
  if (precedence && ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return `Precedence: ${precedence}`;
  if (AUTO_REPLY_SUBJECT.test(facts.subject)) return 'out-of-office subject';
  return null;
}

/**
 * Sorts one message. The order matters: our own mail first (never touch it), then reports that
 * change our suppression list (complaints, bounces), then the machine mail we only ignore.
 */
export function classifyMail(facts: MailFacts, ownAddresses: ReadonlySet<string>): MailKind {
  if (facts.header(LOOP_HEADER.toLowerCase()) !== undefined) return { kind: 'own', reason: `carries ${LOOP_HEADER}` };
  if (facts.fromAddress && ownAddresses.has(facts.fromAddress)) return { kind: 'own', reason: 'from our own address' };
  const envelopeFrom = (facts.mailFrom ?? '').toLowerCase();
  if (envelopeFrom && ownAddresses.has(envelopeFrom)) return { kind: 'own', reason: 'envelope sender is our own address' };

  const reportType = reportTypeOf(facts.header('content-type'));
  if (reportType === 'feedback-report') return { kind: 'complaint', reason: 'feedback report (ARF)' };
  if (reportType === 'delivery-status') return { kind: 'bounce', reason: 'delivery status notification', deliveryStatus: true };
  if (facts.mailFrom === '') return { kind: 'bounce', reason: 'null envelope sender', deliveryStatus: false };
  if (MACHINE_SENDER.test(envelopeFrom) || (facts.fromAddress && MACHINE_SENDER.test(facts.fromAddress))) {
    return { kind: 'bounce', reason: 'sent by a mailer daemon', deliveryStatus: false };
  }
  if (reportType) return { kind: 'bounce', reason: `report (${reportType})`, deliveryStatus: false };

  const auto = autoReplyReason(facts);
  if (auto) return { kind: 'auto-reply', reason: auto };
  if (facts.header('list-id') !== undefined) return { kind: 'list', reason: 'mailing-list mail (List-Id)' };
  return { kind: 'person' };
}

/**
 * The envelope sender to classify with. SMTP gives it for sure. A webhook may not pass it on
 * ('' stored): then the Return-Path header, which the provider's MTA wrote from MAIL FROM, says
 * it ("<>" for a bounce); without one it is unknown, and a missing sender is not taken for a bounce.
 */
export function envelopeSender(receivedVia: string, mailFrom: string, returnPath: string | undefined): string | null {
  if (receivedVia === 'smtp' || mailFrom !== '') return mailFrom;
  if (returnPath === undefined) return null;
  if (/^\s*<\s*>\s*$/.test(returnPath)) return '';
  return addressOf(returnPath) ?? null;
}

/** Whether a message to the unsubscribe address asks to unsubscribe (RFC 8058's mailto: half). */
export function asksToUnsubscribe(subject: string, text: string): boolean {
  return /\bunsubscribe\b/i.test(subject) || /\bunsubscribe\b/i.test(text.slice(0, 2000));
}
