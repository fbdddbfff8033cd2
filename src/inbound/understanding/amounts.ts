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
const CODES = ['EUR', 'USD', 'GBP', 'CHF', 'CAD', 'AUD', 'NZD', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'JPY', 'KRW', 'SGD', 'INR', 'AED', 'ZAR', 'BRL', 'MXN'];
const CUR = `(?:[€$£¥₩]|\\b(?:${CODES.join('|')})\\b)`;
// Bounded repetitions: a run of a million digits must not cost a million steps at each position.
const NUM = `\\d{1,3}(?:[,.' ]\\d{3}){1,4}(?:[.,]\\d{1,2})?|\\d{1,9}(?:[.,]\\d{1,2})?`;
const AMOUNT = `(${NUM})\\s?([kKmM]\\b)?`;
const RANGE = `\\s*(?:-|–|—|to|bis|and)\\s*`;
// "€40k–60k", "USD 25,000 – 30,000", "40,000 EUR", "40.000 – 60.000 €": a currency before or after.
const MONEY = new RegExp(`(${CUR})?\\s?${AMOUNT}(?:${RANGE}(?:${CUR})?\\s?${AMOUNT})?\\s?(${CUR})?`, 'gu');
const BUDGET_WORDS = /\b(?:budget|rate|price|value|fee|cost|worth|paying|pay|ceiling|cap|budgeted)\b/i;
const MAX_AMOUNT = 100_000_000;

function currencyOf(written: string | undefined): string | undefined {
  if (!written) return undefined;
  return SYMBOLS[written] ?? written.toUpperCase();
}

/** "40,000" / "40.000" / "40 000" → 40000; "40" with "k" → 40000; decimals are dropped. */
function amountOf(digits: string, suffix: string | undefined): number {
  const grouped = /^\d{1,3}(?:[,.' ]\d{3})+$/.test(digits);
  const plain = grouped ? digits.replace(/[,.' ]/g, '') : digits.replace(/[,.' ](\d{3})(?=[.,]\d{1,2}$)/g, '$1').replace(',', '.');
  const factor = suffix ? (/k/i.test(suffix) ? 1_000 : 1_000_000) : 1;
  return Math.round(Number.parseFloat(plain) * factor);
}

/** Words after an amount that make it a rate, not a budget ("£650/day", "€1,100 per day", "TJM 750 €"). */
const RATE_AFTER = /^\s*(?:\/\s*|per\s+|a\s+|pro\s+|par\s+|por\s+|p\.?\s?)(?:day|hour|hr|h|d|diem|tag|stunde|jour|heure|d[ií]a|hora|dag|uur|month|monat|mois|mes|maand)\b|^\s*(?:daily|hourly|p\.?d\.?|p\.?h\.?)\b/i;
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
      const bounds = second !== undefined ? { budgetMin: Math.min(first, second), budgetMax: Math.max(first, second) } : singleAmount(first, before);
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

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH = `(${MONTHS.map((m) => `${m.slice(0, 3)}(?:${m.slice(3)})?`).join('|')}|sept)\\.?`;
const START = String.raw`\b(?:start(?:s|ing)?|begin(?:s|ning)?|commenc\w*|kick[- ]?off|from|as of|beginn|ab)\b[^\n]{0,40}?`;
const ISO = new RegExp(`${START}\\b(\\d{4})-(\\d{2})-(\\d{2})\\b`, 'i');
const DAY_MONTH = new RegExp(`${START}\\b(\\d{1,2})(?:st|nd|rd|th)?\\.?\\s+${MONTH},?(?:\\s+(\\d{4}))?\\b`, 'i');
const MONTH_DAY = new RegExp(`${START}\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?(?:\\s+(\\d{4}))?\\b`, 'i');

const monthIndex = (name: string) => MONTHS.findIndex((m) => m.startsWith(name.toLowerCase().slice(0, 3)));

/** YYYY-MM-DD when the date exists; a date without a year is its next occurrence from `now`. */
function isoDate(year: number | undefined, month: number, day: number, now: Date): string | undefined {
  const y = year ?? now.getUTCFullYear();
  const make = (yy: number) => new Date(Date.UTC(yy, month, day));
  let date = make(y);
  if (year === undefined && date.getTime() < Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) date = make(y + 1);
  if (date.getUTCMonth() !== month || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

/** A start date stated next to "start", "starting", "from"…; undefined when none is. */
export function findStartDate(text: string, now: Date): string | undefined {
  const iso = ISO.exec(text);
  if (iso) return isoDate(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]), now);
  const dm = DAY_MONTH.exec(text);
  if (dm) return isoDate(dm[3] ? Number(dm[3]) : undefined, monthIndex(dm[2]!), Number(dm[1]), now);
  const md = MONTH_DAY.exec(text);
  if (md) return isoDate(md[3] ? Number(md[3]) : undefined, monthIndex(md[1]!), Number(md[2]), now);
  return undefined;
}
