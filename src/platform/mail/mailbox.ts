/** Domains whose mailboxes ignore dots in the local part, and the one name they share. */
const DOTLESS_DOMAINS: Record<string, string> = { 'gmail.com': 'gmail.com', 'googlemail.com': 'gmail.com' };

/**
 * The inbox an address delivers to, as far as we can tell from its text: lower case, no
 * `+tag`, and for Gmail no dots and one domain name. Used only to count (form limits,
 * automatic replies), never to send.
 */
export function mailboxOf(email: string): { mailbox: string; domain: string } {
  const address = email.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  if (at < 0) return { mailbox: address, domain: '' };
  let local = address.slice(0, at);
  let domain = address.slice(at + 1).replace(/\.+$/, '');
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  const dotless = DOTLESS_DOMAINS[domain];
  if (dotless) {
    domain = dotless;
    local = local.replaceAll('.', '');
  }
  return { mailbox: `${local}@${domain}`, domain };
}
