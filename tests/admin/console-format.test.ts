import { describe, expect, it } from 'vitest';
import { consoleFormat as fmt } from '../../src/admin/console-format.ts';

describe('how the console writes values', () => {
  it('names regions by their labels, with remote work after them', () => {
    expect(fmt.regions(['dach'])).toBe('DACH (Germany, Austria, Switzerland)');
    expect(fmt.regions(['nordics', 'uk-ireland'], true)).toBe('Nordics, UK & Ireland, remote');
    expect(fmt.regions([], true)).toBe('Remote');
    expect(fmt.regions([])).toBe('—');
  });

  it('writes every moment one way, in UTC, and every calendar day one way', () => {
    expect(fmt.when(new Date('2026-12-04T21:59:31.123Z'))).toBe('4 Dec 2026, 21:59 UTC');
    expect(fmt.when('2026-12-04T23:30:00+02:00')).toBe('4 Dec 2026, 21:30 UTC');
    expect(fmt.when(null)).toBe('—');
    expect(fmt.day('2027-02-01')).toBe('1 Feb 2027');
    expect(fmt.day('2026-12-31T23:30:00Z')).toBe('31 Dec 2026');
    expect(fmt.day(undefined)).toBe('—');
    expect(fmt.status('pending_verification')).toBe('pending verification');
  });
});
