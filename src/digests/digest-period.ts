/**
 * When a partner's digest is due, and which period it belongs to. Pure functions over the
 * partner's local wall clock, so DST changes and the turn of the year need no special cases:
 * "Monday 08:00 in Europe/Berlin" is compared as local date and hour, never as a UTC offset.
 */
import type { DigestFrequency } from '../platform/db/database.types.ts';
import { enumValues } from '../platform/db/enum-values.ts';

/** How often a partner gets the digest; 'paused' sends nothing (the partner chooses on /p/…). */
export const DIGEST_FREQUENCIES = enumValues<DigestFrequency>()(['weekly', 'biweekly', 'monthly', 'paused']);
export type { DigestFrequency };

export interface DigestSchedule {
  timezone: string;
  frequency: DigestFrequency;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  day: number;
  /** Local hour, 0–23. */
  hour: number;
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock date and hour at `instant` in `timezone`. */
export function localTime(instant: Date, timezone: string): LocalTime {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  return { year, month, day, hour: Number(parts.hour), weekday: isoWeekday(year, month, day) };
}

/** Days since 1970-01-01 of a calendar date (no time zone involved). */
const dayNumber = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day) / 86_400_000;

function isoWeekday(year: number, month: number, day: number): number {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((dayNumber(year, month, day) + 3) % 7) + 7) % 7) + 1;
}

/** ISO 8601 week-numbering year and week of a calendar date. */
export function isoWeek(year: number, month: number, day: number): { year: number; week: number } {
  const n = dayNumber(year, month, day);
  // The Thursday of this date's week decides the week-numbering year.
  const thursday = n - isoWeekday(year, month, day) + 4;
  const weekYear = new Date(thursday * 86_400_000).getUTCFullYear();
  const week = Math.floor((thursday - dayNumber(weekYear, 1, 1)) / 7) + 1;
  return { year: weekYear, week };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The period a local time falls in: '2026-W48' for weekly and biweekly, '2026-11' for monthly. */
export function periodKey(frequency: Exclude<DigestFrequency, 'paused'>, local: LocalTime): string {
  if (frequency === 'monthly') return `${local.year}-${pad(local.month)}`;
  const { year, week } = isoWeek(local.year, local.month, local.day);
  return `${year}-W${pad(week)}`;
}

export const PERIOD_PATTERN = /^\d{4}-(W(0[1-9]|[1-4]\d|5[0-3])|(0[1-9]|1[0-2]))$/;

/**
 * The period whose digest is due at `now`, or null when none is. A digest is due once its send
 * moment in the current period has passed, so a tick that was missed (service down at 08:00) is
 * caught up by the next one within the same period; the ledger's UNIQUE (partner, period) makes
 * every later tick a no-op.
 * - weekly: from the chosen weekday and hour of the ISO week on;
 * - biweekly: the same, in every other ISO week (even weeks counted from 1970, so the rhythm
 *   does not stumble over years with 53 weeks);
 * - monthly: from the first chosen weekday of the month, at the chosen hour.
 */
export function duePeriod(schedule: DigestSchedule, now: Date): string | null {
  if (schedule.frequency === 'paused') return null;
  const local = localTime(now, schedule.timezone);
  const reached = (day: number) => local.weekday > day || (local.weekday === day && local.hour >= schedule.hour);
  switch (schedule.frequency) {
    case 'weekly':
      return reached(schedule.day) ? periodKey('weekly', local) : null;
    case 'biweekly': {
      const monday = dayNumber(local.year, local.month, local.day) - (local.weekday - 1);
      const weekIndex = Math.floor((monday - 4) / 7); // 1970-01-05 was the first Monday.
      return weekIndex % 2 === 0 && reached(schedule.day) ? periodKey('biweekly', local) : null;
    }
    case 'monthly': {
      const firstWeekday = isoWeekday(local.year, local.month, 1);
      const sendDay = 1 + ((schedule.day - firstWeekday + 7) % 7);
      const passed = local.day > sendDay || (local.day === sendDay && local.hour >= schedule.hour);
      return passed ? periodKey('monthly', local) : null;
    }
  }
}

/**
 * The period that becomes due after `from` and by `until` (the tick building ahead), with the
 * moment it does: the first minute at which the partner's wall clock reaches their day and hour
 * (on a day when that hour does not exist, the moment the clock jumps past it). Null when no new
 * period becomes due in that span: none at all, or the one due at `until` was due at `from`
 * already. Due-ness of one period only grows within it, so the moment is found by halving the
 * span, minute by minute (every zone's offset is a whole number of minutes).
 */
export function dueWithin(schedule: DigestSchedule, from: Date, until: Date): { period: string; at: Date } | null {
  const period = duePeriod(schedule, until);
  if (!period || until <= from || duePeriod(schedule, from) === period) return null;
  // The moment is a whole minute in (from, until]: the last whole minute before `from` is not
  // due, the last whole minute by `until` is.
  const minute = 60_000;
  let lo = Math.floor(from.getTime() / minute);
  let hi = Math.floor(until.getTime() / minute);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (duePeriod(schedule, new Date(mid * minute)) === period) hi = mid;
    else lo = mid;
  }
  return { period, at: new Date(hi * minute) };
}

/** The period a partner is in right now, due or not (for `digest run --now`). */
export function currentPeriod(schedule: DigestSchedule, now: Date): string | null {
  if (schedule.frequency === 'paused') return null;
  return periodKey(schedule.frequency, localTime(now, schedule.timezone));
}

/** "Week 48, 2026" or "November 2026", for people. */
export function periodLabel(period: string): string {
  const week = period.match(/^(\d{4})-W(\d{2})$/);
  if (week) return `Week ${Number(week[2])}, ${week[1]}`;
  const [year, month] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month - 1, 1)).toLocaleString('en', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}
