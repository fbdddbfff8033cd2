import type { LinkSigner } from './link-tokens.js';

const DAY = 86_400;

/**
 * Every URL we put in an email, in one place: what it opens, how long it lives. Each opens a page
 * (GET changes nothing); the page's button POSTs.
 */
export function createLinks(baseUrl: string, signer: LinkSigner) {
  return {
    confirmPartner: (partnerId: string) => `${baseUrl}/join/confirm/${signer.sign('confirm-partner', partnerId, 7 * DAY)}`,
    confirmOpportunity: (opportunityId: string) =>
      `${baseUrl}/submit/confirm/${signer.sign('confirm-opportunity', opportunityId, 7 * DAY)}`,
    /** Lives as long as the opportunity could, plus a month to look back at it. */
    opportunityStatus: (opportunityId: string, expiresAt: Date, now = new Date()) =>
      `${baseUrl}/o/${signer.sign(
        'opportunity-status',
        opportunityId,
        Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)) + 30 * DAY,
      )}`,
    unsubscribe: (email: string) => `${baseUrl}/u/${signer.sign('unsubscribe', email.toLowerCase(), 365 * DAY)}`,
  };
}

export type Links = ReturnType<typeof createLinks>;
