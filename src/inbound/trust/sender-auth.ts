import { authenticate, type DNSResolver } from 'mailauth';

export type { DNSResolver };

/** Who may claim to have sent a message, and why we believe it or not. */
export interface SenderTrust {
  /** DMARC passed (SPF or DKIM aligned with the From domain) for the one From address. */
  verified: boolean;
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
}

/**
 * SPF, DKIM and DMARC for a raw message. Only a DMARC pass lets the From address stand for
 * someone: a DKIM pass alone proves nothing about From (anyone can sign with their own domain),
 * and DMARC is exactly the check that the passing SPF or DKIM domain is aligned with From.
 */
export async function checkSender(raw: Buffer, envelope: AuthEnvelope, settings: AuthSettings): Promise<SenderTrust> {
  const result = await authenticate(raw, {
    ip: envelope.remoteIp ?? undefined,
    helo: envelope.helo ?? undefined,
    sender: envelope.mailFrom || undefined,
    mta: settings.mta,
    ...(settings.resolver ? { resolver: settings.resolver } : {}),
    // ARC would let a forwarder vouch for a message; we trust no forwarder yet, and BIMI is about logos.
    disableArc: true,
    disableBimi: true,
  });
  const headerFrom = ([] as string[]).concat(result.dkim?.headerFrom ?? []);
  const fromAddress = headerFrom.length === 1 ? headerFrom[0]!.toLowerCase() : null;
  const dmarc = result.dmarc ? result.dmarc.status.result : 'none';
  const spf = result.spf ? result.spf.status.result : 'none';
  const dkim = (result.dkim?.results ?? []).map((r) => `${r.status.result}(${r.signingDomain ?? '?'})`).join(',') || 'none';
  const reason = `dmarc=${dmarc} spf=${spf} dkim=${dkim}`;
  return { verified: fromAddress !== null && dmarc === 'pass', fromAddress, reason };
}
