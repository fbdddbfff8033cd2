import { formatDay, formatMomentUtc } from '../platform/text/dates.ts';
import { regionLabel } from '../regions/regions.ts';

/**
 * How the console writes values for people: region labels, not slugs; every moment one way
 * ("4 Dec 2026, 21:59 UTC": operators on several time zones read the same text) and every
 * calendar date one way ("4 Dec 2026", the shared src/platform/text/dates.ts). The templates get
 * these as `it.fmt`.
 */
export const consoleFormat = {
  /** A moment, to the minute, in UTC; "—" when there is none. */
  when(value: Date | string | null | undefined): string {
    return formatMomentUtc(toDate(value), '—');
  },

  /** A calendar day, "4 Dec 2026"; "—" when there is none. A plain "2026-12-04" is that day (no time zone shift). */
  day(value: Date | string | null | undefined): string {
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDay(value);
    return formatDay(toDate(value), '—');
  },

  /** Regions by their labels, and whether remote work is fine ("Nordics, remote"); "—" for neither. */
  regions(slugs: readonly string[], remote = false): string {
    const parts = slugs.map(regionLabel);
    if (remote) parts.push(parts.length ? 'remote' : 'Remote');
    return parts.length ? parts.join(', ') : '—';
  },

  /** A status as words ("pending_review" → "pending review"). */
  status(value: string): string {
    return value.replaceAll('_', ' ');
  },
};

export type ConsoleFormat = typeof consoleFormat;

function toDate(value: Date | string | null | undefined): Date | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
