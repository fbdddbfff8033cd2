import { ValidationError, type FieldIssue } from '../errors/app-errors.ts';

/** A urlencoded body as @fastify/formbody gives it: repeated names become arrays. */
export type FormBody = Record<string, string | string[] | undefined>;

const isFormValue = (value: unknown): value is string | string[] =>
  typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));

/**
 * The body of a form post, or a 400. A form sends names and strings only; a JSON body with
 * numbers, objects or nested arrays is not something any of our forms sends, and must not reach
 * the field readers (`v.trim is not a function`). No body at all (a one-button form) is an empty form.
 */
export function asFormBody(body: unknown): FormBody {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('The form sent something we do not understand', [{ path: [], message: 'must be a form' }]);
  }
  const issues: FieldIssue[] = Object.entries(body)
    .filter(([, value]) => value !== undefined && !isFormValue(value))
    .map(([name]) => ({ path: [name], message: 'must be text' }));
  if (issues.length) throw new ValidationError('The form sent something we do not understand', issues);
  return body as FormBody;
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
