import { formatBudget, formatWhere } from '../opportunities/opportunity-format.ts';
import { formatDay } from '../platform/text/dates.ts';
import type { OpportunityCard } from '../opportunities/opportunity-columns.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import type { NotRelevantReason } from './interest.schemas.ts';

/** What the landing pages show of an opportunity: never the submitter's name, address or status page. */
export function opportunityFacts(o: OpportunityCard, catalogue: Pick<SkillCatalogue, 'labels'>, partnerSkillIds: readonly number[]) {
  const yours = new Set(partnerSkillIds);
  const skills = (ids: number[], required: boolean) =>
    ids.map((id) => ({ label: catalogue.labels([id])[0]!, required, yours: yours.has(id) }));
  return {
    title: o.title,
    company: o.anonymous ? null : o.submitterCompany,
    skills: [...skills(o.requiredSkillIds, true), ...skills(o.niceSkillIds, false)],
    where: formatWhere(o.regions, o.remote),
    budget: formatBudget(o.budgetMin, o.budgetMax, o.currency),
    startDate: o.startDate,
    openUntil: o.expiresAt.toISOString().slice(0, 10),
    description: o.description,
  };
}

/** "3 Dec 2026 at 09:15", on the partner's own clock (UTC if their zone is unknown); the day as every date for people. */
export function formatWhen(at: Date, timezone: string): string {
  const format = (timeZone: string) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone })
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    );
    return `${formatDay(`${parts.year}-${parts.month}-${parts.day}`)} at ${parts.hour}:${parts.minute}`;
  };
  try {
    return format(timezone);
  } catch {
    return `${format('UTC')} UTC`;
  }
}

/** The choices on the "not relevant" page, in the order shown. */
export const REASON_LABELS: Record<NotRelevantReason, string> = {
  skills: "The skills don't fit",
  region: "The region doesn't fit",
  budget: "The budget doesn't fit",
  'mute-submitter': "Don't show me this submitter's opportunities again",
};
