import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, csrfFrom, eventually, formBody, linkIn, tamper, type TestStack } from '../support/test-stack.ts';
import { BROWSER, FORM } from '../support/browser-requests.ts';
import { partnerPayload } from '../support/factories.ts';
import { stackQueries } from '../support/stack-queries.ts';

let t: TestStack;

// Every submission gets its own address and client IP, so the per-email and per-IP limits
// (20 and 5 an hour by default) never get in the way of the tests that are not about them.
let seq = 0;
const next = () => ++seq;
let ipSeq = 0;
const nextIp = () => {
  ipSeq++;
  return `10.0.${Math.floor(ipSeq / 250)}.${(ipSeq % 250) + 1}`;
};


const partner = partnerPayload;

/** A complete, valid form as a browser sends it (slugs from the skill pickers). */
function goodForm(overrides: Record<string, string | string[] | undefined> = {}) {
  const n = next();
  return {
    title: `AKS platform ${n} for a machine builder`,
    description: 'Move shop-floor applications to Azure Kubernetes Service with a security baseline.',
    requiredSkills: ['kubernetes-on-azure', 'identity-access-management'],
    regions: ['dach'],
    budgetMin: '20000',
    budgetMax: '45000',
    currency: 'EUR',
    'submitter.name': 'Max Huber',
    'submitter.company': 'Alpenwolke GmbH',
    'submitter.email': `max.${n}@alpenwolke.example`,
    ...overrides,
  };
}

type Fields = Record<string, string | string[] | undefined>;

/** GETs /submit for a CSRF token and cookie, then POSTs the form with them. */
async function postForm(stack: TestStack, fields: Fields, opts: { ip?: string; csrf?: boolean } = {}) {
  const page = await stack.app.inject({ method: 'GET', url: '/submit', headers: BROWSER });
  const { token, cookie } = csrfFrom(page);
  const withCsrf = opts.csrf ?? true;
  return stack.app.inject({
    method: 'POST',
    url: '/submit',
    remoteAddress: opts.ip ?? nextIp(),
    headers: withCsrf ? { ...FORM, cookie } : FORM,
    payload: formBody(withCsrf ? { _csrf: token, ...fields } : fields),
  });
}

const rowsFor = (stack: TestStack, email: string) =>
  stack.c.db.selectFrom('opportunities').selectAll().where('submitterEmail', '=', email).execute();

const { opportunityRow: dbRow } = stackQueries(() => t);

async function onlyRowFor(email: string) {
  const rows = await rowsFor(t, email);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

const outboxCount = async (topic: string, opportunityId: string) =>
  Number(
    (
      await t.c.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('topic', '=', topic)
        .where(sql<string>`payload->>'opportunityId'`, '=', opportunityId)
        .executeTakeFirstOrThrow()
    ).n,
  );

const matchedPartnerIds = async (opportunityId: string) =>
  (await t.c.db.selectFrom('matches').select('partnerId').where('opportunityId', '=', opportunityId).execute()).map((m) => m.partnerId).sort();

/** The path of the link in the confirmation mail sent to `email`. */
async function confirmPathFor(email: string): Promise<string> {
  const mail = await t.smtp.waitFor((m) => m.envelope.to.includes(email) && (m.parsed.subject ?? '').startsWith('Confirm your opportunity'));
  return new URL(linkIn(mail.parsed.text, '/submit/confirm/')).pathname;
}

/** Submits the form and confirms by the emailed link's button: a published opportunity. */
async function submitAndConfirm(overrides: Fields = {}) {
  const form = goodForm(overrides);
  const email = form['submitter.email'];
  expect((await postForm(t, form)).statusCode).toBe(303);
  const confirmPath = await confirmPathFor(email);
  const page = await t.app.inject({ method: 'GET', url: confirmPath, headers: BROWSER });
  const { token, cookie } = csrfFrom(page);
  const confirmed = await t.app.inject({ method: 'POST', url: confirmPath, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token }) });
  expect(confirmed.statusCode).toBe(303);
  const row = await onlyRowFor(email);
  return { form, email, row, statusPath: confirmed.headers.location as string };
}

let kubeworksId: string;
let identityId: string;

beforeAll(async () => {
  t = await createTestStack();
  const create = async (payload: Record<string, unknown>) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/partners', headers: t.adminHeaders, payload });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  };
  kubeworksId = await create(partner());
  identityId = await create(partner({ company: 'Entra Experts AG', email: 'eva@entra.example', skills: ['Entra ID'], regions: ['dach', 'nordics'] }));
  // Right skills, wrong region: must never be matched with work in DACH.
  await create(partner({ company: 'Harbour Cloud Pty', email: 'sam@harbour.example', regions: ['anz'], remoteOk: false }));
  t.startBackground();
});
afterAll(async () => {
  await t?.close();
});

describe('GET /submit', () => {
  it('renders the form with a CSRF token, both skill pickers and the region checkboxes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/submit', headers: BROWSER });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(() => csrfFrom(res)).not.toThrow();
    expect(res.body).toContain('<form method="post" action="/submit"');
    expect(res.body).toMatch(/<input type="checkbox" name="requiredSkills" value="kubernetes-on-azure"/);
    expect(res.body).toMatch(/<input type="checkbox" name="niceToHaveSkills" value="kubernetes-on-azure"/);
    for (const region of ['dach', 'nordics', 'north-america', 'anz']) {
      expect(res.body).toMatch(new RegExp(`<input type="checkbox" name="regions" value="${region}"`));
    }
    expect(res.body).toContain('name="company_site"');
  });
});

describe('POST /submit', () => {
  it('stores a good submission as pending verification, unmatched, and redirects to /submit/sent', async () => {
    const form = goodForm();
    const res = await postForm(t, form);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/submit/sent');

    const row = await onlyRowFor(form['submitter.email']);
    expect(row).toMatchObject({
      title: form.title,
      status: 'pending_verification',
      source: 'form',
      regions: ['dach'],
      remote: false,
      budgetMin: 20000,
      budgetMax: 45000,
      currency: 'EUR',
      submitterName: 'Max Huber',
      submitterCompany: 'Alpenwolke GmbH',
      verifiedAt: null,
      publishedAt: null,
      matchedAt: null,
    });
    expect(t.c.catalogue.labels(row.requiredSkillIds).sort()).toEqual(['Identity and Access Management', 'Kubernetes on Microsoft Azure']);
    expect(await outboxCount('opportunity.published', row.id)).toBe(0);
    expect(await matchedPartnerIds(row.id)).toEqual([]);

    const sent = await t.app.inject({ method: 'GET', url: '/submit/sent', headers: BROWSER });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('Check your inbox');
  });

  it('emails the submitter a confirmation link, in the plain-text part too', async () => {
    const form = goodForm();
    await postForm(t, form);
    const mail = await t.smtp.waitFor((m) => m.envelope.to.includes(form['submitter.email']));
    expect(mail.parsed.subject).toBe(`Confirm your opportunity: ${form.title}`);
    const link = linkIn(mail.parsed.text, '/submit/confirm/');
    expect(link.startsWith('http://p2p.test/submit/confirm/')).toBe(true);
    const token = new URL(link).pathname.split('/').pop()!;
    const row = await onlyRowFor(form['submitter.email']);
    expect(t.c.signer.verify(token, 'confirm-opportunity')).toMatchObject({ ok: true, claims: { subject: row.id } });
  });

  it('answers an invalid form with 400 and an error on every bad field, storing nothing', async () => {
    const email = `bad.${next()}`;
    const res = await postForm(t, {
      title: '',
      description: 'Too short',
      budgetMin: '50000',
      budgetMax: '10000',
      currency: 'EUR',
      'submitter.name': 'Max Huber',
      'submitter.company': 'Alpenwolke GmbH',
      'submitter.email': email,
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(/id="title-error">Enter a title</);
    expect(res.body).toMatch(/id="description-error">Enter a description of at least 20 characters: the customer&#39;s need, scope and timing</);
    expect(res.body).toMatch(/id="requiredSkills-error">Choose at least one skill the work needs</);
    expect(res.body).toMatch(/id="regions-error">Choose at least one region, or tick “Remote work is fine”</);
    expect(res.body).toMatch(/id="budgetMax-error">Enter a budget up to that is not below the budget from</);
    expect(res.body).toMatch(/id="submitter-email-error">Enter an email address like name@company.com</);
    expect(res.body).not.toMatch(/id="submitter-name-error"/);
    expect(await rowsFor(t, email)).toHaveLength(0);
  });

  it('lists every problem at the top, in the page order, each a link to its field, and takes the focus there', async () => {
    const res = await postForm(t, goodForm({ title: '', description: 'Too short', regions: undefined, currency: 'euro', 'submitter.email': 'max at alpenwolke' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<title>Error: Submit an opportunity · p2p-digest</title>');
    const summary = /<div class="error-summary"([^>]*)>([\s\S]*?)<\/div>/.exec(res.body);
    expect(summary, 'an error summary').not.toBeNull();
    // It takes the focus on load without JavaScript (autofocus on a box that can hold it), and is announced.
    expect(summary![1]).toMatch(/tabindex="-1"/);
    expect(summary![1]).toMatch(/autofocus/);
    expect(summary![1]).toMatch(/role="alert"/);
    // Before the form: the first thing after the heading a screen reader meets.
    expect(res.body.indexOf('class="error-summary"')).toBeLessThan(res.body.indexOf('<form method="post" action="/submit"'));
    const links = [...(summary?.[2] ?? '').matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2]]);
    expect(links).toEqual([
      ['title', 'Enter a title'],
      ['description', 'Enter a description of at least 20 characters: the customer&#39;s need, scope and timing'],
      ['regions', 'Choose at least one region, or tick “Remote work is fine”'],
      ['currency', 'Enter a three-letter currency code, such as EUR'],
      ['submitter.email', 'Enter an email address like name@company.com'],
    ]);
    // Every link lands on a field of the page, and each field says it is wrong and why.
    for (const [id = ''] of links) expect(res.body, id).toContain(`id="${id}"`);
    expect(res.body).toMatch(/id="title" name="title" value="" maxlength="200" required class="invalid" aria-invalid="true" aria-describedby="title-error"/);
    expect(res.body).toMatch(/aria-invalid="true" aria-describedby="submitter-email-error"/);
    expect(res.body).toMatch(/<fieldset aria-describedby="regions-error">/);
    // What was typed is kept.
    expect(res.body).toContain('value="max at alpenwolke"');
    expect(res.body).toContain('>Too short</textarea>');
  });

  it('asks for at least 5 characters only when a title was typed', async () => {
    const res = await postForm(t, goodForm({ title: 'AKS' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="title-error">Enter a title of at least 5 characters</);
    expect(res.body).toContain('<a href="#title">Enter a title of at least 5 characters</a>');
  });

  it('shows no error summary on a fresh form', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/submit', headers: BROWSER });
    expect(res.body).not.toContain('error-summary"');
    expect(res.body).not.toContain('aria-invalid');
  });

  it('re-renders an invalid form with what was typed, escaped, and the chosen skills still checked', async () => {
    const res = await postForm(
      t,
      goodForm({
        description: 'Tiny <b>scope</b>',
        niceToHaveSkills: ['devops-github-azure'],
        regions: ['dach', 'nordics'],
        'submitter.name': 'Zoë O\'Neill',
        'submitter.email': 'not-an-email',
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('>Tiny &lt;b&gt;scope&lt;/b&gt;</textarea>');
    expect(res.body).not.toContain('<b>scope</b>');
    expect(res.body).toContain('value="Zoë O&#39;Neill"');
    expect(res.body).toContain('value="not-an-email"');
    expect(res.body).toContain('value="20000"');
    expect(res.body).toMatch(/name="requiredSkills" value="kubernetes-on-azure"\s+checked/);
    expect(res.body).toMatch(/name="requiredSkills" value="identity-access-management"\s+checked/);
    expect(res.body).toMatch(/name="niceToHaveSkills" value="devops-github-azure"\s+checked/);
    expect(res.body).toMatch(/name="niceToHaveSkills" value="kubernetes-on-azure"\s*>/);
    expect(res.body).toMatch(/name="regions" value="nordics"\s+checked/);
    expect(res.body).toMatch(/name="regions" value="anz"\s*>/);
    expect(await rowsFor(t, 'not-an-email')).toHaveLength(0);
  });

  it('reports an unknown skill slug from a crafted request on the skills field, storing nothing', async () => {
    const form = goodForm({ requiredSkills: ['kubernetes-on-azure', 'underwater-basket-weaving'] });
    const res = await postForm(t, form);
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="requiredSkills-error">Skills the work needs: unknown skill &quot;underwater-basket-weaving&quot;</);
    expect(res.body).toMatch(/name="requiredSkills" value="kubernetes-on-azure"\s+checked/);
    expect(await rowsFor(t, form['submitter.email'])).toHaveLength(0);
  });

  it('pretends a bot filling the honeypot succeeded, and stores and mails nothing', async () => {
    const outboxBefore = await t.c.db.selectFrom('outbox').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const form = goodForm({ company_site: 'https://spam.example' });
    const res = await postForm(t, form);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/submit/sent');
    expect(await rowsFor(t, form['submitter.email'])).toHaveLength(0);
    const outboxAfter = await t.c.db.selectFrom('outbox').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(outboxAfter.n).toBe(outboxBefore.n);
    await new Promise((r) => setTimeout(r, 500));
    expect(t.smtp.received.filter((m) => m.envelope.to.includes(form['submitter.email']))).toHaveLength(0);
  });

  it('refuses a POST without CSRF token and cookie with 403, storing nothing', async () => {
    const form = goodForm();
    const res = await postForm(t, form, { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(await rowsFor(t, form['submitter.email'])).toHaveLength(0);
  });
});

describe('the emailed confirmation link', () => {
  it('only opens a page with a button: GET and HEAD (as mail scanners do) change nothing', async () => {
    const form = goodForm();
    await postForm(t, form);
    const confirmPath = await confirmPathFor(form['submitter.email']);
    const row = await onlyRowFor(form['submitter.email']);

    for (const method of ['GET', 'HEAD', 'GET'] as const) {
      const res = await t.app.inject({ method, url: confirmPath });
      expect(res.statusCode).toBe(200);
      if (method === 'GET') {
        expect(res.body).toContain(`<form method="post" action="${confirmPath}">`);
        expect(res.body).toContain('Confirm and publish</button>');
        expect(res.body).toContain(form.title);
      }
    }
    const after = await dbRow(row.id);
    expect(after.status).toBe('pending_verification');
    expect(after.verifiedAt).toBeNull();
    expect(await outboxCount('opportunity.published', row.id)).toBe(0);
    expect(await outboxCount('mail.requested', row.id)).toBe(1); // only the confirmation itself
  });

  it('shows, before publishing, how many partners match and what would reach more: the number matching then stores', async () => {
    const form = goodForm();
    await postForm(t, form);
    const confirmPath = await confirmPathFor(form['submitter.email']);
    const page = await t.app.inject({ method: 'GET', url: confirmPath, headers: BROWSER });
    // Kubeworks and Entra Experts serve DACH; Harbour Cloud only Australia and takes no remote work.
    expect(page.body).toContain('<p>Who would hear of it: 2 partners match now. Adding Australia &amp; New Zealand: 3.</p>');
    const { token, cookie } = csrfFrom(page);
    await t.app.inject({ method: 'POST', url: confirmPath, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token }) });
    const row = await onlyRowFor(form['submitter.email']);
    await eventually(async () => (await dbRow(row.id)).matchedAt);
    expect(await matchedPartnerIds(row.id)).toHaveLength(2);
  });

  it('says so before publishing when no partner matches, with the change that helps most', async () => {
    const form = goodForm({ regions: ['latin-america'] });
    await postForm(t, form);
    const page = await t.app.inject({ method: 'GET', url: await confirmPathFor(form['submitter.email']), headers: BROWSER });
    expect(page.body).toContain('No partner matches this opportunity now. The change that helps most: allowing remote work would reach 2 partners.');
  });

  it('publishes on POST from the page and redirects to the status page', async () => {
    const { row, statusPath } = await submitAndConfirm();
    expect(statusPath).toMatch(/^\/o\/[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(t.c.signer.verify(statusPath.slice(3), 'opportunity-status')).toMatchObject({ ok: true, claims: { subject: row.id } });
    expect(row.status).toBe('published');
    expect(row.verifiedAt).not.toBeNull();
    expect(row.publishedAt).not.toBeNull();
    expect(await outboxCount('opportunity.published', row.id)).toBe(1);
  });

  it('gets a published opportunity matched with the right partners and sends a receipt with the status link', async () => {
    const { row, form, email } = await submitAndConfirm();
    await eventually(async () => (await dbRow(row.id)).matchedAt);
    expect(await matchedPartnerIds(row.id)).toEqual([kubeworksId, identityId].sort());

    const receipt = await t.smtp.waitFor((m) => m.envelope.to.includes(email) && m.parsed.subject === `Received: ${form.title}`);
    const statusLink = linkIn(receipt.parsed.text, '/o/');
    expect(statusLink.startsWith('http://p2p.test/o/')).toBe(true);
    const page = await t.app.inject({ method: 'GET', url: new URL(statusLink).pathname, headers: BROWSER });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<h1>${form.title}</h1>`);
  });

  it('confirming twice publishes once; the link then points to the status page', async () => {
    const { row, email, statusPath } = await submitAndConfirm();
    const confirmPath = await confirmPathFor(email);
    const again = await t.app.inject({ method: 'GET', url: confirmPath, headers: BROWSER });
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('Already confirmed');
    expect(again.body).not.toContain('Confirm and publish</button>');
    expect(again.body).toMatch(/<a href="http:\/\/p2p\.test\/o\/[\w.-]+">See its status<\/a>/);

    const { token, cookie } = csrfFrom(await t.app.inject({ method: 'GET', url: '/submit' }));
    const post = await t.app.inject({ method: 'POST', url: confirmPath, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token }) });
    expect(post.statusCode).toBe(303);
    expect(post.headers.location).toMatch(/^\/o\//);
    expect(statusPath).toMatch(/^\/o\//);
    expect(await outboxCount('opportunity.published', row.id)).toBe(1);
    expect(await outboxCount('mail.requested', row.id)).toBe(2); // confirmation + one receipt
    expect((await dbRow(row.id)).publishedAt).toEqual(row.publishedAt);
  });

  it('answers a tampered confirmation token with 400 and changes nothing', async () => {
    const form = goodForm();
    await postForm(t, form);
    const confirmPath = await confirmPathFor(form['submitter.email']);
    const forged = `/submit/confirm/${tamper(confirmPath.split('/').pop()!)}`;
    const page = await t.app.inject({ method: 'GET', url: forged, headers: BROWSER });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('This link does not work');
    const { token, cookie } = csrfFrom(await t.app.inject({ method: 'GET', url: '/submit' }));
    const post = await t.app.inject({ method: 'POST', url: forged, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token }) });
    expect(post.statusCode).toBe(400);
    expect((await onlyRowFor(form['submitter.email'])).status).toBe('pending_verification');
  });
});

describe('the status page /o/<token>', () => {
  it('shows the title, the status in words and the number of matching partners', async () => {
    const { row, form, statusPath } = await submitAndConfirm();
    await eventually(async () => (await dbRow(row.id)).matchedAt);
    const page = await t.app.inject({ method: 'GET', url: statusPath, headers: BROWSER });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<h1>${form.title}</h1>`);
    expect(page.body).toContain('<strong>Published: 2 matching partners hear about it in their next digest</strong>');
    expect(page.body).toMatch(/Matching partners<\/dt><dd>2<\/dd>/);
    expect(page.body).toContain('20,000 – 45,000 EUR');
    expect(page.body).toContain(`action="${statusPath}/end"`);
    expect(page.body).toContain('name="as" value="closed"');
    expect(page.body).toContain('name="as" value="withdrawn"');
  });

  it('closes the opportunity on its confirmation page\'s POST, after which the page offers no buttons', async () => {
    const { row, statusPath } = await submitAndConfirm();
    const { token, cookie } = csrfFrom(await t.app.inject({ method: 'GET', url: `${statusPath}/end?as=closed`, headers: BROWSER }));
    const res = await t.app.inject({ method: 'POST', url: `${statusPath}/end`, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, end: 'closed' }) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${statusPath}?ended=closed`);
    const closed = await dbRow(row.id);
    expect(closed.status).toBe('closed');
    expect(closed.closedAt).not.toBeNull();

    const page = await t.app.inject({ method: 'GET', url: statusPath, headers: BROWSER });
    expect(page.body).toContain('Closed: you found your partner');
    expect(page.body).not.toContain('name="as"');
  });

  it('changes nothing on a second POST to an ended opportunity', async () => {
    const { row, statusPath } = await submitAndConfirm();
    const { token, cookie } = csrfFrom(await t.app.inject({ method: 'GET', url: `${statusPath}/end?as=closed`, headers: BROWSER }));
    const end = (value: string) =>
      t.app.inject({ method: 'POST', url: `${statusPath}/end`, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, end: value }) });
    expect((await end('closed')).statusCode).toBe(303);
    const first = await dbRow(row.id);
    expect((await end('withdrawn')).statusCode).toBe(303);
    const second = await dbRow(row.id);
    expect(second.status).toBe('closed');
    expect(second.closedAt).toEqual(first.closedAt);
  });

  it('refuses a POST without CSRF token with 403, changing nothing', async () => {
    const { row, statusPath } = await submitAndConfirm();
    const res = await t.app.inject({ method: 'POST', url: `${statusPath}/end`, headers: FORM, payload: formBody({ end: 'withdrawn' }) });
    expect(res.statusCode).toBe(403);
    expect((await dbRow(row.id)).status).toBe('published');
  });

  it('answers a tampered token with a 400 page, and its POST changes nothing', async () => {
    const { row, statusPath } = await submitAndConfirm();
    const forged = `/o/${tamper(statusPath.slice(3))}`;
    const page = await t.app.inject({ method: 'GET', url: forged, headers: BROWSER });
    expect(page.statusCode).toBe(400);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('This link does not work');
    expect(page.body).not.toContain(row.title);

    const { token, cookie } = csrfFrom(await t.app.inject({ method: 'GET', url: `${statusPath}/end?as=withdrawn`, headers: BROWSER }));
    const post = await t.app.inject({ method: 'POST', url: `${forged}/end`, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, end: 'withdrawn' }) });
    expect(post.statusCode).toBe(400);
    expect((await dbRow(row.id)).status).toBe('published');
  });
});

describe('rate limits (SUBMIT_RATE_PER_HOUR=4)', () => {
  let limited: TestStack;
  beforeAll(async () => {
    limited = await createTestStack({ SUBMIT_RATE_PER_HOUR: '4' });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('answers the 5th POST from one IP within the hour with a 429 page and Retry-After, storing nothing', async () => {
    const ip = '192.0.2.10';
    for (let i = 0; i < 4; i++) expect((await postForm(limited, goodForm(), { ip })).statusCode).toBe(303);
    const fifth = goodForm();
    const res = await postForm(limited, fifth, { ip });
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Slow down, please');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(3600);
    expect(await rowsFor(limited, fifth['submitter.email'])).toHaveLength(0);
    // Another client is not affected.
    expect((await postForm(limited, goodForm(), { ip: '192.0.2.11' })).statusCode).toBe(303);
  });

  it('allows one submission per email address an hour, whatever IP it comes from', async () => {
    const email = 'flood@victim.example';
    expect((await postForm(limited, goodForm({ 'submitter.email': email }), { ip: '198.51.100.1' })).statusCode).toBe(303);
    const res = await postForm(limited, goodForm({ 'submitter.email': email }), { ip: '198.51.100.2' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
    expect(await rowsFor(limited, email)).toHaveLength(1);
  });
});

describe('body size limit (BODY_LIMIT_KB=16)', () => {
  let small: TestStack;
  beforeAll(async () => {
    small = await createTestStack({ BODY_LIMIT_KB: '16' });
  });
  afterAll(async () => {
    await small?.close();
  });

  it('answers a 40 KB form with 413, not 500, and stores nothing', async () => {
    const form = goodForm({ description: 'x'.repeat(40 * 1024) });
    const res = await postForm(small, form);
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain('The request body is too large');
    expect(await rowsFor(small, form['submitter.email'])).toHaveLength(0);
  });
});
