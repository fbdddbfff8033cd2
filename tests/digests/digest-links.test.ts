import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, tamper, type TestStack } from '../support/test-stack.ts';
import { BROWSER, partnerPagePaths } from '../support/browser-requests.ts';
import { databaseFingerprint } from '../support/db-fingerprint.ts';
import { createActivePartner } from '../support/factories.ts';

let t: TestStack;

let seq = 0;

const activePartner = async () => (await createActivePartner(t, { email: `links.${++seq}@kubeworks.example` })).id;

async function publishedOpportunity(overrides: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/opportunities',
    headers: t.adminHeaders,
    payload: {
      title: `AKS landing zone for a machine builder ${++seq}`,
      description: 'Move shop-floor applications to Azure Kubernetes Service with a security baseline.\nThree months, on site in Linz twice a month.',
      requiredSkills: ['kubernetes-on-azure'],
      niceToHaveSkills: ['devops-github-azure'],
      regions: ['dach'],
      remote: true,
      budgetMin: 60000,
      budgetMax: 90000,
      currency: 'EUR',
      startDate: '2027-01-11',
      submitter: { name: 'Max Huber', company: 'Alpenwolke GmbH', email: 'max@alpenwolke.example' },
      ...overrides,
    },
  });
  expect(res.statusCode).toBe(201);
  const { id, status } = res.json<{ id: string; status: string }>();
  expect(status).toBe('published');
  return id;
}

const { interestPath, notRelevantPath } = partnerPagePaths(() => t);

/**
 * Every table in the database with its row count and a hash of its content: equal fingerprints
 * mean nothing was inserted, deleted or updated anywhere.
 */
async function fingerprint(): Promise<Record<string, string>> {
  const result = await databaseFingerprint(t.c.db);
  expect(Object.keys(result)).toEqual(expect.arrayContaining(['partners', 'opportunities', 'matches', 'outbox', 'digests', 'digest_items', 'suppressions']));
  return result;
}

beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t?.close();
});

describe('GET /i/<token> and /n/<token>', () => {
  it('show the opportunity: title, company, skills, where, budget, start, description, who is acting, and a form that posts back', async () => {
    const partnerId = await activePartner();
    const opportunityId = await publishedOpportunity();
    for (const url of [interestPath(partnerId, opportunityId), notRelevantPath(partnerId, opportunityId)]) {
      const res = await t.app.inject({ method: 'GET', url, headers: BROWSER });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain(`<h1>AKS landing zone for a machine builder`);
      expect(res.body).toContain('Alpenwolke GmbH');
      // The partner's own skill is highlighted (the digest's green "✓" chip); the nice-to-have one is marked.
      expect(res.body).toContain('<li class="yours">✓ <strong>Kubernetes on Microsoft Azure</strong></li>');
      expect(res.body).toMatch(/<li class="chips-label">Nice to have:<\/li><li class="nice">DevOps with GitHub on Microsoft Azure<\/li>/);
      expect(res.body).toContain('DACH (Germany, Austria, Switzerland) · remote welcome');
      expect(res.body).toContain('60,000 – 90,000 EUR');
      // Dates as people read them, one format in mail and pages: "11 Jan 2027", never "2027-01-11".
      expect(res.body).toContain('<dt>Start</dt><dd>11 Jan 2027</dd>');
      expect(res.body).toMatch(/<dt>Open until<\/dt><dd>\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}<\/dd>/);
      expect(res.body).not.toContain('2027-01-11');
      expect(res.body).toContain('Move shop-floor applications to Azure Kubernetes Service');
      expect(res.body).toMatch(/You are acting as <strong>Kubeworks \d+ GmbH<\/strong> \(links\.\d+@kubeworks\.example\)/);
      // One form, posting to this very link with a CSRF token; nothing submits it but a person.
      expect(res.body.match(/<form /g)).toHaveLength(1);
      expect(res.body).toContain(`<form method="post" action="${url}">`);
      expect(res.body).toMatch(/name="_csrf" value="[^"]+"/);
      expect(res.body).not.toMatch(/http-equiv="refresh"|\.submit\(\)|onload=/i);
      expect(res.headers['cache-control']).toBe('no-store');
      // Nothing of the submitter's own status page or address.
      expect(res.body).not.toContain('/o/');
      expect(res.body).not.toContain('max@alpenwolke.example');
      expect(res.body).not.toContain('Max Huber');
    }
  });

  it('the two pages say different things about their button', async () => {
    const partnerId = await activePartner();
    const opportunityId = await publishedOpportunity();
    const i = await t.app.inject({ method: 'GET', url: interestPath(partnerId, opportunityId), headers: BROWSER });
    const n = await t.app.inject({ method: 'GET', url: notRelevantPath(partnerId, opportunityId), headers: BROWSER });
    expect(i.body).toContain('Interested?');
    expect(n.body).toContain('Not for you?');
  });

  it('GET and HEAD change nothing in any table', async () => {
    const partnerId = await activePartner();
    const opportunityId = await publishedOpportunity();
    const before = await fingerprint();
    for (let k = 0; k < 3; k++) {
      for (const url of [interestPath(partnerId, opportunityId), notRelevantPath(partnerId, opportunityId)]) {
        expect((await t.app.inject({ method: 'GET', url, headers: BROWSER })).statusCode).toBe(200);
        expect((await t.app.inject({ method: 'HEAD', url })).statusCode).toBe(200);
      }
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('an anonymous opportunity does not show the company', async () => {
    const partnerId = await activePartner();
    const opportunityId = await publishedOpportunity({
      anonymous: true,
      submitter: { name: 'Eva Gruber', company: 'Geheimwolke AG', email: 'eva@geheimwolke.example' },
    });
    for (const url of [interestPath(partnerId, opportunityId), notRelevantPath(partnerId, opportunityId)]) {
      const res = await t.app.inject({ method: 'GET', url, headers: BROWSER });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('AKS landing zone for a machine builder');
      expect(res.body).not.toContain('Geheimwolke');
      expect(res.body).not.toContain('Eva Gruber');
    }
  });

  it('leaves out budget and start when none was given', async () => {
    const partnerId = await activePartner();
    const opportunityId = await publishedOpportunity({ budgetMin: undefined, budgetMax: undefined, currency: undefined, startDate: undefined });
    const res = await t.app.inject({ method: 'GET', url: interestPath(partnerId, opportunityId), headers: BROWSER });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<dt>Budget</dt>');
    expect(res.body).not.toContain('<dt>Start</dt>');
  });
});

describe('tokens', () => {
  it('a token for the other button (or another purpose) is rejected and changes nothing', async () => {
    const partnerId = await activePartner();
    const opportunityId = await publishedOpportunity();
    const before = await fingerprint();
    const iToken = interestPath(partnerId, opportunityId).slice('/i/'.length);
    const nToken = notRelevantPath(partnerId, opportunityId).slice('/n/'.length);
    const other = t.c.signer.sign('preferences', `${partnerId}:${opportunityId}`, 3600);
    for (const url of [`/n/${iToken}`, `/i/${nToken}`, `/i/${other}`, `/n/${other}`]) {
      const res = await t.app.inject({ method: 'GET', url, headers: BROWSER });
      expect(res.statusCode, url).toBe(400);
      expect(res.body).toContain('This link does not work');
      expect(res.body).not.toContain('AKS landing zone');
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('a tampered, malformed or expired token gets the friendly page', async () => {
    const partnerId = await activePartner();
    const opportunityId = await publishedOpportunity();
    const token = interestPath(partnerId, opportunityId).slice('/i/'.length);
    const tampered = await t.app.inject({ method: 'GET', url: `/i/${tamper(token)}`, headers: BROWSER });
    expect(tampered.statusCode).toBe(400);
    expect(tampered.body).not.toContain('AKS landing zone');
    expect((await t.app.inject({ method: 'GET', url: '/i/not-a-token', headers: BROWSER })).statusCode).toBe(400);
    const expired = t.c.signer.sign('interest', `${partnerId}:${opportunityId}`, -60);
    expect((await t.app.inject({ method: 'GET', url: `/i/${expired}`, headers: BROWSER })).statusCode).toBe(410);
  });

  it('a well-signed token whose subject is not "<partner>:<opportunity>" gets the friendly page', async () => {
    for (const subject of ['just-one-part', `${randomUUID()}:not-a-uuid`, `${randomUUID()}:${randomUUID()}:extra`]) {
      const res = await t.app.inject({ method: 'GET', url: `/i/${t.c.signer.sign('interest', subject, 3600)}`, headers: BROWSER });
      expect(res.statusCode, subject).toBe(400);
    }
  });

  it('a POST without the page\'s CSRF token is refused and changes nothing', async () => {
    const partnerId = await activePartner();
    const opportunityId = await publishedOpportunity();
    const before = await fingerprint();
    for (const url of [interestPath(partnerId, opportunityId), notRelevantPath(partnerId, opportunityId)]) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'action=interest&reason=skills',
      });
      expect(res.statusCode).toBe(403);
    }
    expect(await fingerprint()).toEqual(before);
  });
});

describe('opportunities that are not open', () => {
  it('an unknown opportunity gets a 404 page', async () => {
    const partnerId = await activePartner();
    const res = await t.app.inject({ method: 'GET', url: interestPath(partnerId, randomUUID()), headers: BROWSER });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Opportunity not found');
  });

  it('a closed or withdrawn opportunity gets "This opportunity is closed"', async () => {
    const partnerId = await activePartner();
    for (const end of ['closed', 'withdrawn'] as const) {
      const opportunityId = await publishedOpportunity();
      await t.c.opportunities.end(opportunityId, end);
      for (const url of [interestPath(partnerId, opportunityId), notRelevantPath(partnerId, opportunityId)]) {
        const res = await t.app.inject({ method: 'GET', url, headers: BROWSER });
        expect(res.statusCode, `${end} ${url}`).toBe(410);
        expect(res.body).toContain('This opportunity is closed');
        expect(res.body).not.toContain('Move shop-floor applications');
      }
    }
  });

  it('an opportunity past its expiry is closed too, even before the status says so', async () => {
    const partnerId = await activePartner();
    const opportunityId = await publishedOpportunity();
    await t.c.db.updateTable('opportunities').set({ expiresAt: new Date(Date.now() - 60_000) }).where('id', '=', opportunityId).execute();
    const res = await t.app.inject({ method: 'GET', url: interestPath(partnerId, opportunityId), headers: BROWSER });
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('This opportunity is closed');
  });

  it('an opportunity that was never published is not shown', async () => {
    const partnerId = await activePartner();
    const opportunityId = await publishedOpportunity();
    await t.c.db.updateTable('opportunities').set({ status: 'rejected' }).where('id', '=', opportunityId).execute();
    const res = await t.app.inject({ method: 'GET', url: interestPath(partnerId, opportunityId), headers: BROWSER });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('Move shop-floor applications');
  });
});
