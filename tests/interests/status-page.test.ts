import { formatDay } from '../../src/platform/text/dates.ts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockUnpublished } from '../../src/platform/outbox/outbox.repository.ts';
import { BROWSER, FORM } from '../support/browser-requests.ts';
import { addInterest, addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { createTestStack, csrfFrom, formBody, type TestStack } from '../support/test-stack.ts';

// The submitter's status page /o/…: two steps to close or withdraw, undo within the grace period
// (UNDO_GRACE_MINUTES, 10 here: the default), texts that follow the state, the success message
// after "Introduce us", and the timeline. No background workers: the outbox is read directly.
let t: TestStack;
let kube: string;
let entra: string;
let ops: string;

beforeAll(async () => {
  t = await createTestStack({ UNDO_GRACE_MINUTES: '10' });
  kube = await addPartner(t, 'kube', ['AKS']);
  entra = await addPartner(t, 'entra', ['Entra ID'], { regions: ['dach', 'nordics'] });
  ops = await addPartner(t, 'ops', ['AKS', 'Entra ID']);
});
afterAll(async () => {
  await t?.close();
});

let seq = 0;
async function opportunity() {
  const n = ++seq;
  const title = `Identity and AKS rollout ${n}`;
  const id = await addOpportunity(t, title, ['AKS', 'Entra ID'], {
    submitter: { name: `Sam Submitter ${n}`, company: `Submitter ${n} GmbH`, email: `sam.${n}@submitter.example` },
  });
  const row = await t.c.db.selectFrom('opportunities').select('expiresAt').where('id', '=', id).executeTakeFirstOrThrow();
  return { id, title, statusPath: new URL(t.c.links.opportunityStatus(id, row.expiresAt)).pathname };
}

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: BROWSER });

/** A form's POST with the CSRF token and cookie of the page at `pageUrl`. */
async function post(pageUrl: string, url: string, fields: Record<string, string | string[]> = {}) {
  const { token, cookie } = csrfFrom(await get(pageUrl));
  return t.app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, ...fields }) });
}

/** Both steps: the status page's button leads to the confirmation page, whose button ends it. */
async function endByBothSteps(statusPath: string, as: 'closed' | 'withdrawn') {
  const res = await post(`${statusPath}/end?as=${as}`, `${statusPath}/end`, { end: as });
  expect(res.statusCode).toBe(303);
  return res;
}

const dbRow = (id: string) => t.c.db.selectFrom('opportunities').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

const notPickedEvents = (opportunityId: string) =>
  t.c.db
    .selectFrom('outbox')
    .select(['id', 'notBefore', 'publishedAt', 'dedupeKey'])
    .where('dedupeKey', 'like', `mail:not-picked:${opportunityId}:%`)
    .orderBy('id')
    .execute();

/** Everything ending, undoing or picking could write: compared before and after requests that must write nothing. */
const snapshot = async (opportunityId: string) => ({
  outbox: (await t.c.db.selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n,
  introductions: await t.c.db.selectFrom('introductions').selectAll().where('opportunityId', '=', opportunityId).execute(),
  interests: await t.c.db.selectFrom('interests').selectAll().where('opportunityId', '=', opportunityId).orderBy('id').execute(),
  opportunity: await dbRow(opportunityId),
});

/** Every same-site link and GET form target on a page (what a scanner or a curious click reaches). */
function linksOn(body: string): string[] {
  const found = new Set<string>();
  for (const m of body.matchAll(/\shref="(\/[^"]*)"/g)) found.add(m[1]!.replace(/&amp;/g, '&'));
  for (const m of body.matchAll(/<form method="get" action="(\/[^"]+)">([\s\S]*?)<\/form>/g)) {
    for (const b of m[2]!.matchAll(/name="(\w+)" value="(\w+)"/g)) found.add(`${m[1]}?${b[1]}=${b[2]}`);
  }
  return [...found].filter((u) => u.startsWith('/o/'));
}

describe('closing and withdrawing take two deliberate steps', () => {
  it('the status page only links to a confirmation page; GET of that page changes nothing; its POST ends it', async () => {
    const o = await opportunity();
    await addInterest(t, o.id, kube);
    const page = await get(o.statusPath);
    // No form on the status page ends anything by itself: the buttons GET the confirmation page.
    expect(page.body).toContain(`<form method="get" action="${o.statusPath}/end">`);
    expect(page.body).not.toContain('name="end"');

    const before = await snapshot(o.id);
    const confirm = await get(`${o.statusPath}/end?as=withdrawn`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`Withdraw &quot;${o.title}&quot;?`);
    expect(confirm.body).toContain('You can undo it for 10 minutes');
    expect(confirm.body).toContain('the partner still waiting for your answer hears politely that the project is off, 10 minutes after you confirm');
    expect(confirm.body).toContain('name="end" value="withdrawn"');
    expect(confirm.body).toContain('Yes, withdraw it');
    expect(confirm.body).toContain(`href="${o.statusPath}"`); // "No, keep it open"
    expect(await snapshot(o.id)).toEqual(before);

    const res = await endByBothSteps(o.statusPath, 'withdrawn');
    expect(res.headers.location).toBe(`${o.statusPath}?ended=withdrawn`);
    expect((await dbRow(o.id)).status).toBe('withdrawn');
  });

  it('no longer ends anything on a POST to the status page itself (the old one-click form)', async () => {
    const o = await opportunity();
    const res = await post('/submit', o.statusPath, { end: 'closed' });
    expect(res.statusCode).toBe(404);
    expect((await dbRow(o.id)).status).toBe('published');
  });

  it('a scanner fetching every link of every status page state (GET and HEAD) changes nothing', async () => {
    const o = await opportunity();
    await addInterest(t, o.id, kube);
    await addInterest(t, o.id, entra);
    const visit = async () => {
      const before = await snapshot(o.id);
      const seen = new Set<string>();
      const queue = [o.statusPath, `${o.statusPath}/undo`, `${o.statusPath}/end?as=closed`, `${o.statusPath}/end?as=withdrawn`];
      while (queue.length) {
        const url = queue.shift()!;
        if (seen.has(url)) continue;
        seen.add(url);
        for (const method of ['GET', 'HEAD'] as const) {
          const res = await t.app.inject({ method, url, headers: { accept: '*/*', 'user-agent': 'Mozilla/5.0 (compatible; SafeLinks)' } });
          expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
          if (method === 'GET') queue.push(...linksOn(res.body));
        }
      }
      expect(seen.size).toBeGreaterThanOrEqual(4);
      expect(await snapshot(o.id)).toEqual(before);
    };
    await visit(); // published
    await endByBothSteps(o.statusPath, 'closed');
    await visit(); // closed, within the undo grace period
  });
});

describe('undo within the grace period', () => {
  it('holds the "not picked" mails until the grace period is over, and undo restores published and calls them back', async () => {
    const o = await opportunity();
    await addInterest(t, o.id, kube);
    await addInterest(t, o.id, entra);
    await endByBothSteps(o.statusPath, 'closed');
    const closed = await dbRow(o.id);
    expect(closed.status).toBe('closed');

    // The mails wait: the relay does not see them before the end of the grace period.
    const events = await notPickedEvents(o.id);
    expect(events).toHaveLength(2);
    expect(new Date(closed.undoUntil!).getTime()).toBe(new Date(closed.closedAt!).getTime() + 10 * 60_000);
    for (const e of events) expect(new Date(e.notBefore!).getTime()).toBe(new Date(closed.undoUntil!).getTime());
    const due = await t.c.db.transaction().execute((trx) => lockUnpublished(trx, 10_000));
    expect(due.map((r) => r.id)).not.toEqual(expect.arrayContaining([events[0]!.id]));
    expect(due.map((r) => r.id)).not.toContain(events[1]!.id);

    const page = await get(`${o.statusPath}?ended=closed`);
    expect(page.body).toContain('<strong>Closed.</strong>');
    expect(page.body).toMatch(/You can undo this until (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC/);
    expect(page.body).toContain(`action="${o.statusPath}/undo"`);
    expect(page.body).toContain('These partners hear that it ended at');

    const undo = await get(`${o.statusPath}/undo`);
    expect(undo.statusCode).toBe(200);
    expect(undo.body).toContain(`Reopen &quot;${o.title}&quot;?`);

    const res = await post(`${o.statusPath}/undo`, `${o.statusPath}/undo`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${o.statusPath}?undone=1`);
    const reopened = await dbRow(o.id);
    expect(reopened.status).toBe('published');
    expect(reopened.closedAt).toBeNull();
    expect(reopened.undoUntil).toBeNull();
    expect(reopened.publishedAt).toEqual(closed.publishedAt);
    expect(await notPickedEvents(o.id)).toEqual([]);
    const after = await get(`${o.statusPath}?undone=1`);
    expect(after.body).toContain('<strong>Reopened.</strong>');
    expect(after.body).toContain('name="interest"'); // picking is possible again

    // Ending again later tells them again (the dedupe keys were freed).
    await endByBothSteps(o.statusPath, 'withdrawn');
    expect(await notPickedEvents(o.id)).toHaveLength(2);
  });

  it('refuses politely after the grace period, changing nothing', async () => {
    const o = await opportunity();
    await addInterest(t, o.id, kube);
    await endByBothSteps(o.statusPath, 'closed');
    const longAgo = new Date(Date.now() - 11 * 60_000);
    await t.c.db
      .updateTable('opportunities')
      .set({ closedAt: longAgo, undoUntil: new Date(longAgo.getTime() + 10 * 60_000) })
      .where('id', '=', o.id)
      .execute();
    await t.c.db.updateTable('outbox').set({ notBefore: new Date(longAgo.getTime() + 10 * 60_000) }).where('dedupeKey', 'like', `mail:not-picked:${o.id}:%`).execute();

    const page = await get(o.statusPath);
    expect(page.body).not.toContain('/undo"');
    expect(page.body).toContain('These partners were told it ended.');
    expect((await get(`${o.statusPath}/undo`)).statusCode).toBe(303); // no undo page any more: back to the status page

    const before = await snapshot(o.id);
    const res = await post('/submit', `${o.statusPath}/undo`);
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Too late to undo');
    expect(res.body).toContain('Undo is possible for 10 minutes after closing or withdrawing, and that time is over');
    expect(await snapshot(o.id)).toEqual(before);
    expect(await notPickedEvents(o.id)).toHaveLength(1);
  });

  it('refuses once a "not picked" mail went out, even inside the grace period', async () => {
    const o = await opportunity();
    await addInterest(t, o.id, kube);
    await endByBothSteps(o.statusPath, 'withdrawn');
    await t.c.db.updateTable('outbox').set({ publishedAt: new Date() }).where('dedupeKey', 'like', `mail:not-picked:${o.id}:%`).execute();
    const before = await snapshot(o.id);
    const res = await post('/submit', `${o.statusPath}/undo`);
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('have already been told that it ended');
    expect(await snapshot(o.id)).toEqual(before);
    expect((await dbRow(o.id)).status).toBe('withdrawn');
  });

  it('offers no undo of an ending made in the operator\'s console: its mails go at once', async () => {
    const o = await opportunity();
    await addInterest(t, o.id, kube);
    await t.c.opportunities.end(o.id, 'closed');
    const [event] = await notPickedEvents(o.id);
    expect(event!.notBefore).toBeNull();
    expect((await get(o.statusPath)).body).not.toContain('/undo"');
    const before = await snapshot(o.id);
    const res = await post('/submit', `${o.statusPath}/undo`);
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('ended by our team');
    expect(await snapshot(o.id)).toEqual(before);
  });
});

describe('texts that follow the state', () => {
  it('after withdrawing with nobody interested, no longer promises an email when partners are interested', async () => {
    const o = await opportunity();
    expect((await get(o.statusPath)).body).toContain('No partner has said they are interested yet. We email you when they do.');
    await endByBothSteps(o.statusPath, 'withdrawn');
    const page = await get(o.statusPath);
    expect(page.body).not.toContain('We email you when they do');
    expect(page.body).toContain('No partner said they were interested.');
    expect(page.body).toContain('<strong>Withdrawn: the project is off</strong>');
    expect(page.body).toContain('Sent in digests</dt><dd>none</dd>');
  });

  it('says how many digests carried it once they went out, instead of "in their next digest"', async () => {
    const o = await opportunity();
    expect((await get(o.statusPath)).body).toContain('<strong>Published: 3 matching partners hear about it in their next digest</strong>');
    const sent = [
      [kube, `2026-W50 ${o.id}`, 'digest', '2026-12-07T08:00:00Z'],
      [entra, `alert:${o.id}`, 'alert', '2026-12-07T09:00:00Z'],
      [ops, `2026-W51 ${o.id}`, 'digest', '2026-12-14T08:00:00Z'],
    ] as const;
    for (const [partnerId, period, kind, at] of sent) {
      const d = await t.c.db.insertInto('digests').values({ partnerId, period, kind, status: 'sent', sentAt: new Date(at) }).returning('id').executeTakeFirstOrThrow();
      await t.c.db.insertInto('digestItems').values({ digestId: d.id, partnerId, opportunityId: o.id, position: 1, score: 0.9 }).execute();
    }
    const page = await get(o.statusPath);
    expect(page.body).not.toContain('in their next digest');
    expect(page.body).toContain('<strong>Published: sent in 3 digests so far, the last on 14 Dec 2026</strong>');
    expect(page.body).toContain('Sent in digests</dt><dd>3 digests (1 urgent alert among them): 7 Dec 2026 (2), 14 Dec 2026</dd>');
  });
});

describe('"Introduce us"', () => {
  it('redirects to the status page, which says who was introduced and what happens next', async () => {
    const o = await opportunity();
    const a = await addInterest(t, o.id, kube);
    const b = await addInterest(t, o.id, entra);
    await addInterest(t, o.id, ops);
    const res = await post(o.statusPath, `${o.statusPath}/introduce`, { interest: [a, b] });
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location.startsWith(`${o.statusPath}?introduced=`)).toBe(true);
    const page = await get(location);
    expect(page.body).toContain('Done: we introduced you to entra Ltd and kube Ltd.');
    expect(page.body).toContain('reply to that email to reach them');
    expect(page.body).toContain('we ask you both whether you worked together');
    // Without the flag (a reload later, a bookmark), no message; a forged flag names nobody it should not.
    expect((await get(o.statusPath)).body).not.toContain('Done: we introduced you');
    const forged = await get(`${o.statusPath}?introduced=${await addInterest(t, (await opportunity()).id, ops)},<script>`);
    expect(forged.statusCode).toBe(200);
    expect(forged.body).not.toContain('Done: we introduced you');
  });
});

describe('the timeline', () => {
  it('lists published, matched, digests and urgent alerts, interests, introductions and the ending, from the services', async () => {
    const o = await opportunity();
    const a = await addInterest(t, o.id, kube);
    await addInterest(t, o.id, entra, { withdrawn: true });
    await addInterest(t, o.id, ops);
    for (const [partnerId, period, kind] of [[kube, `2026-W50 ${o.id}`, 'digest'], [ops, `alert:${o.id}`, 'alert']] as const) {
      const d = await t.c.db.insertInto('digests').values({ partnerId, period, kind, status: 'sent', sentAt: new Date('2026-12-07T08:00:00Z') }).returning('id').executeTakeFirstOrThrow();
      await t.c.db.insertInto('digestItems').values({ digestId: d.id, partnerId, opportunityId: o.id, position: 1, score: 0.9 }).execute();
    }
    expect((await post(o.statusPath, `${o.statusPath}/introduce`, { interest: [a] })).statusCode).toBe(303);
    await endByBothSteps(o.statusPath, 'closed');

    const page = await get(o.statusPath);
    const timeline = page.body.slice(page.body.indexOf('<ol class="timeline">'), page.body.indexOf('</ol>', page.body.indexOf('<ol class="timeline">')));
    const items = [...timeline.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim());
    // Days as people read them, the same everywhere: "5 Dec 2026".
    const today = formatDay(new Date());
    expect(items).toEqual([
      `${today} Submitted`,
      `${today} Published`,
      `${today} Matched with 3 partners`,
      '7 Dec 2026 Sent in 2 digests, 1 urgent alert among them',
      `${today} 3 partners said they are interested (1 withdrew)`,
      `${today} Introduced to kube Ltd`,
      `${today} Closed: partner found`,
    ]);
    // The counts are the services' facts, not the page's own arithmetic.
    const digests = await t.c.db.selectFrom('digestItems').select(sql<string>`count(*)`.as('n')).where('opportunityId', '=', o.id).executeTakeFirstOrThrow();
    expect(Number(digests.n)).toBe(2);
  });
});
