import type { FieldIssue } from '../errors/app-errors.ts';

/** A urlencoded body as @fastify/formbody gives it: repeated names become arrays. */
export type FormBody = Record<string, string | string[] | undefined>;

export function asFormBody(body: unknown): FormBody {
  return body && typeof body === 'object' ? (body as FormBody) : {};
}

/** The last value of a field (a crafted body may repeat a single-value field). */
export function text(body: FormBody, name: string): string | undefined {
  const value = body[name];
  const last = Array.isArray(value) ? value.at(-1) : value;
  return last === undefined || last.trim() === '' ? undefined : last;
}

export function list(body: FormBody, name: string): string[] {
  const value = body[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => v.trim() !== '');
}

export function checked(body: FormBody, name: string): boolean {
  return text(body, name) !== undefined;
}

/** Numbers typed into a form; text that is not a number is passed on for the schema to reject. */
export function number(body: FormBody, name: string): number | string | undefined {
  const value = text(body, name);
  if (value === undefined) return undefined;
  const n = Number(value.replace(/[\s,_]/g, ''));
  return Number.isFinite(n) ? n : value;
}

/** Field issues → the first message per field, keyed by dotted path ("submitter.email"). */
export function fieldErrors(issues: FieldIssue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    // A bad item in a list is reported on the list ("skills"), where the form shows it.
    const key = issue.path.filter((p) => typeof p === 'string').join('.') || 'form';
    errors[key] ??= issue.message;
  }
  return errors;
}
