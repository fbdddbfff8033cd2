import type { FastifyReply } from 'fastify';

/** The console's session cookie: only ever sent to /admin, never readable by scripts. */
export const SESSION_COOKIE = 'p2p_admin';

/**
 * Sets the session cookie. SameSite=Strict: no other site can make a browser send it, not even a
 * link (the emailed sign-in link needs none: its page's POST sets the cookie). Secure whenever the
 * public URL is https, as the CSRF cookie.
 */
export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date, secure: boolean): void {
  void reply.setCookie(SESSION_COOKIE, token, { path: '/admin', httpOnly: true, sameSite: 'strict', secure, expires: expiresAt });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/admin', httpOnly: true, sameSite: 'strict', secure });
}
