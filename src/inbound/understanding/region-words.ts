import type { RegionSlug } from '../../regions/regions.ts';

/**
 * Words for places people write in an email ("client in Norway", "DACH", "Nordics") that are not
 * in the city data (city-places.ts reads the world's cities from GeoNames): countries in the
 * languages we read, groups of countries, a few US states, and the names of big cities the data
 * writes another way ("München" and "Munich", "Frankfurt" for Frankfurt am Main, "New York" for
 * New York City). Region labels and slugs themselves are recognised through regions.ts.
 */
export const REGION_WORDS: Record<RegionSlug, readonly string[]> = {
  'north-america': ['USA', 'U.S.', 'United States', 'America', 'Canada', 'New York', 'Texas', 'California'],
  'latin-america': ['LATAM', 'Mexico', 'México', 'Brazil', 'Brasil', 'Argentina', 'Chile', 'Colombia', 'Peru', 'Perú', 'CDMX'],
  'uk-ireland': ['UK', 'United Kingdom', 'Great Britain', 'England', 'Scotland', 'Wales', 'Ireland'],
  'emea-west': ['France', 'Belgium', 'Belgique', 'België', 'Netherlands', 'Nederland', 'Luxembourg', 'Spain', 'España', 'Portugal', 'Italy', 'Benelux'],
  dach: ['DACH', 'Germany', 'Deutschland', 'Austria', 'Österreich', 'Switzerland', 'Schweiz', 'Suisse', 'München', 'Frankfurt', 'Cologne', 'Köln', 'Wien', 'Geneva', 'Genf'],
  nordics: ['Nordic', 'Scandinavia', 'Sweden', 'Norway', 'Denmark', 'Finland', 'Iceland', 'Gothenburg'],
  'emea-central': ['CEE', 'Eastern Europe', 'Poland', 'Czech Republic', 'Czechia', 'Slovakia', 'Hungary', 'Romania', 'Bulgaria', 'Croatia', 'Slovenia', 'Serbia', 'Ukraine', 'Estonia', 'Latvia', 'Lithuania'],
  'middle-east-africa': ['MEA', 'Middle East', 'Africa', 'UAE', 'United Arab Emirates', 'Saudi Arabia', 'Qatar', 'Israel', 'Turkey', 'Egypt', 'South Africa', 'Nigeria', 'Kenya', 'Morocco'],
  apac: ['APAC', 'Asia', 'Japan', 'China', 'India', 'Singapore', 'Hong Kong', 'Korea', 'South Korea', 'Taiwan', 'Malaysia', 'Indonesia', 'Thailand', 'Vietnam', 'Philippines', 'Bangalore', '日本', '東京', '대한민국', '한국', '서울'],
  anz: ['ANZ', 'Australia', 'New Zealand'],
};
