import { describe, expect, it } from 'vitest';
import { createLinkSigner, LINK_PURPOSES } from '../../src/platform/links/link-tokens.ts';

const now = new Date('2026-11-22T10:00:00Z');
const PARTNER_ID = '0b9d7c1e-4f3a-4e2b-9c8d-7a6b5c4d3e2f';
const OPPORTUNITY_ID = '5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716';
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe('signed link tokens', () => {
  const signer = createLinkSigner(['current-secret-current-secret-0000']);

  it('round-trips purpose, subject and expiry, as base64url without padding', () => {
    const token = signer.sign('confirm-partner', PARTNER_ID, 3600, now);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(signer.verify(token, 'confirm-partner', now)).toEqual({
      ok: true,
      claims: { purpose: 'confirm-partner', subject: PARTNER_ID, expiresAt: now.getTime() / 1000 + 3600 },
    });
  });

  it('rejects a token used for another purpose', () => {
    const token = signer.sign('opportunity-status', 'o-1', 3600, now);
    expect(signer.verify(token, 'unsubscribe', now)).toEqual({ ok: false, reason: 'wrong-purpose' });
  });

  it('rejects an expired token', () => {
    const token = signer.sign('unsubscribe', 'a@b.example', 60, now);
    expect(signer.verify(token, 'unsubscribe', later(59)).ok).toBe(true);
    expect(signer.verify(token, 'unsubscribe', later(60))).toEqual({ ok: false, reason: 'expired' });
  });

  it('rejects any change to the payload or signature', () => {
    const token = signer.sign('confirm-opportunity', 'o-1', 3600, now);
    const [kid, payload, sig] = token.split('.') as [string, string, string];
    const forgedPayload = Buffer.from(JSON.stringify({ p: 'confirm-opportunity', s: 'o-2', e: 9_999_999_999 })).toString('base64url');
    expect(signer.verify(`${kid}.${forgedPayload}.${sig}`, 'confirm-opportunity', now)).toEqual({ ok: false, reason: 'bad-signature' });
    const flipped = sig.startsWith('A') ? `B${sig.slice(1)}` : `A${sig.slice(1)}`;
    expect(signer.verify(`${kid}.${payload}.${flipped}`, 'confirm-opportunity', now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects malformed input without throwing', () => {
    for (const bad of ['', 'abc', 'a.b', 'a.b.c.d', 'a b.c.d', '../../etc/passwd']) {
      expect(signer.verify(bad, 'unsubscribe', now).ok).toBe(false);
    }
  });

  it('refuses a well-signed token whose subject does not have the shape of its purpose', () => {
    const shapes: Array<[Parameters<typeof signer.sign>[0], string, string]> = [
      ['confirm-partner', PARTNER_ID, 'partner-1'],
      ['preferences', PARTNER_ID, "1' OR '1'='1"],
      ['opportunity-status', OPPORTUNITY_ID, '------------------------------------'],
      ['email-draft', OPPORTUNITY_ID, `${OPPORTUNITY_ID}\u0000`],
      ['interest', `${PARTNER_ID}:${OPPORTUNITY_ID}`, `${PARTNER_ID}:x`],
      ['not-relevant', `${PARTNER_ID}:${OPPORTUNITY_ID}`, PARTNER_ID],
      ['unsubscribe', 'a@b.example', 'a\u0000@b.example'],
    ];
    for (const [purpose, good, bad] of shapes) {
      expect(signer.verify(signer.sign(purpose, good, 3600, now), purpose, now).ok).toBe(true);
      expect(signer.verify(signer.sign(purpose, bad, 3600, now), purpose, now)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('keeps verifying tokens signed with a previous secret after rotation, until it is dropped', () => {
    const old = createLinkSigner(['old-secret-old-secret-old-secret-00']);
    const token = old.sign('unsubscribe', 'a@b.example', 3600, now);
    const rotated = createLinkSigner(['new-secret-new-secret-new-secret-00', 'old-secret-old-secret-old-secret-00']);
    expect(rotated.verify(token, 'unsubscribe', now).ok).toBe(true);
    const dropped = createLinkSigner(['new-secret-new-secret-new-secret-00']);
    expect(dropped.verify(token, 'unsubscribe', now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('packs a digest button token into 80 characters, and keeps every claim', () => {
    const subject = `${PARTNER_ID}:${OPPORTUNITY_ID}`;
    const token = signer.sign('interest', subject, 30 * 86_400, now);
    // Twenty of these go into each part of a digest: 197 characters each in the JSON format.
    expect(token.length).toBeLessThanOrEqual(80);
    expect(signer.verify(token, 'interest', now)).toEqual({
      ok: true,
      claims: { purpose: 'interest', subject, expiresAt: now.getTime() / 1000 + 30 * 86_400 },
    });
    expect(signer.verify(token, 'not-relevant', now)).toEqual({ ok: false, reason: 'wrong-purpose' });
    // Any other subject (an address, a string of another shape) packs as it is.
    for (const [purpose, other] of [['unsubscribe', 'anna.o+digest@müller.example'], ['confirm-opportunity', 'O-1']] as const) {
      const t = signer.sign(purpose, other, 60, now);
      expect(signer.verify(t, purpose, now)).toMatchObject(purpose === 'unsubscribe' ? { ok: true, claims: { subject: other } } : { ok: false, reason: 'malformed' });
    }
    // A changed byte anywhere, or the whole HMAC where the packed format has 16 bytes of it, fails.
    const [kid, payload, sig] = token.split('.') as [string, string, string];
    const bytes = Buffer.from(payload, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const changed = Buffer.from(bytes);
      changed[i] = changed[i]! ^ 1;
      expect(signer.verify(`${kid}.${changed.toString('base64url')}.${sig}`, 'interest', now)).toEqual({ ok: false, reason: 'bad-signature' });
    }
    expect(signer.verify(`${kid}.${payload}.${sig}${sig}`, 'interest', now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('packs every purpose: a uuid subject is at most 80 characters, two uuids too', () => {
    expect(LINK_PURPOSES).toContain('outcome');
    for (const purpose of LINK_PURPOSES.filter((p) => p !== 'unsubscribe')) {
      const subject = purpose === 'interest' || purpose === 'not-relevant' ? `${PARTNER_ID}:${OPPORTUNITY_ID}` : OPPORTUNITY_ID;
      const token = signer.sign(purpose, subject, 365 * 86_400, now);
      expect(token.length, purpose).toBeLessThanOrEqual(80);
      expect(signer.verify(token, purpose, now), purpose).toMatchObject({ ok: true, claims: { purpose, subject } });
    }
  });

  it('still verifies the links sent before tokens were packed (JSON payload, whole HMAC)', () => {
    // Signed by the former format with this test's secret (2026-11-22T10:00Z, an hour).
    const interest =
      'OE3ONu.eyJwIjoiaW50ZXJlc3QiLCJzIjoiMGI5ZDdjMWUtNGYzYS00ZTJiLTljOGQtN2E2YjVjNGQzZTJmOjVlNGQzYzJiLTFhMDktNGY4ZS04ZDdjLTZiNWE0OTM4MjcxNiIsImUiOjE3OTUzNDUyMDB9.FkTOCKl2hz9WJKwKwcQbgg58B9X_rZPedD5p7dAswPs';
    const unsubscribe = 'OE3ONu.eyJwIjoidW5zdWJzY3JpYmUiLCJzIjoiYUBiLmV4YW1wbGUiLCJlIjoxNzk1MzQ1MjAwfQ.bT1i0eG_g3NiMkRYgPaFDqp8wyFnYnMyITDIW8LLITw';
    expect(signer.verify(interest, 'interest', now)).toEqual({
      ok: true,
      claims: { purpose: 'interest', subject: `${PARTNER_ID}:${OPPORTUNITY_ID}`, expiresAt: now.getTime() / 1000 + 3600 },
    });
    expect(signer.verify(unsubscribe, 'unsubscribe', now)).toMatchObject({ ok: true, claims: { subject: 'a@b.example' } });
    expect(signer.verify(interest, 'interest', later(3600))).toEqual({ ok: false, reason: 'expired' });
    // The former format's HMAC cut to the packed length is not accepted for it.
    const [kid, payload, sig] = interest.split('.') as [string, string, string];
    const cut = Buffer.from(sig, 'base64url').subarray(0, 16).toString('base64url');
    expect(signer.verify(`${kid}.${payload}.${cut}`, 'interest', now)).toEqual({ ok: false, reason: 'bad-signature' });
  });
});
