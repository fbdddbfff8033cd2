/**
 * What a digest email shows, already resolved to text and links: the renderer only lays it out.
 * Every string here is plain text (it is escaped when rendered); every URL is ours and signed.
 */
export interface DigestCard {
  title: string;
  /** The submitter's company, or null when the opportunity is anonymous. */
  company: string | null;
  /** "DACH (Germany, Austria, Switzerland), Nordics · remote welcome" */
  where: string;
  /** "60,000 – 90,000 EUR", or null when no budget was given. */
  budget: string | null;
  /** ISO date "2026-12-22", or null. */
  startDate: string | null;
  /** The last day it takes interest: its closing date (ISO "2027-01-11", UTC); null when unknown. */
  openUntil: string | null;
  /** The description, shortened to a few hundred characters, plain text. */
  summary: string;
  /** Every skill the opportunity asks for; `yours` marks the ones the partner holds (highlighted). */
  skills: Array<{ label: string; yours: boolean; required: boolean }>;
  /** "Why you're seeing this": sentences from the stored match reasons. */
  reasons: string[];
  /** Signed links to pages that change nothing on GET. */
  interestUrl: string;
  notRelevantUrl: string;
}

export interface DigestView {
  subject: string;
  /** The grey line mail clients show after the subject. */
  preheader: string;
  partnerName: string;
  company: string;
  /** "Week 48, 2026" or "November 2026"; "Urgent opportunity" for an alert. */
  periodLabel: string;
  /** The big line above the cards; by default "3 new opportunities". */
  headline?: string;
  /** What the mail is, after "Hi <name>,"; by default "other partners submitted these opportunities…". */
  lead?: string;
  cards: DigestCard[];
  footer: {
    /** Why they get this email. */
    reason: string;
    preferencesUrl: string;
    unsubscribeUrl: string;
    /** The operator's postal address line. */
    operator: string;
  };
}

export interface RenderedDigest {
  html: string;
  text: string;
}
