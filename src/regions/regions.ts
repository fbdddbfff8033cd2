/**
 * The one list of regions a partner can serve and an opportunity can sit in.
 * Used by the forms, the API schemas, the CSV import, matching and the README.
 * Slugs are stored in Postgres; labels are what people read ("Serves DACH").
 */
export const REGIONS = [
  { slug: 'north-america', label: 'North America' },
  { slug: 'latin-america', label: 'Latin America' },
  { slug: 'uk-ireland', label: 'UK & Ireland' },
  { slug: 'emea-west', label: 'Western Europe' },
  { slug: 'dach', label: 'DACH (Germany, Austria, Switzerland)' },
  { slug: 'nordics', label: 'Nordics' },
  { slug: 'emea-central', label: 'Central & Eastern Europe' },
  { slug: 'middle-east-africa', label: 'Middle East & Africa' },
  { slug: 'apac', label: 'Asia Pacific' },
  { slug: 'anz', label: 'Australia & New Zealand' },
] as const;

export type RegionSlug = (typeof REGIONS)[number]['slug'];

export const REGION_SLUGS = REGIONS.map((r) => r.slug) as [RegionSlug, ...RegionSlug[]];

const labels = new Map<string, string>(REGIONS.map((r) => [r.slug, r.label]));

/** The label a person reads for a region slug. */
export function regionLabel(slug: string): string {
  return labels.get(slug) ?? slug;
}

/** Accepts a slug or a label, any case ("DACH", "uk-ireland"); undefined when unknown. */
export function parseRegion(text: string): RegionSlug | undefined {
  const wanted = text.trim().toLowerCase();
  const found = REGIONS.find((r) => r.slug === wanted || r.label.toLowerCase() === wanted);
  return found?.slug;
}
