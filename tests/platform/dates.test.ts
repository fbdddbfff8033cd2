import { describe, expect, it } from 'vitest';
import { formatDay, formatDayShort, formatMomentUtc } from '../../src/platform/text/dates.ts';
import { shortTitle } from '../../src/platform/text/short-title.ts';

describe('dates for people: one format in mail and pages', () => {
  it('writes a calendar day as "11 Jan 2027", with no time zone shift', () => {
    expect(formatDay('2027-01-11')).toBe('11 Jan 2027');
    expect(formatDay('2026-12-01')).toBe('1 Dec 2026');
    // A moment: its day in UTC (closing dates are stored as the end of the day, UTC).
    expect(formatDay(new Date('2026-12-31T23:59:59.999Z'))).toBe('31 Dec 2026');
    expect(formatDay('2026-12-31T23:30:00-02:00')).toBe('1 Jan 2027');
    expect(formatDayShort('2027-01-14')).toBe('14 Jan');
  });

  it('says nothing (or the fallback) for no date, and leaves text that is no date alone', () => {
    expect(formatDay(null)).toBe('');
    expect(formatDay(undefined, '—')).toBe('—');
    expect(formatDay('')).toBe('');
    expect(formatDay('soon')).toBe('soon');
  });

  it('writes a moment to the minute, in UTC', () => {
    expect(formatMomentUtc(new Date('2026-12-04T21:59:31.123Z'))).toBe('4 Dec 2026, 21:59 UTC');
    expect(formatMomentUtc(null, '—')).toBe('—');
  });
});

describe('short titles for subjects', () => {
  it('keeps a short title, cuts a long one at a word with an ellipsis', () => {
    expect(shortTitle('Azure landing zone for a Linz logistics firm')).toBe('Azure landing zone for a Linz logistics firm');
    expect(shortTitle('  Azure   landing\nzone ')).toBe('Azure landing zone');
    const cut = shortTitle('Managed SOC on Microsoft Sentinel for a Scottish housing association with 600 staff');
    expect(cut).toBe('Managed SOC on Microsoft Sentinel for a Scottish housing…');
    expect(cut.length).toBeLessThanOrEqual(60);
    expect(shortTitle('SAP, Dynamics, Power Platform, Fabric, Sentinel, Defender, Intune', 40)).toBe('SAP, Dynamics, Power Platform, Fabric…');
  });
});
