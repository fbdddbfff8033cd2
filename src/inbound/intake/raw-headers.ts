/**
 * Reads header fields straight from a raw message's header block, without parsing the MIME
 * body: intake needs the Message-ID (and the webhook the To/Cc) before anything is stored, and
 * a full parse of a 10 MB message is neither cheap nor safe to do before the bytes are saved.
 */

/** Header blocks beyond this are not searched: a real one is a few KB, a hostile one is endless. */
const MAX_HEADER_BYTES = 256 * 1024;

/** The header block (latin1, so any byte survives), unfolded: one field a line. */
export function headerBlock(raw: Buffer): string {
  const window = raw.subarray(0, MAX_HEADER_BYTES);
  const crlf = window.indexOf('\r\n\r\n');
  const lf = window.indexOf('\n\n');
  const ends = [crlf, lf].filter((i) => i >= 0);
  const end = ends.length ? Math.min(...ends) : window.length;
  return window.subarray(0, end).toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
}

/** Every value of the named field, trimmed, in order. */
export function headerValues(raw: Buffer, name: string): string[] {
  const prefix = `${name.toLowerCase()}:`;
  return headerBlock(raw)
    .split(/\r?\n/)
    .filter((line) => line.toLowerCase().startsWith(prefix))
    .map((line) => line.slice(prefix.length).trim());
}

/** The Message-ID as given (`<id@host>`), or null when the message has none. */
export function messageIdOf(raw: Buffer): string | null {
  const value = headerValues(raw, 'message-id')[0];
  return value ? value.slice(0, 998) : null;
}

/** Bare addresses (`a@b`) in address header values, lower-cased; display names are ignored. */
export function addressesIn(values: string[]): string[] {
  const found = values.flatMap((v) => v.match(/[^\s<>,;:"()]+@[^\s<>,;:"()]+/g) ?? []);
  return [...new Set(found.map((a) => a.toLowerCase()))];
}
