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
  let domain = byHost.get(host);
  if (domain === undefined) {
    // freemail scans its ~90,000 domains one by one (about half a millisecond a miss), and
    // matching a partner asks once per open opportunity: each host is looked up once.
    if (byHost.size >= HOSTS_REMEMBERED) byHost.clear();
    domain = isFree(`x@${host}`) ? null : (getDomain(host, { allowPrivateDomains: true }) ?? host);
    byHost.set(host, domain);
  }
  return domain;
}

const HOSTS_REMEMBERED = 10_000;
const byHost = new Map<string, string | null>();
