import type { Database } from '../platform/db/database.ts';
import type { PartnerRow, PartnerService } from '../partners/partner.service.ts';
import type { PreferencesService } from '../partners/preferences.service.ts';
import type { SuppressionService } from './suppression.service.ts';

export interface UnsubscribeServiceDeps {
  db: Database;
  suppressions: Pick<SuppressionService, 'suppress' | 'suppressionOf'>;
  partners: Pick<PartnerService, 'findRowByEmail' | 'markUnsubscribed'>;
  preferences: Pick<PreferencesService, 'changeFrequency'>;
}

/** What "less often" or "pause" did to an address's digest. */
export type AlternativeOutcome =
  | { outcome: 'no-partner' }
  /** The partner gets no digest (pending, unsubscribed, deactivated): nothing to make rarer. */
  | { outcome: 'no-digest'; status: PartnerRow['status'] }
  | { outcome: 'changed'; partnerId: string };

export type UnsubscribeService = ReturnType<typeof createUnsubscribeService>;

/** Partners who get digests now or could again: only they are offered the alternatives. */
export const offersAlternatives = (partner: PartnerRow | undefined): boolean =>
  partner !== undefined && (partner.status === 'active' || partner.status === 'paused');

/**
 * Leaving, or the two alternatives the unsubscribe page offers instead (a monthly or a paused
 * digest). The signed link names an address; this service decides what that address may do.
 */
export function createUnsubscribeService(deps: UnsubscribeServiceDeps) {
  const { db, suppressions, partners, preferences } = deps;
  return {
    /** The partner an address belongs to, if any: the page offers them the alternatives. */
    partnerOf: (email: string) => partners.findRowByEmail(email),

    /** True when the address unsubscribed already: its page says so instead of asking again. */
    async isUnsubscribed(email: string): Promise<boolean> {
      return (await suppressions.suppressionOf(email)) === 'unsubscribe';
    },

    /** Suppresses the address and unsubscribes the partner who uses it, in one transaction. */
    async unsubscribe(email: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await suppressions.suppress(email, 'unsubscribe', trx);
        await partners.markUnsubscribed(email, trx);
      });
    },

    /** A monthly or a paused digest instead of none, for a partner who gets one now or could again. */
    async changeFrequency(email: string, frequency: 'monthly' | 'paused'): Promise<AlternativeOutcome> {
      const partner = await partners.findRowByEmail(email);
      if (!partner) return { outcome: 'no-partner' };
      if (!offersAlternatives(partner)) return { outcome: 'no-digest', status: partner.status };
      await preferences.changeFrequency(partner.id, frequency);
      return { outcome: 'changed', partnerId: partner.id };
    },
  };
}
