import type { RegionSlug } from '../../regions/regions.ts';
import type { DateOrder } from './amounts.ts';

/**
 * Country-code domains used the world over for their letters ("startup.io", "agency.co"), which
 * say nothing of where their owner writes from.
 */
const GENERIC_CCTLDS = new Set(['io', 'co', 'ai', 'me', 'tv', 'cc', 'ly', 'fm', 'to', 'gg', 'sh', 'so', 'ws']);
/** Where both orders are common (Canada, English and French), a domain or language says nothing. */
const MIXED = new Set(['ca', 'en', 'en-ca']);
const MONTH_FIRST = new Set(['us', 'en-us', 'en-ph']);

/** One signal: month first for the US way, day first for any other known place or language; undefined when mixed or unknown. */
function orderOf(code: string | undefined): DateOrder | undefined {
  if (!code || MIXED.has(code)) return undefined;
  return MONTH_FIRST.has(code) ? 'month-first' : 'day-first';
}

/**
 * How the sender writes numeric dates, as far as the mail tells: by where the work is (work only in
 * North America: the US way; work anywhere else: day first), else the mail's Content-Language
 * ("en-US", "de"), else the country of the sender's domain (".co.uk", ".de"; ".us"). Undefined when
 * nothing tells: then 04/05/2027 is read day first and the sender is asked.
 */
export function dateOrderOf(signals: { regions: readonly RegionSlug[]; contentLanguage?: string; senderAddress?: string }): DateOrder | undefined {
  const { regions } = signals;
  const northAmerica = regions.includes('north-america');
  if (regions.length > 0 && (!northAmerica || regions.length === 1)) return northAmerica ? 'month-first' : 'day-first';
  const language = signals.contentLanguage?.split(',')[0]?.trim().toLowerCase();
  const byLanguage = orderOf(language);
  if (byLanguage) return byLanguage;
  const tld = signals.senderAddress?.split('@')[1]?.split('.').pop()?.toLowerCase();
  return tld && /^[a-z]{2}$/.test(tld) && !GENERIC_CCTLDS.has(tld) ? orderOf(tld) : undefined;
}
