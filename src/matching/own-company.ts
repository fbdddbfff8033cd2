import { isFree } from 'freemail';
import { getDomain } from 'tldts';

/**
 * The mail domain that identifies the submitter's own company: the registrable domain of their
 * address (`uk.contoso.example` → `contoso.example`), or null at a free mail provider, where
 * sharing a domain says nothing about sharing a company. A partner whose address is on this
 * domain (or under it) is the submitter's own company and is never matched to its opportunity.
 */
export function ownMailDomainOf(submitterEmail: string | null | undefined): string | null {
  const address = submitterEmail?.trim().toLowerCase() ?? '';
  const host = address.slice(address.lastIndexOf('@') + 1);
  if (!address.includes('@') || !host) return null;
  if (isFree(address)) return null;
  return getDomain(host, { allowPrivateDomains: true }) ?? host;
}
