/**
 * Dates as people read them, the same in every mail and on every page: "11 Jan 2027". No locale
 * and no time zone guessing: a calendar date ("2027-01-11") is shown as that day; a moment (a Date
 * or an ISO date-time) as its day in UTC, which is how the service stores closing dates (the end
 * of the day, UTC). Machine formats stay ISO (the JSON API, `datetime` attributes, form values).
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The calendar day a value names, as [year, month 1-12, day], or undefined when it names none. */
function dayParts(value: Date | string | null | undefined): [number, number, number] | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'string') {
    const m = ISO_DAY.exec(value);
    if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  return [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
}

/**
 * "2027-01-11" (or a Date, or an ISO date-time: its UTC day) → "11 Jan 2027"; `fallback` ('' by
 * default) when there is no date; a string that is no date comes back as it is.
 */
export function formatDay(value: Date | string | null | undefined, fallback = ''): string {
  const parts = dayParts(value);
  if (!parts) return typeof value === 'string' && value !== '' ? value : fallback;
  const [year, month, day] = parts;
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

/** "2027-01-14" → "14 Jan": for a subject line or a headline, where the year is plain. */
export function formatDayShort(value: Date | string | null | undefined): string {
  const parts = dayParts(value);
  if (!parts) return typeof value === 'string' ? value : '';
  return `${parts[2]} ${MONTHS[parts[1] - 1]}`;
}

/** A moment to the minute, in UTC: "4 Dec 2026, 21:59 UTC"; `fallback` when there is none. */
export function formatMomentUtc(value: Date | string | null | undefined, fallback = ''): string {
  if (value === null || value === undefined || value === '') return fallback;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return fallback;
  return `${formatDay(date)}, ${date.toISOString().slice(11, 16)} UTC`;
}
