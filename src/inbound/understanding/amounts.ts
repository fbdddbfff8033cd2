/**
 * Budgets and start dates written plainly in an email ("budget 40,000 EUR", "€40k–60k",
 * "start 2027-01-15", "starting 15 January 2027"). Anything less plain is left for the person.
 * Every pattern here is linear: bounded repetitions, and look-arounds over a few dozen characters.
 */
export interface Budget {
  budgetMin?: number;
  budgetMax?: number;
  currency?: string;
}

const SYMBOLS: Record<string, string> = { '€': 'EUR', $: 'USD', '£': 'GBP', '¥': 'JPY', '₩': 'KRW' };
const CODES = [
  'EUR', 'USD', 'GBP', 'CHF', 'CAD', 'AUD', 'NZD', 'SEK', 'NOK', 'DKK', 'ISK', 'PLN', 'CZK', 'HUF', 'RON', 'BGN', 'TRY', 'ILS', 'JPY', 'KRW', 'CNY',
  'HKD', 'TWD', 'SGD', 'MYR', 'THB', 'IDR', 'PHP', 'VND', 'INR', 'AED', 'SAR', 'QAR', 'KWD', 'BHD', 'OMR', 'EGP', 'ZAR', 'NGN', 'KES', 'MAD',
  'BRL', 'MXN', 'ARS', 'CLP', 'COP', 'PEN', 'UYU',
];
/** Currencies written as words ("1,5 millions d'euros", "2 million dollars"). */
const WORDS: Record<string, string> = {
  euro: 'EUR', euros: 'EUR', "d'euros": 'EUR', 'd’euros': 'EUR', 'de euros': 'EUR', 'di euro': 'EUR', 'van euro': 'EUR',
  dollar: 'USD', dollars: 'USD', 'de dólares': 'USD', 'de dolares': 'USD', pounds: 'GBP', 'pounds sterling': 'GBP',
};
const CUR = `(?:[€$£¥₩]|\\b(?:${CODES.join('|')})\\b|(?<!\\p{L})(?i:${Object.keys(WORDS).join('|')})(?!\\p{L}))`;
// Bounded repetitions: a run of a million digits must not cost a million steps at each position.
const NUM = `\\d{1,3}(?:[,.' ]\\d{3}){1,4}(?:[.,]\\d{1,2})?|\\d{1,9}(?:[.,]\\d{1,2})?`;
/**
 * What multiplies an amount: thousands ("40k", "40 Tsd.", "40 thousand") and millions ("1.2m",
 * "USD 1.2M", "1,5 Mio.", "2 Millionen", "1.5 million(s)", "1,5 millones", "2 miljoen", "$1.2MM").
 */
const THOUSANDS = 'k|K|Tsd\\.?|Tausend|thousand';
const MILLIONS = 'm|M|mn|Mn|MM|Mio\\.?|Millionen|Million|millions?|millones|millón|miljoen|milioni|milione|mln\\.?|Mln\\.?';
const AMOUNT = `(${NUM})\\s?((?:${THOUSANDS}|${MILLIONS})(?![\\p{L}\\p{N}]))?`;
// Between two amounts: "80k-120k", "80k to 120k", and "between … and …" in the languages we read
// ("entre 150.000 y 180.000 €", "entre … et …", "zwischen … und …", "tussen … en …", "tra … e …", "de … a …").
// A word between them stands apart on both sides (the amount before may have taken the space).
const RANGE = `(?:\\s*[-–—]\\s*|\\s*(?<=\\s)(?:to|bis|and|und|y|et|en|tot|e|a|à)\\s+)`;
/** Two amounts this far apart are not one range ("€200k and 3 developers"): the first is the amount. */
const RANGE_MAX_RATIO = 100;
// "€40k–60k", "USD 25,000 – 30,000", "40,000 EUR", "40.000 – 60.000 €": a currency before or after.
const MONEY = new RegExp(`(${CUR})?\\s?${AMOUNT}(?:${RANGE}(?:${CUR})?\\s?${AMOUNT})?\\s?(${CUR})?`, 'gu');
const BUDGET_WORDS = /(?<!\p{L})(?:budget|budgeted|budgetiert|rate|price|value|fee|cost|worth|paying|pay|ceiling|cap|presupuesto|importo|orçamento|budżet|begroting|volumen|volume|auftragswert)(?!\p{L})/iu;
const MAX_AMOUNT = 100_000_000;

function currencyOf(written: string | undefined): string | undefined {
  if (!written) return undefined;
  return SYMBOLS[written] ?? WORDS[written.toLowerCase()] ?? written.toUpperCase();
}

/**
 * "40,000" / "40.000" / "40 000" → 40000; "1,200,000.00" / "1.234,56" (US and EU separators) →
 * whole units; "1,5" / "1.2" with "Mio." / "m" → 1500000 / 1200000; "40" with "k" → 40000.
 */
function amountOf(digits: string, suffix: string | undefined): number {
  const grouped = /^(\d{1,3}(?:[,.' ]\d{3})+)(?:[.,](\d{1,2}))?$/.exec(digits);
  const plain = grouped ? `${grouped[1]!.replace(/[,.' ]/g, '')}.${grouped[2] ?? '0'}` : digits.replace(',', '.');
  const factor = suffix ? (new RegExp(`^(?:${THOUSANDS})$`).test(suffix) ? 1_000 : 1_000_000) : 1;
  return Math.round(Number.parseFloat(plain) * factor);
}

/** Words after an amount that make it a rate, not a budget ("£650/day", "€1,100 per day", "TJM 750 €"). */
const RATE_AFTER = /^\s*(?:\/\s*|per\s+|a\s+|pro\s+|par\s+|por\s+|p\.?\s?)(?:day|hour|hr|h|d|diem|tag|stunde|jour|heure|d[ií]a|hora|dag|uur|month|monat|mois|mes|maand)\b|^\s*(?:daily|hourly|p\.?d\.?|p\.?h\.?|p\/[dh]|p\/day|p\/hour)(?![\p{L}\p{N}])/iu;
const RATE_BEFORE = /(?:day|daily|hourly|day-|tages|stunden)\s*-?\s*(?:rate|satz|sätze|tarif)s?\b[^\n]{0,20}$|\b(?:tjm|tagessatz|stundensatz|taux journalier|tarifa diaria|dagtarief|uurtarief|rate card)\b[^\n]{0,20}$/i;
/** Words before a single amount that make it a bound rather than the budget itself. */
const UP_TO_BEFORE = /\b(?:up to|max(?:imum)?\.?|at most|no more than|not exceeding|bis zu|höchstens|maximal|jusqu'à|jusqu’à|hasta|tot|maximaal)\s*$/i;
const AT_LEAST_BEFORE = /\b(?:from|at least|minimum|min\.?|ab|mindestens|à partir de|desde|vanaf)\s*$/i;

/**
 * The first amount with a currency, preferring one on a line that talks about budget. Rates
 * ("£650/day", "TJM 750 €") are not budgets and are skipped. A single amount is the budget
 * itself (min = max), unless written as a bound: "up to 80k" is a maximum, "from 80k" a minimum.
 */
export function findBudget(text: string): Budget {
  const candidates: Array<Budget & { budgetLine: boolean }> = [];
  for (const line of text.split('\n')) {
    for (const m of line.matchAll(MONEY)) {
      const [, cur1, a1, k1, a2, k2, cur2] = m;
      const currency = currencyOf(cur1) ?? currencyOf(cur2);
      if (!currency || !a1) continue;
      const before = line.slice(Math.max(0, m.index - 40), m.index);
      const after = line.slice(m.index + m[0].length, m.index + m[0].length + 20);
      if (RATE_AFTER.test(after) || RATE_BEFORE.test(before)) continue;
      // "40–60k": the suffix of the second amount applies to the first.
      const first = amountOf(a1, k1 ?? (a2 ? k2 : undefined));
      const second = a2 ? amountOf(a2, k2) : undefined;
      const isRange = second !== undefined && Math.min(first, second) * RANGE_MAX_RATIO >= Math.max(first, second);
      const bounds = isRange ? { budgetMin: Math.min(first, second), budgetMax: Math.max(first, second) } : singleAmount(first, before);
      const top = bounds.budgetMax ?? bounds.budgetMin ?? 0;
      if (!(top > 0) || top > MAX_AMOUNT) continue;
      candidates.push({ ...bounds, currency, budgetLine: BUDGET_WORDS.test(line) });
    }
  }
  const best = candidates.find((c) => c.budgetLine) ?? candidates[0];
  if (!best) return {};
  const { budgetLine: _budgetLine, ...budget } = best;
  return budget;
}

function singleAmount(amount: number, before: string): Pick<Budget, 'budgetMin' | 'budgetMax'> {
  if (UP_TO_BEFORE.test(before)) return { budgetMax: amount };
  if (AT_LEAST_BEFORE.test(before)) return { budgetMin: amount };
  return { budgetMin: amount, budgetMax: amount };
}

/** Month names in English, German, French, Spanish, Dutch and Italian (lower case, accents as written). */
const MONTH_NAMES: ReadonlyArray<readonly string[]> = [
  ['january', 'jan', 'januar', 'jänner', 'janvier', 'janv', 'enero', 'januari', 'gennaio'],
  ['february', 'feb', 'februar', 'février', 'fevrier', 'févr', 'fevr', 'febrero', 'februari', 'febbraio'],
  ['march', 'mar', 'märz', 'maerz', 'mars', 'marzo', 'maart', 'mrt'],
  ['april', 'apr', 'avril', 'avr', 'abril', 'aprile'],
  ['may', 'mai', 'mayo', 'mei', 'maggio'],
  ['june', 'jun', 'juni', 'juin', 'junio', 'giugno'],
  ['july', 'jul', 'juli', 'juillet', 'juil', 'julio', 'luglio'],
  ['august', 'aug', 'août', 'aout', 'agosto', 'augustus'],
  ['september', 'sep', 'sept', 'septembre', 'septiembre', 'settembre'],
  ['october', 'oct', 'oktober', 'octobre', 'octubre', 'okt', 'ottobre'],
  ['november', 'nov', 'novembre', 'noviembre'],
  ['december', 'dec', 'dezember', 'dez', 'décembre', 'decembre', 'diciembre', 'dicembre'],
];
const MONTH_OF = new Map(MONTH_NAMES.flatMap((names, month) => names.map((name) => [name, month] as const)));
// Longest names first, so "märz" is not read as "mar" followed by junk.
const MONTH = `(${[...MONTH_OF.keys()].sort((x, y) => y.length - x.length).join('|')})\\.?`;
/** Words that introduce a start, in the languages above ("Projektstart", "Démarrage", "inicio", "vanaf"). */
// German compounds end in the start word ("Projektbeginn", "Einsatzstart", "Vertragsbeginn").
const START = String.raw`(?<!\p{L})(?:start(?:s|ed|ing|en|et|date|datum|termin)?|\p{L}{0,12}(?:start|beginn)|begin(?:s|ning|nt|nen)?|commenc\w*|kick[- ]?off|mobili[sz]\w*|from|as of|ab|démarrage|demarrage|début|debut|à partir du|a partir du|inicio|comienzo|arranque|a partir del|desde el|vanaf|aanvang|per|inizio|avvio|a partire dal)(?!\p{L})[^\n]{0,40}?`;
const DAY = String.raw`(\d{1,2})(?:st|nd|rd|th|er|e|ème|\.|º)?`;
const ISO = new RegExp(`${START}(?<!\\d)(\\d{4})-(\\d{2})-(\\d{2})(?!\\d)`, 'iu');
const DAY_MONTH = new RegExp(`${START}(?<!\\d)${DAY}\\s+(?:(?:de|of|del)\\s+)?${MONTH},?(?:\\s+(?:de\\s+)?(\\d{4}))?(?!\\p{L})`, 'iu');
const MONTH_DAY = new RegExp(`${START}(?<!\\p{L})${MONTH}\\s+${DAY},?(?:\\s+(\\d{4}))?(?!\\d)`, 'iu');
/** 15.03.2027 (always day first), 15/03/2027 or 03/15/2027 (which one by the digits, else by locale). */
const NUMERIC = new RegExp(`${START}(?<!\\d)(\\d{1,2})([./])(\\d{1,2})\\2(\\d{4})(?!\\d)`, 'iu');

/** Weekdays, Monday first, in English and German. */
const WEEKDAYS: ReadonlyArray<readonly string[]> = [
  ['monday', 'montag'], ['tuesday', 'dienstag'], ['wednesday', 'mittwoch'], ['thursday', 'donnerstag'], ['friday', 'freitag'], ['saturday', 'samstag'], ['sunday', 'sonntag'],
];
const WEEKDAY_OF = new Map(WEEKDAYS.flatMap((names, day) => names.map((name) => [name, day] as const)));
const WEEKDAY = `(${[...WEEKDAY_OF.keys()].join('|')})`;
/**
 * A start written relative to the mail's date that names a day: "Monday next week", "next
 * Tuesday", "nächsten Montag". "Next week" or "in two weeks" name no day: a person filling the
 * form could not either, so they stay unread (the form asks).
 */
const RELATIVE = new RegExp(
  `${START}(?<!\\p{L})(?:(?:on|am)\\s+)?(?:${WEEKDAY}\\s+(?:next|nächste)\\s+(?:week|woche)|(?:next|nächsten?)\\s+${WEEKDAY})(?!\\p{L})`,
  'iu',
);

const monthIndex = (name: string) => MONTH_OF.get(name.toLowerCase().replace(/\.$/, '')) ?? -1;

/** YYYY-MM-DD when the date exists; a date without a year is its next occurrence from `now`. */
function isoDate(year: number | undefined, month: number, day: number, now: Date): string | undefined {
  if (month < 0) return undefined;
  const y = year ?? now.getUTCFullYear();
  const make = (yy: number) => new Date(Date.UTC(yy, month, day));
  let date = make(y);
  if (year === undefined && date.getTime() < Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) date = make(y + 1);
  if (date.getUTCMonth() !== month || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

const dated = (date: string | undefined): StartDate | undefined => (date ? { date } : undefined);

/** Which part of a numeric date comes first where the digits do not decide (04/05/2027). */
export type DateOrder = 'day-first' | 'month-first';

/** A start date as read; `ambiguous` when it was written so it could be read both ways and nothing decided. */
export interface StartDate {
  /** YYYY-MM-DD. */
  date: string;
  ambiguous?: {
    /** As written ("04/05/2027"). */
    written: string;
    /** The other reading, YYYY-MM-DD ("2027-04-05" for 04/05/2027 read as 4 May). */
    other: string;
  };
}

/**
 * 15/03/2027 and 03/15/2027 are unambiguous by their digits; 04/05/2027 is read the sender's way
 * (`order`), and when nobody knows that way, day first (as most of the world writes) but marked
 * ambiguous so that the sender is asked. Dots are always day first (15.03.2027).
 */
function numericDate(written: string, a: number, separator: string, b: number, year: number, order: DateOrder | undefined, now: Date): StartDate | undefined {
  const dayFirst = isoDate(year, b - 1, a, now);
  const monthFirst = isoDate(year, a - 1, b, now);
  if (separator === '.' || a > 12) return dated(dayFirst);
  if (b > 12) return dated(monthFirst);
  if (order === 'month-first') return dated(monthFirst);
  if (order === 'day-first' || a === b || !dayFirst || !monthFirst) return dated(dayFirst);
  return { date: dayFirst, ambiguous: { written, other: monthFirst } };
}

/**
 * A start date stated next to a start word ("start", "Projektstart", "démarrage", "inicio",
 * "vanaf", "from"…), in ISO, numeric or written forms in five languages; undefined when none is.
 * A date elsewhere (a reply deadline, a go-live) is not a start. `order`: how the sender writes
 * numeric dates, when known (see date-order.ts).
 */
export function readStartDate(text: string, now: Date, options: { order?: DateOrder } = {}): StartDate | undefined {
  // Per line, bounded: every pattern looks at most 40 characters past its start word.
  for (const line of text.split('\n')) {
    const bounded = line.slice(0, 500);
    const found = startOnLine(bounded, now, options.order);
    if (found) return found;
  }
  return undefined;
}

/** The start date alone (YYYY-MM-DD); `monthFirst`: the sender writes dates the US way. */
export function findStartDate(text: string, now: Date, options: { monthFirst?: boolean } = {}): string | undefined {
  return readStartDate(text, now, options.monthFirst ? { order: 'month-first' } : {})?.date;
}

function startOnLine(line: string, now: Date, order: DateOrder | undefined): StartDate | undefined {
  const iso = ISO.exec(line);
  if (iso) return dated(isoDate(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]), now));
  const numeric = NUMERIC.exec(line);
  if (numeric) {
    const [, a, separator, b, year] = numeric as unknown as [string, string, string, string, string];
    return numericDate(`${a}${separator}${b}${separator}${year}`, Number(a), separator, Number(b), Number(year), order, now);
  }
  const dm = DAY_MONTH.exec(line);
  if (dm) return dated(isoDate(dm[3] ? Number(dm[3]) : undefined, monthIndex(dm[2]!), Number(dm[1]), now));
  const md = MONTH_DAY.exec(line);
  if (md) return dated(isoDate(md[3] ? Number(md[3]) : undefined, monthIndex(md[1]!), Number(md[2]), now));
  const relative = RELATIVE.exec(line);
  if (relative) return dated(relativeDate(relative, now));
  return undefined;
}

const DAY_MS = 86_400_000;

/** The date a RELATIVE match names, counted from the mail's day (weeks start on Monday). */
function relativeDate([, dayInNextWeek, nextDay]: RegExpExecArray, now: Date): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const weekday = (new Date(today).getUTCDay() + 6) % 7;
  const nextMonday = today + (7 - weekday) * DAY_MS;
  const day = dayInNextWeek
    ? nextMonday + WEEKDAY_OF.get(dayInNextWeek.toLowerCase())! * DAY_MS
    : today + (((WEEKDAY_OF.get(nextDay!.toLowerCase())! - weekday + 6) % 7) + 1) * DAY_MS;
  return new Date(day).toISOString().slice(0, 10);
}
