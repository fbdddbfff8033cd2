import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app/http-app.ts';
import { httpSettings } from '../../src/app/app-deps.ts';
import { loadConfig } from '../../src/platform/config/config.ts';
import { mailboxOf } from '../../src/platform/mail/mailbox.ts';
import { BROWSER, FORM } from '../support/browser-requests.ts';
import { createTestStack, csrfFrom, formBody, type TestStack } from '../support/test-stack.ts';

let n = 0;
function submission(email: string) {
  n += 1;
  return {
    title: `Intune rollout ${n} for a logistics firm`,
    description: 'Roll out Intune to 300 seats with conditional access and a pilot group.',
    requiredSkills: ['identity-access-management'],
    regions: ['dach'],
    'submitter.name': 'Eva Berger',
    'submitter.company': 'Berger Logistik',
    'submitter.email': email,
  };
}

/** Posts /submit as a browser would, from `remoteAddress`, with whatever headers the client adds. */
async function postSubmit(app: App, fields: Record<string, string | string[]>, remoteAddress: string, headers: Record<string, string> = {}) {
  const page = await app.inject({ method: 'GET', url: '/submit', headers: BROWSER, remoteAddress });
  const { token, cookie } = csrfFrom(page);
  return app.inject({ method: 'POST', url: '/submit', remoteAddress, headers: { ...FORM, cookie, ...headers }, payload: formBody({ _csrf: token, ...fields }) });
}

describe('TRUST_PROXY', () => {
  const trust = (value?: string) => loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy;

  it('is off by default and takes a hop count or addresses and CIDR blocks', () => {
    expect(trust()).toBe(false);
    expect(trust('off')).toBe(false);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.0/8, 192.168.1.7,fd00::/8')).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
  });

  it('refuses "trust everyone" and malformed blocks', () => {
    for (const bad of ['true', 'on', '*', '10.0.0.0/33', 'proxy.internal', '1.2.3.4/8/1']) {
      expect(() => trust(bad), bad).toThrow(/TRUST_PROXY: must be off, a hop count/);
    }
  });
});

describe('client addresses and mailboxes on the forms', () => {
  let t: TestStack;
  const extraApps: App[] = [];
  beforeAll(async () => {
    t = await createTestStack({ SUBMIT_RATE_PER_HOUR: '20' });
  });
  afterAll(async () => {
    await Promise.all(extraApps.map((app) => app.close()));
    await t?.close();
  });

  const appTrusting = async (trustProxy: false | number | string[]) => {
    const app = await buildApp({ ...t.c, settings: { ...httpSettings(t.config, 'smtp'), trustProxy } });
    extraApps.push(app);
    return app;
  };

  it('with TRUST_PROXY off, counts 100 posts with 100 X-Forwarded-For addresses against the one peer', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const response = await postSubmit(t.app, submission(`xff.${i}@sender-${i}.example`), '203.0.113.50', { 'x-forwarded-for': `198.51.100.${i}` });
      statuses.push(response.statusCode);
    }
    expect(statuses.filter((s) => s === 303)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(80);
  });

  it('believes X-Forwarded-For only from a configured proxy', async () => {
    const behindProxy = await appTrusting(['10.0.0.0/8']);
    // From the proxy: each client has its own allowance.
    for (let i = 0; i < 25; i++) {
      const response = await postSubmit(behindProxy, submission(`proxied.${i}@proxied-${i}.example`), '10.1.2.3', { 'x-forwarded-for': `192.0.2.${i}` });
      expect(response.statusCode, `client ${i}`).toBe(303);
    }
    // Not from the proxy: the header is the client's word, and the peer is counted.
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const response = await postSubmit(behindProxy, submission(`direct.${i}@direct-${i}.example`), '203.0.113.77', { 'x-forwarded-for': `192.0.2.${100 + i}` });
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 20).every((s) => s === 303)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it('reads one mailbox behind case, plus-tags and Gmail dots', () => {
    expect(mailboxOf(' Eva.Berger+digest@GoogleMail.com ')).toEqual({ mailbox: 'evaberger@gmail.com', domain: 'gmail.com' });
    expect(mailboxOf('e.v.a.berger@gmail.com').mailbox).toBe('evaberger@gmail.com');
    // Elsewhere dots matter; a plus-tag still goes to the same inbox.
    expect(mailboxOf('Eva.Berger+x@Berger-Logistik.example')).toEqual({ mailbox: 'eva.berger@berger-logistik.example', domain: 'berger-logistik.example' });
    expect(mailboxOf('+only@example.com').mailbox).toBe('+only@example.com');
  });

  it('sends one mailbox its allowance of confirmations (a quarter of the hourly limit), whatever its spelling and IP', async () => {
    const spellings = ['victim@gmail.com', 'Victim+1@gmail.com', 'v.i.c.t.i.m@gmail.com', 'vic.tim+news@googlemail.com', 'VICTIM+2@GMAIL.COM', 'v.ictim+3@gmail.com'];
    const statuses: number[] = [];
    for (const [i, email] of spellings.entries()) {
      statuses.push((await postSubmit(t.app, submission(email), `198.18.0.${i + 1}`)).statusCode);
    }
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429]);
    const stored = await t.c.db.selectFrom('opportunities').select('submitterEmail').where('submitterEmail', 'in', spellings).execute();
    expect(stored).toHaveLength(5);
  });

  it('also limits the same on /join', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/join', headers: BROWSER });
    const { token, cookie } = csrfFrom(page);
    const join = (email: string, i: number) =>
      t.app.inject({
        method: 'POST',
        url: '/join',
        remoteAddress: `198.19.0.${i + 1}`,
        headers: { ...FORM, cookie },
        payload: formBody({ _csrf: token, company: `Joiner ${i}`, contactName: 'Jo', email, skills: ['identity-access-management'], regions: ['dach'], consent: 'on' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await join(`j.o.i.n.e.r+${i}@gmail.com`, i)).statusCode);
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429]);
  });

  it('limits confirmations to one recipient domain, whatever the mailboxes', async () => {
    const statuses: number[] = [];
    // 20 mailboxes' allowances of 5: the 101st confirmation to the domain is refused.
    for (let i = 0; i < 101; i++) {
      statuses.push((await postSubmit(t.app, submission(`person${i}@one-company.example`), `198.20.${Math.floor(i / 16)}.${i % 16}`)).statusCode);
    }
    expect(statuses.slice(0, 100).every((s) => s === 303)).toBe(true);
    expect(statuses[100]).toBe(429);
  });
});
