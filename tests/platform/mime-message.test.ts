import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMimeMessage } from '../../src/platform/mail/mime-message.ts';

const base = {
  from: 'p2p-digest <digest@digest.example>',
  to: 'anna@partners.example',
  subject: 'Hello',
  messageId: '<m.1@digest.example>',
  headers: { 'List-Unsubscribe': '<https://digest.example/u/x>', 'Auto-Submitted': 'auto-generated' },
  html: '<p>Hello</p>\n<p>again</p>',
  text: 'Hello\nagain',
};

describe('a message built as raw bytes for nodemailer', () => {
  it('reads back as what was given: parts, headers, addresses, and CRLF line ends throughout', async () => {
    const raw = buildMimeMessage(base);
    const text = raw.toString('latin1');
    expect(text).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
    const mail = await simpleParser(raw);
    expect(mail.html).toBe(base.html);
    expect(mail.text).toBe(base.text);
    expect(mail.subject).toBe('Hello');
    expect(mail.messageId).toBe('<m.1@digest.example>');
    expect(mail.from?.value).toEqual([{ name: 'p2p-digest', address: 'digest@digest.example' }]);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(text).toMatch(/^MIME-Version: 1\.0\r$/m);
    expect(text).toMatch(/^Date: /m);
    expect(text.match(/Content-Transfer-Encoding: 7bit/g)).toHaveLength(2);
  });

  it('encodes what 7bit cannot carry: text past ASCII as quoted-printable, such HTML or a long line as base64', async () => {
    const words = 'Zürich – Café “Ö” ☕ 東京 🚀';
    const longLine = `<p>${'x'.repeat(1200)}</p>`;
    for (const [html, encoding] of [[`<p>${words}</p>`, 'base64'], [longLine, 'base64'], ['<p>plain</p>', '7bit']] as const) {
      const text = `${words}\n${'=· '.repeat(60)}\nplain line\n  indented  \nend `;
      const raw = buildMimeMessage({ ...base, subject: `Über ${words}`, from: 'Jürgen Müller <j@digest.example>', html, text });
      const source = raw.toString('latin1');
      expect(source).toMatch(/Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable/);
      expect(source).toMatch(new RegExp(`Content-Type: text/html; charset=utf-8\\r\\nContent-Transfer-Encoding: ${encoding}`));
      expect(Math.max(...source.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(998);
      expect(Buffer.byteLength(source)).toBe(source.length); // ASCII only: headers are encoded words, bodies encoded
      const mail = await simpleParser(raw);
      expect(mail.html).toBe(html);
      expect(mail.text).toBe(text);
      expect(mail.subject).toBe(`Über ${words}`);
      expect(mail.from?.value).toEqual([{ name: 'Jürgen Müller', address: 'j@digest.example' }]);
    }
  });

  it('reads back any text given as quoted-printable, in lines of at most 76 characters', { timeout: 60_000 }, async () => {
    const piece = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 90 }),
      fc.constantFrom('=', ' ', '\t', '  indented', 'ends in a space ', 'ends in a tab\t', '='.repeat(90), 'é'.repeat(50), '–·…', '🚀x'.repeat(30)),
    );
    const texts = fc
      .array(fc.array(piece, { maxLength: 4 }).map((parts) => parts.join('')), { minLength: 1, maxLength: 8 })
      // Line ends are the message's (CRLF on the wire, LF as read back); a bare CR is not text.
      .map((lines) => `é ${lines.join('\n').replace(/\r/g, '')}`);
    await fc.assert(
      fc.asyncProperty(texts, async (text) => {
        const raw = buildMimeMessage({ ...base, text });
        const source = raw.toString('latin1');
        const boundary = /boundary="([^"]+)"/.exec(source)![1]!;
        const body = source.split('Content-Transfer-Encoding: quoted-printable\r\n\r\n')[1]!.split(`\r\n--${boundary}`)[0]!;
        expect(Math.max(...body.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(76);
        expect(body).not.toMatch(/[ \t](\r\n|$)/);
        expect((await simpleParser(raw)).text).toBe(text);
      }),
      { numRuns: 150, seed: 20261205 },
    );
  });
});
