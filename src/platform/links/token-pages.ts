import type { FastifyReply } from 'fastify';
import type { Pages } from '../http/pages.ts';
import type { LinkPurpose, LinkSigner } from './link-tokens.ts';

/**
 * Verifies the token of a link we emailed. A bad one gets a friendly page (and nothing is
 * written); the caller returns when this returns undefined.
 */
export function verifiedSubject(
  signer: LinkSigner,
  pages: Pages,
  reply: FastifyReply,
  token: string,
  purpose: LinkPurpose,
): string | undefined {
  const result = signer.verify(token, purpose);
  if (result.ok) return result.claims.subject;
  const expired = result.reason === 'expired';
  void pages.message(reply, expired ? 410 : 400, expired ? 'This link has expired' : 'This link does not work', [
    expired
      ? 'Links in our emails work for a limited time. Nothing was changed.'
      : 'The link may have been cut off or changed in transit. Nothing was changed.',
    'Try copying the whole link from the email into your browser.',
  ]);
  return undefined;
}
