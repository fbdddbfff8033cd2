import type { Config } from '../../platform/config/config.ts';

export type IntakeAddressConfig = Pick<Config, 'intakeAddresses' | 'unsubscribeMailto'>;

/**
 * Digests carry a signed `Reply-To: reply+<token>@<intake domain>`, and every mail we send a signed
 * return path `bounce+<token>@<intake domain>`; the processing side checks the tokens.
 */
const TOKEN_ADDRESS = /^(?:reply|bounce)\+[^@\s]+@([^@\s]+)$/;

/**
 * Whether mail to `address` is ours to take: an intake address, the List-Unsubscribe mailto
 * address, or a `reply+<anything>@` or `bounce+<anything>@` address on the domain of an intake address. Anything else is
 * refused at RCPT TO (SMTP) or left out (webhook), so we never become a relay or a spam bucket.
 * Compared case-insensitively (local parts are case-sensitive by the RFC, but no one relies on it).
 */
export function isIntakeRecipient(address: string, config: IntakeAddressConfig): boolean {
  const candidate = address.trim().toLowerCase();
  if (config.intakeAddresses.includes(candidate)) return true;
  if (candidate === config.unsubscribeMailto.toLowerCase()) return true;
  const tokenDomain = TOKEN_ADDRESS.exec(candidate)?.[1];
  return tokenDomain !== undefined && intakeDomains(config).has(tokenDomain);
}

function intakeDomains(config: IntakeAddressConfig): Set<string> {
  return new Set(config.intakeAddresses.map((a) => a.slice(a.lastIndexOf('@') + 1)));
}
