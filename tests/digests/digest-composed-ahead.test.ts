/**
 * Composed ahead (issue 14): building a row also renders its message, MIME and all but its Date,
 * and stores it with a fingerprint of what it was made from. At the send moment the stored
 * bytes go to SMTP without rendering, dated then; whatever changed in between (an opportunity's
 * text, the partner's address, the templates) makes the sender render the digest again.
 */
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDigestService } from '../../src/digests/digest.service.ts';
import { digestSubject, loadDigestRenderer, type DigestRenderer } from '../../src/digests/digest-render.ts';
import { createLinks } from '../../src/platform/links/links.ts';
import { SkillCatalogue } from '../../src/skills/skill-catalogue.ts';
import { addOpportunity, addPartner, digestMailsTo } from '../support/digest-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;
let base: DigestRenderer;

beforeAll(async () => {
  t = await createTestStack();
  base = await loadDigestRenderer();
});
afterAll(async () => {
  await t?.close();
});

/**
 * The digest service with a renderer that counts its renders (and names its templates `version`);
 * `links` where its links lead; `deploy` the build of the code and the skills it knows.
 */
function service(version = base.version, links = t.c.links, deploy: { codeVersion?: string; catalogue?: SkillCatalogue } = {}) {
  const renders: string[] = [];
  const renderer: DigestRenderer = {
    version,
    render(view) {
      renders.push(view.company);
      return base.render(view);
    },
  };
  const digests = createDigestService({
    ...t.c,
    ...deploy,
    links,
    renderer,
    subjectFor: digestSubject,
    settings: { mailDomain: 'p2p.test', unsubscribeMailto: 'u@p2p.test', operator: 'p2p-digest test operator', leaseSeconds: 60, maxSendAttempts: 3 },
  });
  return { digests, renders };
}

const rowOf = (id: string) =>
  t.c.db
    .selectFrom('digests')
    .select(['status', 'subject', 'messageId', 'composedMessage', 'composedFingerprint'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

/** A partner with a row built (and composed) for them alone, one opportunity on it (a skill no other test uses). */
async function builtFor(key: string, skill: string, title: string, digests: ReturnType<typeof service>['digests']) {
  const opportunityId = await addOpportunity(t, title, [skill], { remote: true, regions: [] });
  const partnerId = await addPartner(t, key, [skill]);
  const [id] = await digests.enqueueRound({ everyone: true, partnerId });
  expect(await digests.buildMany([id!])).toEqual(new Map([[id!, 'ready']]));
  return { id: id!, partnerId, opportunityId };
}

describe('a digest composed ahead', () => {
  it('goes as stored at its send moment: no rendering then, dated when sent, the stored copy cleared', { timeout: 30_000 }, async () => {
    const { digests, renders } = service();
    const { id } = await builtFor('stored', 'Sentinel', 'Sentinel playbooks for a retailer', digests);
    expect(renders).toHaveLength(1);
    const built = await rowOf(id);
    // Stored deflated (raw DEFLATE): the message as the mailer composed it, ASCII, without a Date.
    const stored = inflateRawSync(built.composedMessage!).toString('latin1');
    expect(built.composedMessage!.length).toBeLessThan(stored.length / 2);
    expect(stored).toMatch(/^[\t\r\n\x20-\x7e]+$/);
    expect(stored).not.toMatch(/^Date:/m);
    expect(stored).toContain('Sentinel playbooks for a retailer');
    expect(built.composedFingerprint).toMatch(/^[\w-]{43}$/);
    expect(built.subject).toContain('Sentinel playbooks for a retailer');

    // A second later than the build: the Date header is the send's, not the build's.
    await new Promise((r) => setTimeout(r, 1_100));
    const before = Math.floor(Date.now() / 1000) * 1000;
    expect(await digests.sendMany([id])).toEqual(new Map([[id, { outcome: 'sent' }]]));
    expect(renders).toHaveLength(1);

    const [mail] = digestMailsTo(t, 'stored@partners.example');
    expect(mail).toBeDefined();
    expect(mail!.raw.match(/^Date: /gm)).toHaveLength(1);
    expect(mail!.parsed.date!.getTime()).toBeGreaterThanOrEqual(before);
    const sent = await rowOf(id);
    expect(mail!.parsed.messageId).toBe(sent.messageId);
    expect(mail!.parsed.subject).toBe(built.subject);
    expect(mail!.parsed.text).toContain('Sentinel playbooks for a retailer');
    expect(mail!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(sent).toMatchObject({ status: 'sent', subject: built.subject, composedMessage: null, composedFingerprint: null });
  });

  it('is rendered again when an opportunity on it was edited after the build', { timeout: 30_000 }, async () => {
    const { digests, renders } = service();
    const { id, opportunityId } = await builtFor('edited', 'Intune', 'Sentinel rules for a clinic', digests);
    await t.c.db.updateTable('opportunities').set({ title: 'Sentinel rules and SOAR for a clinic' }).where('id', '=', opportunityId).execute();
    expect(await digests.sendMany([id])).toEqual(new Map([[id, { outcome: 'sent' }]]));
    expect(renders).toHaveLength(2);
    const [mail] = digestMailsTo(t, 'edited@partners.example');
    expect(mail!.parsed.subject).toContain('Sentinel rules and SOAR for a clinic');
    expect(mail!.parsed.text).toContain('Sentinel rules and SOAR for a clinic');
    expect(await rowOf(id)).toMatchObject({ status: 'sent', subject: mail!.parsed.subject });
  });

  it('is rendered again, to the new address, when the partner changed theirs after the build', { timeout: 30_000 }, async () => {
    const { digests, renders } = service();
    const { id, partnerId } = await builtFor('moved', 'AKS', 'Sentinel for a law firm', digests);
    await t.c.db.updateTable('partners').set({ email: 'moved-new@partners.example' }).where('id', '=', partnerId).execute();
    expect(await digests.sendMany([id])).toEqual(new Map([[id, { outcome: 'sent' }]]));
    expect(renders).toHaveLength(2);
    expect(digestMailsTo(t, 'moved@partners.example')).toHaveLength(0);
    const [mail] = digestMailsTo(t, 'moved-new@partners.example');
    expect(mail!.parsed.to).toMatchObject({ value: [{ address: 'moved-new@partners.example' }] });
    expect(mail!.parsed.text).toMatch(/joined p2p-digest with\s+moved-new@partners\.example/);
  });

  // A deploy between the build and the send: what the sending process composes with differs.
  it.each([
    ['whose templates differ from those it was composed with', 'redeployed', 'Azure Arc', () => service(`${base.version}-next`)],
    ['of another build of the code', 'upgraded', 'Azure Virtual Desktop', () => service(base.version, t.c.links, { codeVersion: `${t.c.codeVersion}-next` })],
  ])('is rendered again by a service %s', { timeout: 30_000 }, async (_, key, skill, sendingService) => {
    const building = service();
    const { id } = await builtFor(key, skill, `${skill} work for a city council`, building.digests);
    const sending = sendingService();
    expect(await sending.digests.sendMany([id])).toEqual(new Map([[id, { outcome: 'sent' }]]));
    expect(building.renders).toHaveLength(1);
    expect(sending.renders).toHaveLength(1);
    expect(digestMailsTo(t, `${key}@partners.example`)).toHaveLength(1);
  });

  it('is rendered again by a service whose links lead to another public URL', { timeout: 30_000 }, async () => {
    const building = service();
    const { id } = await builtFor('rehomed', 'Microsoft Defender for Endpoint', 'EDR rollout for a clinic', building.digests);
    const sending = service(base.version, createLinks('https://digest.moved.example', t.c.signer));
    expect(await sending.digests.sendMany([id])).toEqual(new Map([[id, { outcome: 'sent' }]]));
    expect(sending.renders).toHaveLength(1);
    const [mail] = digestMailsTo(t, 'rehomed@partners.example');
    expect(mail!.parsed.text).toContain('https://digest.moved.example/');
  });

  it('is rendered again, with the new name, when a skill on it was renamed in the taxonomy since', { timeout: 30_000 }, async () => {
    const building = service();
    const { id } = await builtFor('renamed', 'Power BI', 'Power BI dashboards for a brewery', building.digests);
    const powerBi = t.c.catalogue.resolve('Power BI')!;
    const renamed = new SkillCatalogue(t.c.catalogue.skills.map((s) => (s.id === powerBi.id ? { ...s, label: 'Power BI (Fabric)' } : s)));
    const sending = service(base.version, t.c.links, { catalogue: renamed });
    expect(await sending.digests.sendMany([id])).toEqual(new Map([[id, { outcome: 'sent' }]]));
    expect(sending.renders).toHaveLength(1);
    const [mail] = digestMailsTo(t, 'renamed@partners.example');
    expect(mail!.parsed.text).toContain('Power BI (Fabric)');
  });

  it('is rendered again when its stored message cannot be read', { timeout: 30_000 }, async () => {
    const { digests, renders } = service();
    const { id } = await builtFor('garbled', 'Microsoft Sentinel', 'SIEM tuning for a logistics firm', digests);
    // Not raw DEFLATE: inflating it throws.
    await t.c.db.updateTable('digests').set({ composedMessage: Buffer.from([0xff, 0xff, 0xff, 0xff]) }).where('id', '=', id).execute();
    expect(await digests.sendMany([id])).toEqual(new Map([[id, { outcome: 'sent' }]]));
    expect(renders).toHaveLength(2);
    const [mail] = digestMailsTo(t, 'garbled@partners.example');
    expect(mail!.parsed.text).toContain('SIEM tuning for a logistics firm');
    expect(await rowOf(id)).toMatchObject({ status: 'sent', subject: mail!.parsed.subject, composedMessage: null });
  });

  it('is rendered again when its fingerprint still matches but the stored message is gone', { timeout: 30_000 }, async () => {
    const { digests, renders } = service();
    const { id } = await builtFor('cleared', 'Exchange Online', 'Mailbox migration for a notary', digests);
    await t.c.db.updateTable('digests').set({ composedMessage: null }).where('id', '=', id).execute();
    expect((await rowOf(id)).composedFingerprint).not.toBeNull();
    expect(await digests.sendMany([id])).toEqual(new Map([[id, { outcome: 'sent' }]]));
    expect(renders).toHaveLength(2);
    const [mail] = digestMailsTo(t, 'cleared@partners.example');
    expect(mail!.parsed.text).toContain('Mailbox migration for a notary');
    expect(await rowOf(id)).toMatchObject({ status: 'sent', subject: mail!.parsed.subject });
  });
});
