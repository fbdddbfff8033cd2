import type { Logger } from 'pino';
import type { Database } from '../platform/db/database.ts';
import { matchOpportunity } from '../matching/match.service.ts';
import type { OpportunityService } from '../opportunities/opportunity.service.ts';
import type { PartnerService } from '../partners/partner.service.ts';
import { demoOpportunities, demoPartners } from './demo-data.ts';

export interface DemoSeedResult {
  seeded: boolean;
  partners: number;
  opportunities: Array<{ id: string; title: string; matches: number }>;
}

/**
 * Seeds the demo partners and opportunities once: when any demo partner exists it does nothing,
 * so `start --demo` can run at every start. Opportunities are matched right away, so a newcomer
 * sees matches without waiting for the worker.
 */
export async function seedDemo(
  deps: { db: Database; partners: PartnerService; opportunities: OpportunityService; log: Logger },
  now = new Date(),
  /** Told after each partner and opportunity, with how many there are: the CLI's progress on a terminal. */
  onProgress?: (done: number, total: number) => void,
): Promise<DemoSeedResult> {
  const existing = await deps.db.selectFrom('partners').select('id').where('source', '=', 'demo').limit(1).executeTakeFirst();
  if (existing) return { seeded: false, partners: 0, opportunities: [] };

  const total = demoPartners.length + demoOpportunities.length;
  let done = 0;
  for (const p of demoPartners) {
    await deps.partners.createForDemo(p);
    onProgress?.(++done, total);
  }
  const opportunities: DemoSeedResult['opportunities'] = [];
  for (const o of demoOpportunities) {
    const submitter = demoPartners[o.submitterIndex]!;
    const startDate = o.startInDays === undefined ? undefined : new Date(now.getTime() + o.startInDays * 86_400_000).toISOString().slice(0, 10);
    const { opportunity: submitted } = await deps.opportunities.submit({
      source: 'demo',
      input: {
        title: o.title,
        description: o.description,
        requiredSkills: o.requiredSkills,
        niceToHaveSkills: o.niceToHaveSkills,
        regions: o.regions,
        remote: o.remote,
        budgetMin: o.budgetMin,
        budgetMax: o.budgetMax,
        currency: o.currency,
        startDate,
        anonymous: false,
        urgent: false,
        submitter: { name: submitter.contactName, company: submitter.company, email: submitter.email },
      },
    });
    // The operator's own demo data: with MODERATION=on it would otherwise wait for review, unmatched.
    const opportunity = submitted.status === 'pending_review' ? await deps.opportunities.approve(submitted.id) : submitted;
    const outcome = await matchOpportunity(deps.db, opportunity.id, deps.log);
    opportunities.push({ id: opportunity.id, title: o.title, matches: outcome.status === 'matched' ? outcome.matches : 0 });
    onProgress?.(++done, total);
  }
  return { seeded: true, partners: demoPartners.length, opportunities };
}
