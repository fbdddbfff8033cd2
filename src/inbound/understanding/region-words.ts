import type { RegionSlug } from '../../regions/regions.ts';

/**
 * Countries and large cities people write in an email ("in Munich", "client in Norway"), by the
 * region they sit in. Region labels and slugs themselves are recognised through regions.ts; this
 * list only adds the plain words, so it stays a list of places, not of rules.
 */
export const REGION_WORDS: Record<RegionSlug, readonly string[]> = {
  'north-america': ['USA', 'U.S.', 'United States', 'America', 'Canada', 'New York', 'Chicago', 'Seattle', 'San Francisco', 'Los Angeles', 'Boston', 'Toronto', 'Vancouver', 'Montreal', 'Texas', 'California'],
  'latin-america': ['LATAM', 'Mexico', 'Brazil', 'Argentina', 'Chile', 'Colombia', 'Peru', 'São Paulo', 'Sao Paulo', 'Buenos Aires', 'Mexico City', 'Bogotá', 'Bogota'],
  'uk-ireland': ['UK', 'United Kingdom', 'Great Britain', 'England', 'Scotland', 'Wales', 'Ireland', 'London', 'Manchester', 'Birmingham', 'Edinburgh', 'Glasgow', 'Dublin', 'Belfast'],
  'emea-west': ['France', 'Belgium', 'Netherlands', 'Luxembourg', 'Spain', 'Portugal', 'Italy', 'Benelux', 'Paris', 'Lyon', 'Brussels', 'Amsterdam', 'Rotterdam', 'Madrid', 'Barcelona', 'Lisbon', 'Milan', 'Rome'],
  dach: ['DACH', 'Germany', 'Deutschland', 'Austria', 'Österreich', 'Switzerland', 'Schweiz', 'Suisse', 'Berlin', 'Munich', 'München', 'Hamburg', 'Frankfurt', 'Cologne', 'Köln', 'Stuttgart', 'Düsseldorf', 'Vienna', 'Wien', 'Zurich', 'Zürich', 'Geneva', 'Basel', 'Bern'],
  nordics: ['Nordic', 'Scandinavia', 'Sweden', 'Norway', 'Denmark', 'Finland', 'Iceland', 'Stockholm', 'Oslo', 'Copenhagen', 'Helsinki', 'Gothenburg', 'Reykjavik'],
  'emea-central': ['CEE', 'Eastern Europe', 'Poland', 'Czech Republic', 'Czechia', 'Slovakia', 'Hungary', 'Romania', 'Bulgaria', 'Croatia', 'Slovenia', 'Serbia', 'Ukraine', 'Estonia', 'Latvia', 'Lithuania', 'Warsaw', 'Krakow', 'Kraków', 'Prague', 'Budapest', 'Bucharest', 'Sofia'],
  'middle-east-africa': ['MEA', 'Middle East', 'Africa', 'UAE', 'United Arab Emirates', 'Saudi Arabia', 'Qatar', 'Israel', 'Turkey', 'Egypt', 'South Africa', 'Nigeria', 'Kenya', 'Morocco', 'Dubai', 'Abu Dhabi', 'Riyadh', 'Doha', 'Tel Aviv', 'Istanbul', 'Cairo', 'Johannesburg', 'Cape Town', 'Lagos', 'Nairobi'],
  apac: ['APAC', 'Asia', 'Japan', 'China', 'India', 'Singapore', 'Hong Kong', 'Korea', 'South Korea', 'Taiwan', 'Malaysia', 'Indonesia', 'Thailand', 'Vietnam', 'Philippines', 'Tokyo', 'Osaka', 'Shanghai', 'Beijing', 'Seoul', 'Bangalore', 'Bengaluru', 'Mumbai', 'Delhi', 'Kuala Lumpur', 'Jakarta', 'Bangkok', 'Manila', '日本', '東京', '대한민국', '한국', '서울'],
  anz: ['ANZ', 'Australia', 'New Zealand', 'Sydney', 'Melbourne', 'Brisbane', 'Perth', 'Adelaide', 'Auckland', 'Wellington'],
};
