import { readdir, readFile } from 'node:fs/promises';
import Encoding from 'encoding-japanese';
import iconv from 'iconv-lite';
import { simpleParser, type ParsedMail } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { findBudget, findStartDate, readStartDate } from '../../src/inbound/understanding/amounts.ts';
import { dateOrderOf } from '../../src/inbound/understanding/date-order.ts';
import { allowsRemoteWork } from '../../src/inbound/understanding/remote-work.ts';
import { cleanSubject, understand } from '../../src/inbound/understanding/understand.ts';
import type { SkillCatalogue } from '../../src/skills/skill-catalogue.ts';
import { fileCatalogue } from '../support/file-catalogue.ts';
import { SAMPLE_EMAILS } from '../support/sample-emails.ts';

const now = new Date('2026-12-02T12:00:00Z');
const CORPUS = new URL('client-replies/', SAMPLE_EMAILS);

let catalogue: SkillCatalogue;
beforeAll(async () => {
  catalogue = await fileCatalogue();
});

/** A raw message from header lines and a body, CRLF as on the wire. */
const raw = (headers: string[], body: string) => Buffer.from([...headers, '', body].join('\r\n'));
const read = async (bytes: Buffer | string): Promise<ParsedMail> => simpleParser(bytes);

const FORWARDED_OUTLOOK = raw(
  [
    'From: Anna Berger <anna@fabrikam.example>',
    'To: opportunities@p2p.example',
    'Subject: FW: [EXT] RE: AKS migration and Intune rollout for a retailer in Munich',
    'Message-ID: <fwd-1@fabrikam.example>',
    'Date: Wed, 02 Dec 2026 09:00:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ],
  [
    'Hi, can one of your partners help with this? Details below.',
    '',
    'Thanks,',
    'Anna',
    '',
    '-----Original Message-----',
    'From: Tom Meyer <tom@contoso.example>',
    'Sent: Tuesday, December 1, 2026 4:12 PM',
    'To: Anna Berger <anna@fabrikam.example>',
    'Subject: AKS migration and Intune rollout for a retailer in Munich',
    '',
    'Our customer, a retailer with 40 stores in Germany, moves its shop platform to Azure',
    'Kubernetes Service and rolls out Intune to 800 devices.',
    'Budget: €40k–60k. We would like to start 2027-01-15, on site in Munich two days a week.',
    '',
    'Best regards,',
    'Tom Meyer',
    'Contoso GmbH | +49 89 1234567',
    '',
    '-----Original Message-----',
    'From: Anna Berger <anna@fabrikam.example>',
    'Sent: Monday, November 30, 2026 10:00 AM',
    'Subject: question',
    '',
    'Do you have anything for us? Budget 1,000,000 USD for Sentinel.',
  ].join('\r\n'),
);

describe('understand', () => {
  it('reads a forwarded Outlook opportunity without its history, headers or signatures', async () => {
    const u = understand(await read(FORWARDED_OUTLOOK), catalogue, { now });
    expect(u.title).toBe('AKS migration and Intune rollout for a retailer in Munich');
    expect(u.description).toContain('Hi, can one of your partners help with this?');
    expect(u.description).toContain('moves its shop platform to Azure\nKubernetes Service');
    expect(u.description).not.toMatch(/Original Message|^From:|^Sent:|Best regards|Contoso GmbH|Sentinel|Thanks,/m);
    expect(u.requiredSkills).toEqual(['kubernetes-on-azure', 'intune']);
    expect(u.regions).toEqual(['dach']);
    expect(u.remote).toBe(false);
    expect(u).toMatchObject({ budgetMin: 40_000, budgetMax: 60_000, currency: 'EUR', startDate: '2027-01-15' });
    expect(u.missing).toEqual([]);
  });

  it('converts an HTML-only mail to text and drops its Gmail quote', async () => {
    const html = [
      '<div dir="ltr"><p>We need a <b>Power BI</b> expert for a bank in <a href="https://track.example/x">Oslo</a>, remote is fine.</p>',
      '<p>Starting 15 January 2027, USD 25,000 – 30,000.</p><img src="https://track.example/pixel.gif">',
      '<div class="gmail_quote"><div class="gmail_attr">On Mon, Nov 30, 2026 at 9:00 AM Jane &lt;jane@x.example&gt; wrote:<br></div>',
      '<blockquote class="gmail_quote">Old question about Sentinel</blockquote></div></div>',
    ].join('');
    const parsed = await read(
      raw(['From: a@b.example', 'Subject: Re: Power BI dashboards', 'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8'], html),
    );
    const u = understand(parsed, catalogue, { now });
    expect(u.title).toBe('Power BI dashboards');
    expect(u.description).toContain('We need a Power BI expert for a bank in Oslo');
    expect(u.description).not.toMatch(/<|track\.example|wrote:|Sentinel/);
    expect(u).toMatchObject({ requiredSkills: ['power-bi'], regions: ['nordics'], remote: true });
    expect(u).toMatchObject({ budgetMin: 25_000, budgetMax: 30_000, currency: 'USD', startDate: '2027-01-15' });

    // A parsed mail with no text at all (not even mailparser's own conversion) is converted here.
    const htmlOnly = understand({ ...parsed, text: undefined }, catalogue, { now });
    expect(htmlOnly.description).toContain('We need a Power BI expert for a bank in Oslo');
    expect(htmlOnly.description).not.toMatch(/track\.example|Sentinel/);
  });

  it('decodes windows-1252', async () => {
    const body = iconv.encode('Café chain in Zürich needs Business Central – budget 40.000 €.\r\n', 'windows-1252');
    const bytes = Buffer.concat([
      raw(['From: a@b.example', 'Subject: =?windows-1252?Q?Gesch=E4ftsfall_f=FCr_Z=FCrich?=', 'Content-Type: text/plain; charset=windows-1252', 'Content-Transfer-Encoding: 8bit'], ''),
      body,
    ]);
    expect(body.includes(0x96)).toBe(true); // the en dash, as Windows writes it
    const u = understand(await read(bytes), catalogue, { now });
    expect(u.title).toBe('Geschäftsfall für Zürich');
    expect(u.description).toBe('Café chain in Zürich needs Business Central – budget 40.000 €.');
    expect(u).toMatchObject({ requiredSkills: ['d365-business-central'], regions: ['dach'], budgetMax: 40_000, currency: 'EUR' });
  });

  it('decodes iso-2022-jp', async () => {
    // iconv-lite has no ISO-2022-JP encoder; encoding-japanese (mailparser's decoder for it) has.
    const jis = (text: string) => Buffer.from(Encoding.convert(Encoding.stringToCode(text), { to: 'JIS', from: 'UNICODE' }));
    const subject = jis('Azure移行案件');
    const body = jis('東京の顧客です。Intune を導入します。\r\n');
    expect(body.includes(0x1b)).toBe(true); // escape sequences: really ISO-2022-JP, not UTF-8
    const bytes = Buffer.concat([
      raw(
        ['From: a@b.example', `Subject: =?ISO-2022-JP?B?${subject.toString('base64')}?=`, 'Content-Type: text/plain; charset=ISO-2022-JP', 'Content-Transfer-Encoding: 7bit'],
        '',
      ),
      body,
    ]);
    const u = understand(await read(bytes), catalogue, { now });
    expect(u.title).toBe('Azure移行案件');
    expect(u.description).toBe('東京の顧客です。Intune を導入します。');
    expect(u.requiredSkills).toEqual(['intune']);
    expect(u.regions).toEqual(['apac']);
  });

  it('decodes ks_c_5601-1987', async () => {
    const body = iconv.encode('서울 고객의 Sentinel 구축 프로젝트입니다.\r\n', 'cp949');
    const bytes = Buffer.concat([
      raw(
        [
          'From: a@b.example',
          `Subject: =?ks_c_5601-1987?B?${iconv.encode('보안 프로젝트', 'cp949').toString('base64')}?=`,
          'Content-Type: text/plain; charset=ks_c_5601-1987',
          'Content-Transfer-Encoding: base64',
        ],
        body.toString('base64'),
      ),
    ]);
    const u = understand(await read(bytes), catalogue, { now });
    expect(u.title).toBe('보안 프로젝트');
    expect(u.description).toBe('서울 고객의 Sentinel 구축 프로젝트입니다.');
    expect(u.requiredSkills).toEqual(['sentinel']);
    expect(u.regions).toEqual(['apac']);
  });

  it('lists attachments by name and never reads them into the description', async () => {
    const bytes = raw(
      ['From: a@b.example', 'Subject: RFP: network refresh', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"'],
      [
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'See the attached RFP for the SD-WAN rollout in Poland, fully remote.',
        '--b1',
        'Content-Type: text/html; name="rfp.html"',
        'Content-Disposition: attachment; filename="rfp.html"',
        '',
        '<script>alert(1)</script><p>SECRET ATTACHMENT TEXT</p>',
        '--b1',
        'Content-Type: application/pdf; name="scope.pdf"',
        'Content-Disposition: attachment; filename="scope.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('%PDF-1.4 not really').toString('base64'),
        '--b1--',
      ].join('\r\n'),
    );
    const u = understand(await read(bytes), catalogue, { now });
    expect(u.attachments).toEqual([
      { filename: 'rfp.html', contentType: 'text/html', size: 54 },
      { filename: 'scope.pdf', contentType: 'application/pdf', size: 19 },
    ]);
    expect(u.description).toBe('See the attached RFP for the SD-WAN rollout in Poland, fully remote.');
    expect(u.description).not.toContain('SECRET');
    expect(u).toMatchObject({ title: 'RFP: network refresh', requiredSkills: ['networking'], regions: ['emea-central'], remote: true });
  });

  it('keeps a Gmail-forwarded message and drops its header block; cuts an Outlook reply at the rule', async () => {
    const gmail = await read(
      raw(
        ['From: a@b.example', 'Subject: Fwd: Sentinel rollout in Latin America', 'Content-Type: text/plain; charset=utf-8'],
        [
          '---------- Forwarded message ---------',
          'From: Customer <c@customer.example>',
          'Date: Mon, Nov 30, 2026 at 9:00 AM',
          'Subject: Sentinel rollout',
          'To: <a@b.example>',
          '',
          'We need Azure Sentinel in Brazil and Mexico, start 1 March 2027.',
          '',
          'On Sun, Nov 29, 2026 at 8:00 AM Someone <s@x.example>',
          'wrote:',
          '> older',
        ].join('\r\n'),
      ),
    );
    const g = understand(gmail, catalogue, { now });
    expect(g.description).toBe('We need Azure Sentinel in Brazil and Mexico, start 1 March 2027.');
    expect(g).toMatchObject({ requiredSkills: ['sentinel'], regions: ['latin-america'], startDate: '2027-03-01' });

    const outlook = await read(
      raw(
        ['From: a@b.example', 'Subject: RE: Intune help', 'Content-Type: text/plain; charset=utf-8'],
        ['Yes, Intune for 300 devices in Dublin.', '', '________________________________', 'From: Bob <bob@x.example>', 'Sent: Monday', 'Subject: Intune help', '', 'Can you help with MDM?'].join('\r\n'),
      ),
    );
    const o = understand(outlook, catalogue, { now });
    expect(o.description).toBe('Yes, Intune for 300 devices in Dublin.');
    expect(o).toMatchObject({ title: 'Intune help', requiredSkills: ['intune'], regions: ['uk-ireland'] });
  });

  it('names what a person must supply', async () => {
    const u = understand(await read(raw(['From: a@b.example', 'Subject: Re: Fwd:  '], 'Hi!\r\n\r\nSent from my iPhone')), catalogue, { now });
    expect(u.title).toBe('');
    expect(u.description).toBe('Hi!');
    expect(u.missing).toEqual(['title', 'description', 'requiredSkills', 'regions']);
  });

  it('gives each client-replies sample a title and a description without the quoted part', async () => {
    const files = (await readdir(CORPUS)).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const u = understand(await read(await readFile(new URL(file, CORPUS))), catalogue, { now });
      expect(u.title, file).toMatch(/\S/);
      expect(u.title, file).not.toMatch(/^(re|fwd?):/i);
      expect(u.description, file).not.toMatch(/^\s*>/m);
      expect(u.description, file).not.toMatch(/wrote:|написал/);
      expect(u.description.length, file).toBeLessThan(600);
    }
  });
});

describe('cleanSubject', () => {
  it.each([
    ['RE: FW: [EXT] Azure landing zone', 'Azure landing zone'],
    ['WG: AW: Projekt', 'Projekt'],
    ['SV: (EXTERNAL) [External] Fwd: re: Help', 'Help'],
    ['Re[2]: Help', 'Help'],
    ['Renewal of licences', 'Renewal of licences'],
    ['EXTERNAL: Business Central rollout', 'Business Central rollout'],
    ['RE: EXT: Sentinel rollout', 'Sentinel rollout'],
    ['External audit: scope', 'External audit: scope'],
    // Italian, Spanish, Portuguese and Polish clients' prefixes, and more gateway tags.
    ['R: I: Migrazione a Azure', 'Migrazione a Azure'],
    ['[EXTERNO] RV: Implantación de Business Central', 'Implantación de Business Central'],
    ['RES: ENC: Projeto de Intune', 'Projeto de Intune'],
    ['Odp: PD: Wdrożenie Sentinel', 'Wdrożenie Sentinel'],
    ['[EXTERNAL EMAIL] Fabric partner wanted', 'Fabric partner wanted'],
    ['Rates and reach', 'Rates and reach'],
    ['Intune: 300 devices', 'Intune: 300 devices'],
  ])('%s → %s', (subject, title) => expect(cleanSubject(subject)).toBe(title));

  it('keeps at most 200 characters', () => expect(cleanSubject('x'.repeat(300))).toHaveLength(200));
});

describe('budgets and start dates', () => {
  it.each([
    // One figure is the budget itself; written as a bound, it is only that bound.
    ['budget 40,000 EUR', { budgetMin: 40_000, budgetMax: 40_000, currency: 'EUR' }],
    ['a budget of up to €80k', { budgetMax: 80_000, currency: 'EUR' }],
    ['from USD 50,000', { budgetMin: 50_000, currency: 'USD' }],
    // Rates are not budgets.
    ['£650/day for 40 days', {}],
    ['up to €1,100 per day', {}],
    ['TJM 750 € HT', {}],
    ['Tagessatz bis 1.100 EUR', {}],
    ['Day rate £650; overall budget £80k', { budgetMin: 80_000, budgetMax: 80_000, currency: 'GBP' }],
    ['€40k–60k', { budgetMin: 40_000, budgetMax: 60_000, currency: 'EUR' }],
    ['USD 25,000 – 30,000', { budgetMin: 25_000, budgetMax: 30_000, currency: 'USD' }],
    ['between £10,000 and £12,500', { budgetMin: 10_000, budgetMax: 12_500, currency: 'GBP' }],
    ['40.000 - 60.000 CHF', { budgetMin: 40_000, budgetMax: 60_000, currency: 'CHF' }],
    ['about 40 people, 3 sites', {}],
    // Thousands and millions as people write them, with US and EU separators (issue 11).
    ['Budget: 1,5 Mio. €', { budgetMin: 1_500_000, budgetMax: 1_500_000, currency: 'EUR' }],
    ['Budget 1.2 Mio EUR', { budgetMin: 1_200_000, budgetMax: 1_200_000, currency: 'EUR' }],
    ['Budget: USD 1.2m (fixed fee)', { budgetMin: 1_200_000, budgetMax: 1_200_000, currency: 'USD' }],
    ['budget $1.2M', { budgetMin: 1_200_000, budgetMax: 1_200_000, currency: 'USD' }],
    ['budget $1.2MM', { budgetMin: 1_200_000, budgetMax: 1_200_000, currency: 'USD' }],
    ['budget of GBP 3 mn', { budgetMin: 3_000_000, budgetMax: 3_000_000, currency: 'GBP' }],
    ['Budget: 2 Millionen Euro', { budgetMin: 2_000_000, budgetMax: 2_000_000, currency: 'EUR' }],
    ['a budget of 1.5 million dollars', { budgetMin: 1_500_000, budgetMax: 1_500_000, currency: 'USD' }],
    ["Budget : 1,5 millions d'euros", { budgetMin: 1_500_000, budgetMax: 1_500_000, currency: 'EUR' }],
    ['Presupuesto: 1,5 millones EUR', { budgetMin: 1_500_000, budgetMax: 1_500_000, currency: 'EUR' }],
    ['Budget: 2 miljoen euro', { budgetMin: 2_000_000, budgetMax: 2_000_000, currency: 'EUR' }],
    ['Budget: 40 Tsd. €', { budgetMin: 40_000, budgetMax: 40_000, currency: 'EUR' }],
    ['budget 250 thousand USD', { budgetMin: 250_000, budgetMax: 250_000, currency: 'USD' }],
    ['budget $1,200,000.00', { budgetMin: 1_200_000, budgetMax: 1_200_000, currency: 'USD' }],
    ['Budget: 1.200.000,00 €', { budgetMin: 1_200_000, budgetMax: 1_200_000, currency: 'EUR' }],
    ['up to €1.1m', { budgetMax: 1_100_000, currency: 'EUR' }],
    // Ranges written "between … and …" in other languages, and Italian millions.
    ['Presupuesto entre 90.000 y 120.000 €', { budgetMin: 90_000, budgetMax: 120_000, currency: 'EUR' }],
    ['Budget entre 90 000 et 120 000 EUR', { budgetMin: 90_000, budgetMax: 120_000, currency: 'EUR' }],
    ['Budget zwischen 90.000 und 120.000 EUR', { budgetMin: 90_000, budgetMax: 120_000, currency: 'EUR' }],
    ['Budget tussen 90.000 en 120.000 euro', { budgetMin: 90_000, budgetMax: 120_000, currency: 'EUR' }],
    ['Budget tra 90.000 e 120.000 euro', { budgetMin: 90_000, budgetMax: 120_000, currency: 'EUR' }],
    ['Presupuesto de 90.000 a 120.000 €', { budgetMin: 90_000, budgetMax: 120_000, currency: 'EUR' }],
    ['Budget: 2,4 milioni di euro', { budgetMin: 2_400_000, budgetMax: 2_400_000, currency: 'EUR' }],
    ['Presupuesto: 3 millones de euros', { budgetMin: 3_000_000, budgetMax: 3_000_000, currency: 'EUR' }],
    ['Budget: QAR 4.5M', { budgetMin: 4_500_000, budgetMax: 4_500_000, currency: 'QAR' }],
    // Two amounts a hundredfold apart are no range: the first is the budget.
    ['Budget €200k and 3 developers', { budgetMin: 200_000, budgetMax: 200_000, currency: 'EUR' }],
    // "p/d" is per day: a rate.
    ['£680 p/d, 60 days', {}],
    ['rate €900 p/h', {}],
  ])('%s', (text, budget) => expect(findBudget(text)).toEqual(budget));

  it('reads a budget from an HTML table row (label cell, amount cell)', async () => {
    const html = '<table><tr><th>Item</th><th>Details</th></tr><tr><td>Scope</td><td>Migrate 200 VMs to Azure</td></tr><tr><td>Budget</td><td>USD 1.2m (fixed fee)</td></tr><tr><td>Start</td><td>03/15/2027</td></tr></table>';
    const mail = await read(raw(['From: T <t@lonestar.example>', 'To: opportunities@p2p.example', 'Subject: Azure migration partner', 'Content-Type: text/html; charset=utf-8'], html));
    const u = understand(mail, catalogue, { now });
    expect(u).toMatchObject({ budgetMin: 1_200_000, budgetMax: 1_200_000, currency: 'USD', startDate: '2027-03-15' });
    expect(u.description).toMatch(/^Budget\s+USD 1\.2m \(fixed fee\)$/m);
  });

  it.each([
    ['start 2027-01-15', '2027-01-15'],
    ['starting 15 January 2027', '2027-01-15'],
    ['kick-off on March 3rd, 2027', '2027-03-03'],
    ['from 3 Feb', '2027-02-03'],
    ['deadline 2027-01-10', undefined],
    ['start 2027-02-30', undefined],
    // Other languages' start words and month names.
    ['Projektstart: 1. März 2027', '2027-03-01'],
    ['Démarrage : 15 mars 2027', '2027-03-15'],
    ['Début le 1er février 2027', '2027-02-01'],
    ['Inicio: 1 de febrero de 2027', '2027-02-01'],
    ['Start 1 februari 2027', '2027-02-01'],
    ['Aanvang 15 maart 2027', '2027-03-15'],
    // Numeric dates: dots are day first; slashes by their digits, else day first.
    ['Start: 01.02.2027', '2027-02-01'],
    ['Start 15/03/2027', '2027-03-15'],
    ['Start 03/15/2027', '2027-03-15'],
    ['We would like to start on 04/05/2027', '2027-05-04'],
    // German compound start words, Italian, ordinals with "of", and mobilisation.
    ['Projektbeginn ab 1. April 2027', '2027-04-01'],
    ['Einsatzbeginn: 15.04.2027', '2027-04-15'],
    ['Inizio lavori: 12 aprile 2027', '2027-04-12'],
    ['Project start | 2nd of February 2027', '2027-02-02'],
    ['Team mobilised on Wednesday 3 March 2027', '2027-03-03'],
    // A reply deadline is no start.
    ['Answers by 10 January from interested partners, please.', undefined],
  ])('%s', (text, date) => expect(findStartDate(text, now)).toBe(date));

  it('reads a start written relative to the mail\'s date when it names a day (weeks start on Monday)', () => {
    const wednesday = new Date('2026-11-18T09:00:00Z');
    expect(findStartDate('We start on Monday next week.', wednesday)).toBe('2026-11-23');
    expect(findStartDate('Kick-off next week', wednesday)).toBeUndefined();
    expect(findStartDate('Start next Tuesday', wednesday)).toBe('2026-11-24');
    expect(findStartDate('Start next Wednesday', wednesday)).toBe('2026-11-25');
    expect(findStartDate('Starting in two weeks', wednesday)).toBeUndefined();
    expect(findStartDate('Projektstart nächsten Montag', wednesday)).toBe('2026-11-23');
    expect(findStartDate('Wir starten am Montag nächste Woche', wednesday)).toBe('2026-11-23');
    expect(findStartDate('Answers by next week please', wednesday)).toBeUndefined();
  });

  it('reads an undecided numeric date month first when the sender writes the US way', () => {
    expect(findStartDate('We would like to start on 04/05/2027', now, { monthFirst: true })).toBe('2027-04-05');
    expect(findStartDate('Start 15/03/2027', now, { monthFirst: true })).toBe('2027-03-15');
  });

  it('marks a numeric date that reads two ways, when nothing told the sender\'s way', () => {
    expect(readStartDate('We would like to start on 04/05/2027', now)).toEqual({ date: '2027-05-04', ambiguous: { written: '04/05/2027', other: '2027-04-05' } });
    expect(readStartDate('We would like to start on 04/05/2027', now, { order: 'day-first' })).toEqual({ date: '2027-05-04' });
    expect(readStartDate('We would like to start on 04/05/2027', now, { order: 'month-first' })).toEqual({ date: '2027-04-05' });
    // The digits decide, both readings are one day, or dots (always day first): nothing to ask.
    expect(readStartDate('Start 15/03/2027', now)).toEqual({ date: '2027-03-15' });
    expect(readStartDate('Start 05/05/2027', now)).toEqual({ date: '2027-05-05' });
    expect(readStartDate('Start 04.05.2027', now)).toEqual({ date: '2027-05-04' });
  });

  it.each([
    [{ regions: ['north-america'] as const }, 'month-first'],
    [{ regions: ['anz'] as const }, 'day-first'],
    [{ regions: ['north-america', 'uk-ireland'] as const }, undefined],
    [{ regions: [] as const, contentLanguage: 'en-US' }, 'month-first'],
    [{ regions: [] as const, contentLanguage: 'de-DE, en' }, 'day-first'],
    [{ regions: [] as const, contentLanguage: 'en' }, undefined],
    [{ regions: [] as const, senderAddress: 'tom@contoso.co.uk' }, 'day-first'],
    [{ regions: [] as const, senderAddress: 'tom@city.us' }, 'month-first'],
    [{ regions: [] as const, senderAddress: 'tom@startup.io' }, undefined],
    [{ regions: [] as const, senderAddress: 'tom@contoso.com' }, undefined],
  ])('the sender\'s date order from %j: %s', (signals, order) => expect(dateOrderOf({ ...signals, regions: [...signals.regions] })).toBe(order));
});

describe('remote work', () => {
  it.each([
    ['Fully remote, kick-off in Leeds.', true],
    ['Remote is fine for most of it.', true],
    ['Télétravail possible à 100 %.', true],
    ['No remote work is possible: the client is in a secure site.', false],
    ['Remote: not possible.', false],
    ['Pas de télétravail, mission sur site à Lyon.', false],
    ['Trabajo remoto: no', false],
    ['Volledig remote werken is helaas niet mogelijk.', false],
    ['Hybrid, 2 days on site in Munich every week; remote otherwise.', false],
    ['On-site only in Vienna.', false],
    ['They run Windows Remote Desktop Services today.', false],
    ['Nothing said about where.', false],
    // A "no" elsewhere in the sentence says nothing about remote work.
    ['Fully remote, Danish not required.', true],
    ['Remote OK, occasional visits to Sheffield welcome but not required.', true],
    ['La mission peut se faire à 100 % à distance.', true],
    ["On-site in Vienna, the customer won't do remote.", false],
  ])('%s → %s', (text, remote) => expect(allowsRemoteWork(text)).toBe(remote));
});
