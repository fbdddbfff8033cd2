import { localTime, periodKey } from '../digests/digest-period.ts';

/**
 * The digest periods "this period" means on the overview, in UTC: this ISO week (weekly and
 * biweekly digests) and this month (monthly ones). Partners in far time zones may be a period
 * ahead or behind for a few hours; an overview can live with that.
 */
export function currentPeriods(at: Date): string[] {
  const local = localTime(at, 'UTC');
  return [periodKey('weekly', local), periodKey('monthly', local)];
}
