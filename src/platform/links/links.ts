import { LINK_PATHS } from './link-paths.ts';
import type { LinkPurpose, LinkSigner } from './link-tokens.ts';

const DAY = 86_400;

/** Seconds from now until `at`, at least a day: a link must outlive the email's delivery. */
const secondsUntil = (at: Date, now: Date) => Math.max(DAY, Math.floor((at.getTime() - now.getTime()) / 1000));

/**
 * Every URL we put in an email, in one place: what it opens, how long it lives. Each opens a page
 * (GET changes nothing); the page's button POSTs.
 */
export function createLinks(baseUrl: string, signer: LinkSigner) {
  // The path comes from the purpose, so a link's path and its token's purpose cannot disagree.
  const link = (purpose: LinkPurpose, subject: string, ttlSeconds: number) =>
    `${baseUrl}${LINK_PATHS[purpose]}/${signer.sign(purpose, subject, ttlSeconds)}`;
  return {
    confirmPartner: (partnerId: string) => link('confirm-partner', partnerId, 7 * DAY),
    confirmOpportunity: (opportunityId: string) => link('confirm-opportunity', opportunityId, 7 * DAY),
    /**
     * The page where an opportunity that came in by email is corrected and published. Opening it
     * proves the sender's mailbox, like the confirmation link, so it lives as long.
     */
    emailDraft: (opportunityId: string) => link('email-draft', opportunityId, 7 * DAY),
    /** Lives as long as the opportunity could, plus a month to look back at it. */
    opportunityStatus: (opportunityId: string, expiresAt: Date, now = new Date()) =>
      link('opportunity-status', opportunityId, Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)) + 30 * DAY),
    unsubscribe: (email: string) => link('unsubscribe', email.toLowerCase(), 365 * DAY),
    preferences: (partnerId: string) => link('preferences', partnerId, 365 * DAY),
    /** Digest buttons: subject "<partnerId>:<opportunityId>", valid while the opportunity is open. */
    interest: (partnerId: string, opportunityId: string, expiresAt: Date, now = new Date()) =>
      link('interest', `${partnerId}:${opportunityId}`, secondsUntil(expiresAt, now)),
    notRelevant: (partnerId: string, opportunityId: string, expiresAt: Date, now = new Date()) =>
      link('not-relevant', `${partnerId}:${opportunityId}`, secondsUntil(expiresAt, now)),
    /**
     * "Did you work together?": one side's answer page for one introduction, the answer from the
     * link preselected (the page's POST records it). Lives a year, so an answer can be changed later.
     */
    outcome: (requestId: string, answer?: string) =>
      `${link('outcome', requestId, 365 * DAY)}${answer ? `?answer=${encodeURIComponent(answer)}` : ''}`,
    /**
     * An operator's sign-in link: the one link that lives minutes, not days, because it opens the
     * console. It dies with its request row (`expiresAt`); the row also makes it single-use.
     */
    adminSignIn: (requestId: string, expiresAt: Date, now = new Date()) =>
      link('admin-sign-in', requestId, Math.max(1, Math.floor((expiresAt.getTime() - now.getTime()) / 1000))),
  };
}

export type Links = ReturnType<typeof createLinks>;
