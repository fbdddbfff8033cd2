import type { Logger } from 'pino';
import type { MailJob, MailKind, MailKinds } from './mail-kinds.ts';
import type { MailTemplates } from './mail-templates.ts';
import { LOOP_HEADER } from './loop-header.ts';
import type { Mailer } from './mailer.ts';

export interface MailServiceDeps<J extends MailJob> {
  /** Every kind the service sends, drafted by the feature it belongs to (wired in src/app/). */
  kinds: MailKinds<J>;
  mailer: Pick<Mailer, 'send'>;
  templates: MailTemplates;
  /** The one-click unsubscribe URL for an address (List-Unsubscribe and the footer). */
  unsubscribeUrl(email: string): string;
  /** Why an address must not be emailed ('unsubscribe', a hard bounce, a complaint…), or undefined. */
  suppressionOf(email: string): Promise<string | undefined>;
  /** Postal address or operator line shown in every footer. */
  operator: string;
  /** Domain for deterministic Message-IDs and our loop header. */
  mailDomain: string;
  log: Logger;
}

export type MailOutcome = 'sent' | 'suppressed' | 'obsolete';

/**
 * Renders and sends one email job; it knows no feature. The kind's drafter re-reads Postgres
 * first: a job for a partner who has confirmed meanwhile, or an opportunity that moved on, sends
 * nothing ('obsolete').
 */
export function createMailService<J extends MailJob>(deps: MailServiceDeps<J>) {
  const kindOf = (job: J) => deps.kinds[job.kind as J['kind']] as MailKind<J>;

  async function blocked(to: string, kind: MailKind<J>): Promise<boolean> {
    const suppression = await deps.suppressionOf(to);
    return suppression !== undefined && !(suppression === 'unsubscribe' && kind.reachesUnsubscribed === true);
  }

  return {
    async send(job: J, jobId: string): Promise<MailOutcome> {
      const kind = kindOf(job);
      const d = await kind.draft(job);
      if (!d) return 'obsolete';
      if (await blocked(d.to, kind)) {
        deps.log.info({ kind: job.kind }, 'mail not sent: address suppressed');
        return 'suppressed';
      }
      const unsubscribeUrl = deps.unsubscribeUrl(d.to);
      const { footerReason, ...view } = d.view;
      const rendered = deps.templates.notice({ ...view, footer: { reason: footerReason, unsubscribeUrl, operator: deps.operator } });
      await deps.mailer.send({
        to: d.to,
        subject: d.view.subject,
        html: rendered.html,
        text: rendered.text,
        // The same job always carries the same Message-ID, so a retry after a lost "250 OK"
        // is recognisable as the same message.
        messageId: `<${job.kind}.${jobId}@${deps.mailDomain}>`,
        ...(d.replyTo ? { replyTo: d.replyTo } : {}),
        headers: {
          'List-Unsubscribe': `<${unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
          [LOOP_HEADER]: deps.mailDomain,
        },
      });
      deps.log.info({ kind: job.kind, jobId }, 'mail sent');
      return 'sent';
    },
  };
}

export type MailService<J extends MailJob> = ReturnType<typeof createMailService<J>>;
