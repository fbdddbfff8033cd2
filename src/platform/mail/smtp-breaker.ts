/**
 * A circuit breaker in front of the SMTP server. While the server is unreachable (connections
 * refused, timeouts, 421, a failing login) every send would fail the same way, and each failure
 * would cost its sender a retry: so the first such failure opens the breaker, sends are refused at
 * once without touching the network, and after a pause one probe (a connection, EHLO, login and
 * QUIT, no message) asks the server whether it is back. A failed probe doubles the pause, up to
 * `maxPauseMs`; a good probe or any answer the server gives about a message closes it again.
 */
export type SmtpAvailability = { ok: true } | { ok: false; retryAt: Date };

export interface SmtpBreakerSettings {
  /** Connects, greets, logs in and quits: resolves when the server is back, rejects otherwise. */
  probe: () => Promise<unknown>;
  /** The first pause after SMTP went away; it doubles per failed probe. */
  minPauseMs: number;
  maxPauseMs: number;
  now?: () => number;
  /** Told when the breaker opens and when it closes, for the log. */
  onChange?: (change: { open: boolean; pauseMs?: number; error?: unknown }) => void;
}

export function createSmtpBreaker(settings: SmtpBreakerSettings) {
  const now = settings.now ?? Date.now;
  let openUntil = 0;
  let pauseMs = 0;
  let probing: Promise<void> | undefined;

  const open = (error: unknown) => {
    pauseMs = pauseMs ? Math.min(pauseMs * 2, settings.maxPauseMs) : Math.min(settings.minPauseMs, settings.maxPauseMs);
    openUntil = now() + pauseMs;
    settings.onChange?.({ open: true, pauseMs, error });
  };
  const close = () => {
    if (pauseMs) settings.onChange?.({ open: false });
    pauseMs = 0;
    openUntil = 0;
  };
  const state = (): SmtpAvailability => (pauseMs === 0 ? { ok: true } : { ok: false, retryAt: new Date(openUntil) });

  return {
    /** Whether sending makes sense now; past the pause, the caller waits for the one probe. */
    async availability(): Promise<SmtpAvailability> {
      if (pauseMs === 0 || now() < openUntil) return state();
      probing ??= settings
        .probe()
        .then(close, open)
        .finally(() => (probing = undefined));
      await probing;
      return state();
    },
    /** The server answered (accepted or refused a message): it is there. */
    reached: close,
    /** The server could not be reached: pause sending. */
    unreachable(error: unknown) {
      // Sends already in flight when the breaker opened fail too: they do not lengthen the pause.
      if (pauseMs === 0 || now() >= openUntil) open(error);
    },
  };
}

export type SmtpBreaker = ReturnType<typeof createSmtpBreaker>;
