import { promises as dns } from 'node:dns';
import { authenticate, type DNSResolver } from 'mailauth';
import { getDomain } from 'tldts';

export type { DNSResolver };

/** Who may claim to have sent a message, and why we believe it or not. */
export interface SenderTrust {
  /** DMARC passed (SPF or DKIM aligned with the From domain) for the one From address. */
  verified: boolean;
  /**
   * The From address's domain vouches for this message: DMARC passed, or (the domain publishing no
   * DMARC verdict either way) SPF or DKIM passed for a domain aligned with it. Only such a sender
   * may get an automatic reply: anything else may be a forged From, and answering it is backscatter.
   */
  fromAuthenticated: boolean;
  /** The From header's address, lower-cased, as mailauth read it; null when there is not exactly one. */
  fromAddress: string | null;
  /** For people and logs: "dmarc=pass spf=pass dkim=pass", or why not. */
  reason: string;
}

export interface AuthEnvelope {
  mailFrom: string;
  /**
   * The connecting client's IP. On the SMTP path it is the sender's MTA, so SPF means something;
   * on the webhook path it is the provider's, so SPF there mostly fails and DMARC rests on DKIM.
   */
  remoteIp: string | null;
  helo: string | null;
}

export interface AuthSettings {
  /** Our hostname, as written into Authentication-Results. */
  mta: string;
  /** DNS lookups; production leaves it out (the system resolver), tests serve records offline. */
  resolver?: DNSResolver;
  /** Each lookup's limit; all of one message's lookups together get LOOKUPS_PER_BUDGET of these. */
  dnsTimeoutMs: number;
}

/**
 * SPF alone may take ten lookups, and DKIM and DMARC more: a per-lookup limit alone would still
 * let one message wait a minute. So the whole check has a budget, after which every further
 * lookup fails at once and the sender is simply not verified.
 */
const LOOKUPS_PER_BUDGET = 4;

/** The longest one sender check can take: the inbound job's lock must outlast it. */
export const authBudgetMs = (dnsTimeoutMs: number) => LOOKUPS_PER_BUDGET * dnsTimeoutMs;

const systemResolver: DNSResolver = (name, rrtype) => dns.resolve(name, rrtype) as Promise<string[][] | string[]>;

const timedOut = (name: string) => Object.assign(new Error(`DNS lookup of ${name} timed out`), { code: 'ETIMEOUT' });

/**
 * The resolver with a limit on each lookup and a deadline for all of them. A lookup that runs out
 * fails as a resolver's timeout does (ETIMEOUT), which mailauth reads as a temporary error.
 */
export function boundedResolver(resolver: DNSResolver, timeoutMs: number, budgetMs: number): DNSResolver {
  const deadline = Date.now() + budgetMs;
  return (name, rrtype) => {
    const left = Math.min(timeoutMs, deadline - Date.now());
    if (left <= 0) return Promise.reject(timedOut(name));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timedOut(name)), left);
    });
    return Promise.race([resolver(name, rrtype), expired]).finally(() => clearTimeout(timer));
  };
}

/**
 * The message with every bare LF made CRLF, as mailauth makes it before hashing, only in one pass:
 * mailauth awaits once a bare line, all on the event loop without yielding (a megabyte of "\n"
 * held it 450 ms). Lines that already end in CRLF, and so DKIM hashes, are the same either way.
 */
function withCrlf(raw: Buffer): Buffer {
  let bare = 0;
  for (let i = 0; i < raw.length; i++) if (raw[i] === 0x0a && raw[i - 1] !== 0x0d) bare++;
  if (bare === 0) return raw;
  const out = Buffer.allocUnsafe(raw.length + bare);
  let o = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x0a && raw[i - 1] !== 0x0d) out[o++] = 0x0d;
    out[o++] = raw[i]!;
  }
  return out;
}

/**
 * SPF, DKIM and DMARC for a raw message. Only a DMARC pass lets the From address stand for
 * someone: a DKIM pass alone proves nothing about From (anyone can sign with their own domain),
 * and DMARC is exactly the check that the passing SPF or DKIM domain is aligned with From.
 */
export async function checkSender(raw: Buffer, envelope: AuthEnvelope, settings: AuthSettings): Promise<SenderTrust> {
  const budgetMs = authBudgetMs(settings.dnsTimeoutMs);
  const checking = authenticate(withCrlf(raw), {
    ip: envelope.remoteIp ?? undefined,
    helo: envelope.helo ?? undefined,
    sender: envelope.mailFrom || undefined,
    mta: settings.mta,
    resolver: boundedResolver(settings.resolver ?? systemResolver, settings.dnsTimeoutMs, budgetMs),
    // ARC would let a forwarder vouch for a message; we trust no forwarder yet, and BIMI is about logos.
    disableArc: true,
    disableBimi: true,
  });
  // Every lookup is bounded already; this bounds the check itself, should it wait on anything else.
  let timer: NodeJS.Timeout | undefined;
  const overtime = new Promise<'overtime'>((resolve) => {
    timer = setTimeout(() => resolve('overtime'), budgetMs + settings.dnsTimeoutMs);
  });
  const result = await Promise.race([checking, overtime]).finally(() => clearTimeout(timer));
  if (result === 'overtime') {
    checking.catch(() => undefined);
    return { verified: false, fromAuthenticated: false, fromAddress: null, reason: `not checked: DNS did not answer within ${budgetMs} ms` };
  }
  const headerFrom = ([] as string[]).concat(result.dkim?.headerFrom ?? []);
  const fromAddress = headerFrom.length === 1 ? headerFrom[0]!.toLowerCase() : null;
  const dmarc = result.dmarc ? result.dmarc.status.result : 'none';
  const spf = result.spf ? result.spf.status.result : 'none';
  const dkim = (result.dkim?.results ?? []).map((r) => `${r.status.result}(${r.signingDomain ?? '?'})`).join(',') || 'none';
  const reason = `dmarc=${dmarc} spf=${spf} dkim=${dkim}`;
  const verified = fromAddress !== null && dmarc === 'pass';
  const passedDomains = [
    ...(spf === 'pass' && result.spf ? [result.spf.domain] : []),
    ...(result.dkim?.results ?? []).filter((r) => r.status.result === 'pass').map((r) => r.signingDomain ?? ''),
  ];
  return { verified, fromAuthenticated: verified || (fromAddress !== null && alignedPass(fromAddress, dmarc, passedDomains)), fromAddress, reason };
}

/** A domain's Organizational Domain (public suffixes, private ones such as github.io included). */
const organisationalDomain = (domain: string) => (getDomain(domain, { allowPrivateDomains: true }) ?? domain).toLowerCase();

/**
 * Whether SPF or DKIM passed for a domain aligned (relaxed, as DMARC's default) with From's. A DMARC
 * fail is the domain's own word that nothing aligned by its rules, so it is never overruled here.
 */
function alignedPass(fromAddress: string, dmarc: string, passedDomains: string[]): boolean {
  if (dmarc === 'fail') return false;
  const fromOrg = organisationalDomain(fromAddress.slice(fromAddress.lastIndexOf('@') + 1));
  return fromOrg !== '' && passedDomains.some((d) => d !== '' && organisationalDomain(d.replace(/\.$/, '')) === fromOrg);
}
