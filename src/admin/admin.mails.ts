import { z } from 'zod';
import type { Links } from '../platform/links/links.ts';
import type { MailKinds } from '../platform/mail/mail-kinds.ts';

/** The operator's sign-in link: the only mail of the console. */
export const adminMailJob = z.discriminatedUnion('kind', [z.object({ kind: z.literal('admin-sign-in'), requestId: z.uuid() })]);

export type AdminMailJob = z.infer<typeof adminMailJob>;

export interface AdminMailsDeps {
  /** The sign-in service's read (named by shape: the service requests this mail). */
  signIns: { usableRequest(requestId: string): Promise<{ id: string; email: string; expiresAt: Date } | undefined> };
  links: Pick<Links, 'adminSignIn'>;
}

export function createAdminMails({ signIns, links }: AdminMailsDeps): MailKinds<AdminMailJob> {
  return {
    'admin-sign-in': {
      async draft(job) {
        // A link that was used or ran out while the mail waited is not worth sending.
        const request = await signIns.usableRequest(job.requestId);
        if (!request) return undefined;
        const minutes = Math.max(1, Math.round((request.expiresAt.getTime() - Date.now()) / 60_000));
        return {
          to: request.email,
          view: {
            subject: 'Your sign-in link to the p2p-digest console',
            preheader: `It works once, for ${minutes} minutes.`,
            heading: 'Sign in to the console',
            paragraphs: [
              `Someone (we hope you) asked to sign in to the p2p-digest operator console as ${request.email}.`,
              `The link works once and for ${minutes} minutes. It opens a page; press its button to sign in.`,
              'If you did not ask for it, ignore this email: nobody can sign in without the button on that page.',
            ],
            details: [],
            action: { label: 'Open the sign-in page', url: links.adminSignIn(request.id, request.expiresAt) },
            footerReason: 'You receive this because this address is an operator of this p2p-digest service (ADMIN_EMAILS).',
          },
        };
      },
      // An operator who once unsubscribed from a digest must still be able to sign in.
      reachesUnsubscribed: true,
    },
  };
}
