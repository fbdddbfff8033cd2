import type { LinkSigner } from './link-tokens.ts';

const DAY = 86_400;

/** Seconds from now until `at`, at least a day: a link must outlive the email's delivery. */
const secondsUntil = (at: Date, now: Date) => Math.max(DAY, Math.floor((at.getTime() - now.getTime()) / 1000));

/**
 * Every URL we put in an email, in one place: what it opens, how long it lives. Each opens a page
 * (GET changes nothing); the page's button POSTs.
 */
export function createLinks(baseUrl: string, signer: LinkSigner) {
  return {
    confirmPartner: (partnerId: string) => `${baseUrl}/join/confirm/${signer.sign('confirm-partner', partnerId, 7 * DAY)}`,
    confirmOpportunity: (opportunityId: string) =>
      `${baseUrl}/submit/confirm/${signer.sign('confirm-opportunity', opportunityId, 7 * DAY)}`,
    /**
     * The page where an opportunity that came in by email is corrected and published. Opening it
     * proves the sender's mailbox, like the confirmation link, so it lives as long.
     */
    emailDraft: (opportunityId: string) => `${baseUrl}/e/${signer.sign('email-draft', opportunityId, 7 * DAY)}`,
    /** Lives as long as the opportunity could, plus a month to look back at it. */
    opportunityStatus: (opportunityId: string, expiresAt: Date, now = new Date()) =>
      `${baseUrl}/o/${signer.sign(
        'opportunity-status',
        opportunityId,
        Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)) + 30 * DAY,
      )}`,
    unsubscribe: (email: string) => `${baseUrl}/u/${signer.sign('unsubscribe', email.toLowerCase(), 365 * DAY)}`,
    preferences: (partnerId: string) => `${baseUrl}/p/${signer.sign('preferences', partnerId, 365 * DAY)}`,
    /** Digest buttons: subject "<partnerId>:<opportunityId>", valid while the opportunity is open. */
    interest: (partnerId: string, opportunityId: string, expiresAt: Date, now = new Date()) =>
      `${baseUrl}/i/${signer.sign('interest', `${partnerId}:${opportunityId}`, secondsUntil(expiresAt, now))}`,
    notRelevant: (partnerId: string, opportunityId: string, expiresAt: Date, now = new Date()) =>
      `${baseUrl}/n/${signer.sign('not-relevant', `${partnerId}:${opportunityId}`, secondsUntil(expiresAt, now))}`,
  };
}

export type Links = ReturnType<typeof createLinks>;
