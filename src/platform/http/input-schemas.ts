import { z } from 'zod';

/**
 * Strings and dates as every edge of the service takes them (JSON API bodies and queries, the
 * forms after their fields are read). Postgres refuses NUL in text ("invalid byte sequence") and
 * dates outside its calendar (there is no year 0): such input is a 400 naming the field here,
 * before it can become a 500 deep in a query.
 */

// C0 controls and DEL. Tab, line feed and carriage return are what a textarea legitimately sends.
/* eslint-disable no-control-regex -- finding control characters is what these patterns are for */
const CONTROL_SINGLE_LINE = /[\u0000-\u001f\u007f]/;
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/* eslint-enable no-control-regex */

/** True when the text holds a character no single-line field may hold (NUL, ESC, a line break…). */
export const hasControlCharacter = (value: string, multiLine = false): boolean =>
  (multiLine ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).test(value);

const CONTROL_MESSAGE = 'must not contain control characters';

/** What `z.string()` takes: a message for a value that is not a string at all. */
type StringParams = Parameters<typeof z.string>[0];

/** A one-line text field: no control characters at all (tab included). */
export const plainText = (params?: StringParams) => z.string(params).refine((v) => !hasControlCharacter(v), CONTROL_MESSAGE);

/** A multi-line text field (a description, a profile): tab, CR and LF allowed, other controls refused. */
export const multiLineText = (params?: StringParams) =>
  z.string(params).refine((v) => !hasControlCharacter(v, true), CONTROL_MESSAGE);

/** The calendar the service deals in: anything outside it is a typo or an attack, never a plan. */
export const SANE_DATES = { min: '2000-01-01', max: '2100-12-31' } as const;

const DATE_RANGE_MESSAGE = `must be between ${SANE_DATES.min} and ${SANE_DATES.max}`;
const inSaneRange = (value: string) => {
  const day = value.slice(0, 10);
  return day >= SANE_DATES.min && day <= SANE_DATES.max;
};

/** A calendar date (YYYY-MM-DD) within `SANE_DATES`. */
export const saneDate = (message = 'must be a date (YYYY-MM-DD)') => z.iso.date(message).refine(inSaneRange, DATE_RANGE_MESSAGE);

/** A date-time with an offset (2026-12-31T17:00:00Z) within `SANE_DATES` (compared on its own date). */
export const saneDateTime = (message: string) =>
  z.iso.datetime({ offset: true, message }).refine(inSaneRange, DATE_RANGE_MESSAGE);
