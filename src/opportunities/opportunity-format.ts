import { regionLabel } from '../regions/regions.ts';

/** "60,000 – 90,000 EUR", "from 5,000 GBP", "up to 40,000 USD", or null without a budget. */
export function formatBudget(min: number | null, max: number | null, currency: string | null): string | null {
  const n = (v: number) => v.toLocaleString('en');
  const unit = currency ? ` ${currency}` : '';
  if (min !== null && max !== null) return min === max ? `${n(min)}${unit}` : `${n(min)} – ${n(max)}${unit}`;
  if (min !== null) return `from ${n(min)}${unit}`;
  if (max !== null) return `up to ${n(max)}${unit}`;
  return null;
}

/** "DACH (Germany, Austria, Switzerland), Nordics · remote welcome" */
export function formatWhere(regions: string[], remote: boolean): string {
  const places = regions.map(regionLabel).join(', ');
  if (!remote) return places;
  return places ? `${places} · remote welcome` : 'Remote';
}

/** The first `max` characters of a text, cut at a word, with an ellipsis when shortened. */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max * 0.6)).trimEnd()}…`;
}
