/**
 * How urgent work reaches a partner — "as it comes" (alert), "in a daily summary" or "in my
 * digest" — is theirs to choose on the preferences page, the sign-up form (alert offered
 * pre-selected), the admin API and CSV import. Existing partners and partners created without a
 * choice keep "digest".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPartnersCsv } from '../../src/partners/partner-import.ts';
import { BROWSER, FORM } from '../support/browser-requests.ts';
import { createActivePartner } from '../support/factories.ts';
import { createTestStack, csrfFrom, formBody, type TestStack } from '../support/test-stack.ts';

let t: TestStack;

beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => t?.close());

const urgentDeliveryOf = async (email: string) =>
  (await t.c.db.selectFrom('partners').select('urgentDelivery').where('email', '=', email).executeTakeFirstOrThrow()).urgentDelivery;

const checkedRadio = (html: string) => html.match(/<input type="radio" name="urgentDelivery" value="(\w+)"[^>]*\schecked>/)?.[1];

const prefs = (overrides: Record<string, string | string[] | undefined> = {}) => ({
  digestFrequency: 'weekly',
  digestDay: '1',
  digestHour: '8',
  timezone: 'Europe/Berlin',
  maxItems: '10',
  minScore: '0.2',
  regions: ['dach'],
  skills: ['kubernetes-on-azure'],
  profile: '',
  ...overrides,
});

async function postPrefs(path: string, fields: Record<string, string | string[] | undefined>) {
  const { token, cookie } = csrfFrom(await t.app.inject({ method: 'GET', url: path, headers: BROWSER }));
  return t.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, ...fields }) });
}

describe('the preferences page', () => {
  it('shows the three choices with the partner\'s own checked, and saves a new one', async () => {
    const p = await createActivePartner(t);
    expect(await urgentDeliveryOf(p.email)).toBe('digest');
    const path = new URL(t.c.links.preferences(p.id)).pathname;
    const page = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
    expect(page.body).toContain('Urgent work');
    expect(page.body).toContain('As it comes');
    expect(page.body).toContain('In a daily summary');
    expect(page.body).toContain('In my digest');
    expect(checkedRadio(page.body)).toBe('digest');

    expect((await postPrefs(path, prefs({ urgentDelivery: 'daily' }))).statusCode).toBe(200);
    expect(await urgentDeliveryOf(p.email)).toBe('daily');
    const again = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
    expect(checkedRadio(again.body)).toBe('daily');
    // A form from before the choice existed leaves it as it is.
    expect((await postPrefs(path, prefs())).statusCode).toBe(200);
    expect(await urgentDeliveryOf(p.email)).toBe('daily');
  });

  it('refuses a value that is not one of the choices, and saves nothing', async () => {
    const p = await createActivePartner(t);
    const path = new URL(t.c.links.preferences(p.id)).pathname;
    const res = await postPrefs(path, prefs({ urgentDelivery: 'hourly' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('choose how urgent work reaches you');
    expect(await urgentDeliveryOf(p.email)).toBe('digest');
  });
});

describe('sign-up', () => {
  it('offers "as it comes" pre-selected, and stores what the partner chose', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/join', headers: BROWSER });
    expect(checkedRadio(page.body)).toBe('alert');
    const { token, cookie } = csrfFrom(page);
    const res = await t.app.inject({
      method: 'POST',
      url: '/join',
      remoteAddress: '10.7.0.1',
      headers: { ...FORM, cookie },
      payload: formBody({
        _csrf: token,
        company: 'Fjordsky AS',
        contactName: 'Ingrid Dahl',
        email: 'ingrid@fjordsky.example',
        timezone: 'Europe/Oslo',
        regions: ['nordics'],
        skills: ['intune'],
        consent: 'yes',
        urgentDelivery: 'alert',
      }),
    });
    expect(res.statusCode).toBe(303);
    expect(await urgentDeliveryOf('ingrid@fjordsky.example')).toBe('alert');
  });
});

describe('the admin API and CSV import', () => {
  it('keep "digest" unless told otherwise, and take the choice when given', async () => {
    const plain = await createActivePartner(t);
    expect(await urgentDeliveryOf(plain.email)).toBe('digest');
    const alerted = await createActivePartner(t, { urgentDelivery: 'alert' });
    expect(await urgentDeliveryOf(alerted.email)).toBe('alert');
    const got = await t.app.inject({ method: 'GET', url: `/api/partners/${alerted.id}`, headers: t.adminHeaders });
    expect(got.json()).toMatchObject({ urgentDelivery: 'alert' });
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/partners',
      headers: t.adminHeaders,
      payload: { company: 'Bad GmbH', contactName: 'B', email: 'b@bad.example', regions: ['dach'], skills: ['AKS'], urgentDelivery: 'sometimes' },
    });
    expect(bad.statusCode).toBe(400);

    const csv = [
      'company,contact,email,regions,skills,urgent_delivery',
      'Csv One GmbH,Ann,ann@csv-one.example,dach,AKS,daily',
      'Csv Two GmbH,Ben,ben@csv-two.example,dach,AKS,',
    ].join('\n');
    const report = await importPartnersCsv(csv, t.c.partners);
    expect(report).toMatchObject({ created: 2 });
    expect(await urgentDeliveryOf('ann@csv-one.example')).toBe('daily');
    expect(await urgentDeliveryOf('ben@csv-two.example')).toBe('digest');
  });
});
