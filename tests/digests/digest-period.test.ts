import { describe, expect, it } from 'vitest';
import { duePeriod, isoWeek, localTime, periodKey, periodLabel, PERIOD_PATTERN, type DigestSchedule } from '../../src/digests/digest-period.ts';

const weekly = (timezone: string, day = 1, hour = 8): DigestSchedule => ({ timezone, frequency: 'weekly', day, hour });

describe('ISO weeks', () => {
  it.each([
    ['2026-01-01', 2026, 1],
    ['2026-12-28', 2026, 53],
    ['2027-01-03', 2026, 53],
    ['2027-01-04', 2027, 1],
    ['2024-12-30', 2025, 1],
    ['2021-01-03', 2020, 53],
    ['2026-11-23', 2026, 48],
  ])('%s is in week %i-W%i', (date, year, week) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    expect(isoWeek(y, m, d)).toEqual({ year, week });
  });

  it('agrees with Postgres-style keys for a whole year of days', () => {
    // Every day of 2026..2028 has a key of the documented shape and keys never go backwards.
    let previous = '';
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2029, 0, 1); t += 86_400_000) {
      const key = periodKey('weekly', localTime(new Date(t), 'UTC'));
      expect(key).toMatch(PERIOD_PATTERN);
      expect(key >= previous).toBe(true);
      previous = key;
    }
  });
});

describe('when a weekly digest is due', () => {
  it('is due from Monday 08:00 local time, not before', () => {
    const s = weekly('Europe/Berlin');
    expect(duePeriod(s, new Date('2026-11-23T06:59:00Z'))).toBeNull(); // 07:59 in Berlin
    expect(duePeriod(s, new Date('2026-11-23T07:00:00Z'))).toBe('2026-W48'); // 08:00 in Berlin
    expect(duePeriod(s, new Date('2026-11-27T15:00:00Z'))).toBe('2026-W48'); // still due Friday (catch-up)
    expect(duePeriod(s, new Date('2026-11-29T22:59:00Z'))).toBe('2026-W48'); // Sunday 23:59
    expect(duePeriod(s, new Date('2026-11-29T23:00:00Z'))).toBeNull(); // Monday 00:00, next week
  });

  it('uses the partner’s time zone for the period, even where UTC is already in another week', () => {
    // Monday 2026-11-30 08:00 in Auckland is Sunday 19:00 UTC, still week 48 in UTC.
    expect(duePeriod(weekly('Pacific/Auckland'), new Date('2026-11-29T19:00:00Z'))).toBe('2026-W49');
    // Sunday 2026-11-29 20:00 in Los Angeles is Monday 04:00 UTC.
    expect(duePeriod(weekly('America/Los_Angeles', 7, 20), new Date('2026-11-30T04:00:00Z'))).toBe('2026-W48');
  });

  it('keeps local 08:00 across the spring-forward change', () => {
    // Europe: clocks go forward on Sunday 2027-03-28. Monday 2027-03-29 08:00 CEST = 06:00 UTC.
    const s = weekly('Europe/Berlin');
    expect(duePeriod(s, new Date('2027-03-29T05:59:00Z'))).toBeNull();
    expect(duePeriod(s, new Date('2027-03-29T06:00:00Z'))).toBe('2027-W13');
  });

  it('keeps local 08:00 across the fall-back change, and an hour that occurs twice is still one period', () => {
    // US: clocks go back on Sunday 2026-11-01 at 02:00. Sunday 01:00 happens twice.
    const s = weekly('America/New_York', 7, 1);
    expect(duePeriod(s, new Date('2026-11-01T05:00:00Z'))).toBe('2026-W44'); // first 01:00 (EDT)
    expect(duePeriod(s, new Date('2026-11-01T06:00:00Z'))).toBe('2026-W44'); // second 01:00 (EST)
    expect(duePeriod(s, new Date('2026-11-01T04:59:00Z'))).toBeNull(); // 00:59 EDT
  });

  it('is due when the chosen hour is skipped by spring-forward', () => {
    // US spring-forward 2027-03-14: 02:00 jumps to 03:00; a Sunday 02:00 digest goes at 03:00.
    const s = weekly('America/New_York', 7, 2);
    expect(duePeriod(s, new Date('2027-03-14T06:59:00Z'))).toBeNull(); // 01:59 EST
    expect(duePeriod(s, new Date('2027-03-14T07:00:00Z'))).toBe('2027-W10'); // 03:00 EDT
  });

  it('names the turn of the year by ISO week-year', () => {
    // Monday 2026-12-28 and Friday 2027-01-01 are both in 2026-W53.
    expect(duePeriod(weekly('UTC'), new Date('2026-12-28T08:00:00Z'))).toBe('2026-W53');
    expect(duePeriod(weekly('UTC'), new Date('2027-01-01T12:00:00Z'))).toBe('2026-W53');
    expect(duePeriod(weekly('UTC'), new Date('2027-01-04T08:00:00Z'))).toBe('2027-W01');
    // Tuesday 2024-12-31 belongs to 2025-W01.
    expect(duePeriod(weekly('UTC'), new Date('2024-12-31T09:00:00Z'))).toBe('2025-W01');
  });
});

describe('other frequencies', () => {
  it('paused is never due', () => {
    expect(duePeriod({ timezone: 'UTC', frequency: 'paused', day: 1, hour: 0 }, new Date('2026-11-23T12:00:00Z'))).toBeNull();
  });

  it('biweekly is due in every other week, steadily across a 53-week year', () => {
    const s: DigestSchedule = { timezone: 'UTC', frequency: 'biweekly', day: 1, hour: 8 };
    const due: string[] = [];
    for (let t = Date.UTC(2026, 10, 2, 12); t < Date.UTC(2027, 1, 2); t += 7 * 86_400_000) {
      const key = duePeriod(s, new Date(t));
      if (key) due.push(key);
    }
    expect(due).toEqual(['2026-W46', '2026-W48', '2026-W50', '2026-W52', '2027-W01', '2027-W03', '2027-W05']);
  });

  it('monthly is due from the first chosen weekday of the month', () => {
    const s: DigestSchedule = { timezone: 'Europe/London', frequency: 'monthly', day: 1, hour: 8 };
    // December 2026 starts on a Tuesday: its first Monday is the 7th.
    expect(duePeriod(s, new Date('2026-12-06T12:00:00Z'))).toBeNull();
    expect(duePeriod(s, new Date('2026-12-07T07:59:00Z'))).toBeNull();
    expect(duePeriod(s, new Date('2026-12-07T08:00:00Z'))).toBe('2026-12');
    expect(duePeriod(s, new Date('2026-12-31T23:00:00Z'))).toBe('2026-12');
    expect(duePeriod(s, new Date('2027-01-01T00:00:00Z'))).toBeNull();
  });

  it('labels periods for people', () => {
    expect(periodLabel('2026-W48')).toBe('Week 48, 2026');
    expect(periodLabel('2026-11')).toBe('November 2026');
  });
});
