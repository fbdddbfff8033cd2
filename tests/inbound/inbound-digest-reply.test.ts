import { describe, expect, it } from 'vitest';
import { digestIdOfReplyAddress, ownWords, readDigestReply, replyAddressFor } from '../../src/inbound/replies/digest-reply.ts';

const secrets = ['current-secret-current-secret-0000', 'previous-secret-previous-secret-00'];
const digestId = '0b9c7a52-3f0e-4d61-9a7e-2d1c5b8e4f10';

describe('digest reply addresses', () => {
  it('fit in a local part (64) and survive lower-casing', () => {
    const address = replyAddressFor(secrets, digestId, 'in.p2p.test');
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(digestIdOfReplyAddress(secrets, address.toUpperCase())).toBe(digestId);
  });

  it('verify with a previous secret and refuse a forged MAC', () => {
    const old = replyAddressFor([secrets[1]!], digestId, 'in.p2p.test');
    expect(digestIdOfReplyAddress(secrets, old)).toBe(digestId);
    const forged = old.replace(/[0-9a-f](@)/, (m, at: string) => (m[0] === '0' ? '1' : '0') + at);
    expect(digestIdOfReplyAddress(secrets, forged)).toBeNull();
    expect(digestIdOfReplyAddress(secrets, 'reply+nothing@in.p2p.test')).toBeNull();
  });
});

describe('reading a reply to a digest', () => {
  it('records "interested" with exactly one card number', () => {
    expect(readDigestReply('Interested in #3, call me.')).toEqual({ kind: 'interest', card: 3 });
    expect(readDigestReply('We are interested in # 2')).toEqual({ kind: 'interest', card: 2 });
  });

  it('finds anything else unclear', () => {
    expect(readDigestReply('#3 looks nice')).toMatchObject({ kind: 'unclear' });
    expect(readDigestReply('interested!')).toMatchObject({ kind: 'unclear', why: 'no card number' });
    expect(readDigestReply('interested in #1 and #4')).toMatchObject({ kind: 'unclear', why: 'more than one card number' });
    expect(readDigestReply('Not interested in #2')).toMatchObject({ kind: 'unclear' });
  });

  it('ignores the quoted digest', () => {
    expect(ownWords('Thanks\n\nOn Mon, 1 Dec 2026 p2p-digest wrote:\n> interested #1')).toBe('Thanks\n');
    expect(readDigestReply('Hello\n> I am interested #1')).toMatchObject({ kind: 'unclear' });
  });
});
