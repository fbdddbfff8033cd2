/**
 * Text as Postgres will store it: no NUL (a text column refuses it, and the whole insert fails)
 * and no other C0 control but tab, line feed and carriage return (they mean nothing in a title or
 * a description, and only trouble in a page or a log), and no lone UTF-16 surrogate. The raw
 * message keeps every byte; this is only for the text read out of it.
 */
export function storableText(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').toWellFormed();
}
