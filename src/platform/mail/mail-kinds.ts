import type { z } from 'zod';
import type { Executor } from '../db/database.ts';
import { addOutboxEvent } from '../outbox/outbox.repository.ts';
import type { NoticeView } from './mail-templates.ts';

/**
 * A mail job's payload: its kind and the ids its draft needs, never rendered content, so the
 * mail is drafted from the data as it is when the job runs. Each feature declares its kinds'
 * schemas next to it (`<feature>.mails.ts`); src/app/ joins them into the 'send-mail' job.
 */
export interface MailJob {
  kind: string;
}

/** What a feature hands the mail platform to render and send: the words, not the envelope. */
export interface MailDraft {
  to: string;
  /** The other side of an introduction, so that "Reply" reaches them, not us. */
  replyTo?: string;
  view: Omit<NoticeView, 'footer'> & { footerReason: string };
}

/** How one kind of mail is drafted, and whom it may reach. */
export interface MailKind<J extends MailJob> {
  /** Re-reads the data; undefined when the subject moved on and nothing is to be sent. */
  draft(job: J): Promise<MailDraft | undefined>;
  /**
   * Sent even to an address that unsubscribed, because the person asked for this very mail by
   * acting again (signing up anew: its confirmation). Hard bounces and complaints still block it.
   */
  reachesUnsubscribed?: boolean;
}

/** Every kind of a job union, each with its own drafter: a kind without one does not compile. */
export type MailKinds<J extends MailJob> = { [K in J['kind']]: MailKind<Extract<J, { kind: K }>> };

/** The outbox topic of a mail request; src/app/ routes it to the 'send-mail' job. */
export const MAIL_REQUESTED = 'mail.requested';

/**
 * Asks for a mail in the caller's transaction (an outbox row, sent after the commit). The job is
 * checked against the feature's own schema here, so a bad payload fails the change that asked,
 * not a relay a second later. With a dedupe key, the mail is requested at most once ever.
 */
export async function requestMail<J extends MailJob>(
  db: Executor,
  schema: z.ZodType<J>,
  job: NoInfer<J>,
  dedupeKey?: string,
  options: { notBefore?: Date } = {},
): Promise<void> {
  await addOutboxEvent(db, { topic: MAIL_REQUESTED, payload: schema.parse(job) }, dedupeKey, options.notBefore);
}
