/**
 * An application/x-www-form-urlencoded body decoded to bytes, not strings: a raw message in a
 * form field (Mailgun's `body-mime`) may hold 8-bit bytes in any charset, which a UTF-8 string
 * decoder would replace. The first value of a repeated name wins.
 */
export function parseUrlEncodedForm(body: Buffer): Map<string, Buffer> {
  const fields = new Map<string, Buffer>();
  for (const pair of body.toString('latin1').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = percentDecode(eq < 0 ? pair : pair.slice(0, eq)).toString('utf8');
    if (!fields.has(name)) fields.set(name, percentDecode(eq < 0 ? '' : pair.slice(eq + 1)));
  }
  return fields;
}

const isHex = (code: number) => (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);

/** `+` is a space, `%XX` a byte; anything else stands for itself (latin1: one char, one byte). */
function percentDecode(text: string): Buffer {
  const bytes = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2b) {
      bytes[n++] = 0x20;
    } else if (code === 0x25 && i + 2 < text.length && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
      bytes[n++] = parseInt(text.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      bytes[n++] = code;
    }
  }
  return bytes.subarray(0, n);
}
