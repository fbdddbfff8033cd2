/**
 * Whether an emailed opportunity asks for urgent handling: the word "Urgent" (English, French),
 * "Dringend" (German, Dutch) or "Urgente" (Italian, Spanish, Portuguese) in the subject, or a line
 * of its own in the body that says so ("Urgent: yes", "Dringend: ja", or the word alone). The
 * service keeps the flag only with a start date within URGENT_WINDOW_DAYS; the acknowledgement
 * says when it did not.
 */
const WORDS = String.raw`urgent|dringend|urgente`;
const IN_SUBJECT = new RegExp(String.raw`(?:^|[^\p{L}])(?:${WORDS})(?![\p{L}])`, 'iu');
const AS_LINE = new RegExp(String.raw`^[ \t>*_-]*(?:${WORDS})[ \t]*(?:[:=!-][ \t]*(?:yes|ja|oui|s[iì]|sí|sim|true|x)?[ \t]*[.!]*)?[ \t]*$`, 'imu');

export function asksUrgent(subject: string, body: string): boolean {
  return IN_SUBJECT.test(subject) || AS_LINE.test(body.slice(0, 64 * 1024));
}
