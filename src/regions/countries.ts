import type { RegionSlug } from './regions.ts';

/**
 * Which region each country sits in, by ISO 3166-1 alpha-2 code: the one table that places a
 * city from the city data (which knows only its country) in a region. A country not listed here
 * places nothing, so a city there is simply not read as a region.
 */
const COUNTRIES_BY_REGION: Record<RegionSlug, readonly string[]> = {
  'north-america': ['US', 'CA'],
  'latin-america': ['MX', 'GT', 'BZ', 'SV', 'HN', 'NI', 'CR', 'PA', 'CU', 'DO', 'HT', 'PR', 'JM', 'TT', 'BS', 'BB', 'CO', 'VE', 'EC', 'PE', 'BO', 'BR', 'PY', 'UY', 'AR', 'CL', 'GY', 'SR'],
  'uk-ireland': ['GB', 'IE', 'IM', 'JE', 'GG'],
  'emea-west': ['FR', 'BE', 'NL', 'LU', 'ES', 'PT', 'IT', 'MC', 'AD', 'MT', 'SM', 'VA', 'GR', 'CY'],
  dach: ['DE', 'AT', 'CH', 'LI'],
  nordics: ['SE', 'NO', 'DK', 'FI', 'IS', 'FO', 'GL'],
  'emea-central': ['PL', 'CZ', 'SK', 'HU', 'RO', 'BG', 'HR', 'SI', 'RS', 'BA', 'ME', 'MK', 'AL', 'XK', 'MD', 'UA', 'BY', 'RU', 'EE', 'LV', 'LT', 'GE', 'AM', 'AZ', 'KZ', 'UZ', 'KG', 'TJ', 'TM'],
  'middle-east-africa': [
    'AE', 'SA', 'QA', 'BH', 'KW', 'OM', 'YE', 'IL', 'PS', 'JO', 'LB', 'SY', 'IQ', 'IR', 'TR',
    'EG', 'LY', 'TN', 'DZ', 'MA', 'EH', 'MR', 'ML', 'NE', 'TD', 'SD', 'SS', 'ER', 'DJ', 'ET', 'SO', 'KE', 'UG', 'RW', 'BI', 'TZ',
    'SN', 'GM', 'GW', 'GN', 'SL', 'LR', 'CI', 'GH', 'TG', 'BJ', 'NG', 'BF', 'CV', 'CM', 'CF', 'GQ', 'GA', 'CG', 'CD', 'AO', 'ST',
    'ZM', 'ZW', 'MW', 'MZ', 'MG', 'MU', 'SC', 'KM', 'RE', 'YT', 'NA', 'BW', 'ZA', 'LS', 'SZ',
  ],
  apac: ['JP', 'CN', 'HK', 'MO', 'TW', 'KR', 'KP', 'MN', 'IN', 'PK', 'BD', 'LK', 'NP', 'BT', 'MV', 'AF', 'SG', 'MY', 'ID', 'TH', 'VN', 'PH', 'MM', 'KH', 'LA', 'BN', 'TL'],
  anz: ['AU', 'NZ', 'FJ', 'PG', 'NC', 'PF', 'WS', 'TO', 'VU', 'SB'],
};

const REGION_OF_COUNTRY = new Map<string, RegionSlug>(
  (Object.entries(COUNTRIES_BY_REGION) as Array<[RegionSlug, readonly string[]]>).flatMap(([region, codes]) => codes.map((code) => [code, region] as const)),
);

/** The region a country (ISO 3166-1 alpha-2, any case) sits in; undefined for one we place nowhere. */
export function regionOfCountry(code: string): RegionSlug | undefined {
  return REGION_OF_COUNTRY.get(code.toUpperCase());
}
