import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, tamper, type TestStack } from '../support/test-stack.ts';
import { BROWSER, FORM, partnerPagePaths } from '../support/browser-requests.ts';
import { createActivePartner } from '../support/factories.ts';
import { stackQueries } from '../support/stack-queries.ts';

let t: TestStack;

let seq = 0;

const activePartner = (email?: string) => createActivePartner(t, { email });
const { unsubscribePath } = partnerPagePaths(() => t);
const { suppression, rematches } = stackQueries(() => t);

const partner = (id: string) =>
  t.c.db.selectFrom('partners').select(['status', 'digestFrequency', 'updatedAt']).where('id', '=', id).executeTakeFirstOrThrow();

/** A button's form (no fields) submitted: no cookies, no CSRF token. */
const press = (path: string) => t.app.inject({ method: 'POST', url: path, headers: FORM, payload: '' });

/** The actions of the page's forms, in order. */
const formActions = (html: string) => [...html.matchAll(/<form method="post" action="([^"]*)">/g)].map((m) => m[1]);

beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t?.close();
});

describe('the /u/<token> page', () => {
  it("offers a partner Unsubscribe, 'less often' and 'pause', each its own POST form", async () => {
    const p = await activePartner();
    const path = unsubscribePath(p.email);
    const res = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
    expect(res.statusCode).toBe(200);
    expect(formActions(res.body)).toEqual([path, `${path}/less-often`, `${path}/pause`]);
    expect(res.body).toContain('Unsubscribe</button>');
    expect(res.body).toContain('Send it less often (monthly)</button>');
    expect(res.body).toContain('Pause the digest</button>');
    expect(res.body).not.toContain('_csrf');
    // Looking changes nothing.
    expect(await partner(p.id)).toMatchObject({ status: 'active', digestFrequency: 'weekly' });
  });

  it('finds the partner whatever the case of its stored address', async () => {
    const p = await activePartner(`Mixed.Case.${++seq}@Kubeworks.example`);
    const res = await t.app.inject({ method: 'GET', url: unsubscribePath(p.email), headers: BROWSER });
    expect(formActions(res.body)).toHaveLength(3);
  });

  it('for an address no partner has, shows only the Unsubscribe button', async () => {
    const path = unsubscribePath('someone.else@alpenwolke.example');
    const res = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
    expect(res.statusCode).toBe(200);
    expect(formActions(res.body)).toEqual([path]);
    expect(res.body).toContain('Unsubscribe</button>');
    expect(res.body).not.toContain('less often');
    expect(res.body).not.toContain('Pause');
  });

  it('for a partner who already unsubscribed, offers no alternative and asks nothing again', async () => {
    const p = await activePartner();
    const path = unsubscribePath(p.email);
    expect((await press(path)).statusCode).toBe(200);
    const res = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
    expect(formActions(res.body)).toEqual([]);
    expect(res.body).toContain('You are already unsubscribed');
  });
});

describe('POST /u/<token>/less-often', () => {
  it('sets a monthly digest, keeps the partner active and the address not suppressed, and links to the settings', async () => {
    const p = await activePartner();
    const res = await press(`${unsubscribePath(p.email)}/less-often`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('one digest a month');
    expect(await partner(p.id)).toMatchObject({ status: 'active', digestFrequency: 'monthly' });
    expect(await suppression(p.email)).toBeUndefined();

    // The link opens this partner's preferences page.
    const link = res.body.match(/<a href="(http:\/\/p2p\.test\/p\/[^"]+)">/)?.[1];
    expect(link).toBeDefined();
    const token = new URL(link!).pathname.slice('/p/'.length);
    expect(t.c.signer.verify(token, 'preferences')).toMatchObject({ ok: true, claims: { subject: p.id } });
    const settings = await t.app.inject({ method: 'GET', url: new URL(link!).pathname, headers: BROWSER });
    expect(settings.statusCode).toBe(200);
    expect(settings.body).toMatch(/<option value="monthly" selected>/);
  });

  it('works for an address stored in another case', async () => {
    const p = await activePartner(`Upper.${++seq}@KUBEWORKS.example`);
    expect((await press(`${unsubscribePath(p.email)}/less-often`)).statusCode).toBe(200);
    expect(await partner(p.id)).toMatchObject({ status: 'active', digestFrequency: 'monthly' });
  });

  it('switches a paused partner on again, monthly, and has them matched again', async () => {
    const p = await activePartner();
    await t.c.db.updateTable('partners').set({ status: 'paused' }).where('id', '=', p.id).execute();
    const events = await rematches(p.id);
    expect((await press(`${unsubscribePath(p.email)}/less-often`)).statusCode).toBe(200);
    expect(await partner(p.id)).toMatchObject({ status: 'active', digestFrequency: 'monthly' });
    expect(await rematches(p.id)).toBe(events + 1);
  });

  it('an active partner needs no new matching', async () => {
    const p = await activePartner();
    const events = await rematches(p.id);
    expect((await press(`${unsubscribePath(p.email)}/less-often`)).statusCode).toBe(200);
    expect((await press(`${unsubscribePath(p.email)}/pause`)).statusCode).toBe(200);
    expect(await rematches(p.id)).toBe(events);
  });

  it('changes nothing for an unsubscribed partner', async () => {
    const p = await activePartner();
    const path = unsubscribePath(p.email);
    expect((await press(path)).statusCode).toBe(200);
    const before = await partner(p.id);
    const res = await press(`${path}/less-often`);
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Nothing was changed');
    expect(await partner(p.id)).toEqual(before);
    expect(before.status).toBe('unsubscribed');
  });

  it('for an address no partner has, changes nothing', async () => {
    const other = await activePartner();
    const before = await partner(other.id);
    const res = await press(`${unsubscribePath('nobody@alpenwolke.example')}/less-often`);
    expect(res.statusCode).toBe(404);
    expect(await partner(other.id)).toEqual(before);
    expect(await suppression('nobody@alpenwolke.example')).toBeUndefined();
  });

  it('a bad token changes nothing', async () => {
    const p = await activePartner();
    const token = unsubscribePath(p.email).slice('/u/'.length);
    const before = await partner(p.id);
    for (const bad of [tamper(token), t.c.signer.sign('preferences', p.email, 3600), t.c.signer.sign('unsubscribe', p.email, -60), 'nope']) {
      for (const action of ['less-often', 'pause']) {
        const res = await press(`/u/${bad}/${action}`);
        expect(res.statusCode).toBe(400);
        expect(res.body).toContain('This link does not work');
      }
    }
    expect(await partner(p.id)).toEqual(before);
  });

  it('GET on the alternative paths does nothing', async () => {
    const p = await activePartner();
    const before = await partner(p.id);
    for (const action of ['less-often', 'pause']) {
      const res = await t.app.inject({ method: 'GET', url: `${unsubscribePath(p.email)}/${action}`, headers: BROWSER });
      expect(res.statusCode).toBe(404);
    }
    expect(await partner(p.id)).toEqual(before);
  });
});

describe('POST /u/<token>/pause', () => {
  it('sets digest_frequency paused, keeps the partner active and not suppressed, and links to the settings', async () => {
    const p = await activePartner();
    const res = await press(`${unsubscribePath(p.email)}/pause`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Your digest is paused');
    expect(res.body).toMatch(/<a href="http:\/\/p2p\.test\/p\/[^"]+">/);
    expect(await partner(p.id)).toMatchObject({ status: 'active', digestFrequency: 'paused' });
    expect(await suppression(p.email)).toBeUndefined();
  });

  it('pausing twice is harmless', async () => {
    const p = await activePartner();
    expect((await press(`${unsubscribePath(p.email)}/pause`)).statusCode).toBe(200);
    expect((await press(`${unsubscribePath(p.email)}/pause`)).statusCode).toBe(200);
    expect(await partner(p.id)).toMatchObject({ status: 'active', digestFrequency: 'paused' });
  });
});

describe('the one-click unsubscribe next to the alternatives', () => {
  it('still suppresses the address and unsubscribes the partner', async () => {
    const p = await activePartner();
    const res = await t.app.inject({
      method: 'POST',
      url: unsubscribePath(p.email),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('You are unsubscribed');
    expect(await suppression(p.email)).toMatchObject({ reason: 'unsubscribe' });
    expect((await partner(p.id)).status).toBe('unsubscribed');
  });

  it('after choosing less often, unsubscribing still works', async () => {
    const p = await activePartner();
    const path = unsubscribePath(p.email);
    expect((await press(`${path}/less-often`)).statusCode).toBe(200);
    expect((await press(path)).statusCode).toBe(200);
    expect((await partner(p.id)).status).toBe('unsubscribed');
    expect(await suppression(p.email)).toMatchObject({ reason: 'unsubscribe' });
  });
});
