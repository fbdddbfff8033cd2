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

/** How a form names one of its fields to a person, and what it asks them to do when it is wrong. */
export interface FieldGuide {
  /** The field's label, as the page shows it ("Title"). */
  label: string;
  /** What to do when the field was left empty ("Enter a title"); said instead of any rule's message. */
  missing?: string;
  /** What to do instead of a rule's message, keyed by that message ("needs at least 5 characters"). */
  messages?: Record<string, string>;
  /** The id of the element the summary's link moves to; the field's name when not given. */
  anchor?: string;
}

/** A form's fields in the order the page shows them. */
export type FormGuide = Record<string, FieldGuide>;

export interface FormErrors {
  /** Per field: the message shown next to it (and in the summary). */
  errors: Record<string, string>;
  /** The error summary at the top of the page: one link per problem, in the page's order. */
  summary: Array<{ href: string; message: string }>;
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Field issues as a person reads them: for an empty field what to enter ("Enter a title", not
 * "needs at least 5 characters"); otherwise the guide's words for the rule, or the label and the
 * rule's message ("Budget up to: must be a whole number"). The summary lists them in the page's
 * order, each linking to its field.
 */
export function guidedErrors(issues: FieldIssue[], guide: FormGuide, isEmpty: (field: string) => boolean): FormErrors {
  const raw = fieldErrors(issues);
  const errors: Record<string, string> = {};
  for (const [field, message] of Object.entries(raw)) {
    const g = guide[field];
    errors[field] = !g
      ? sentence(message)
      : g.missing && isEmpty(field)
        ? g.missing
        : (g.messages?.[message] ?? `${g.label}: ${message}`);
  }
  return { errors, summary: errorSummary(errors, guide) };
}

/** The error summary for messages already worded: one link per field, in the page's order. */
export function errorSummary(errors: Record<string, string>, guide: FormGuide): FormErrors['summary'] {
  const position = (field: string) => {
    const i = Object.keys(guide).indexOf(field);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  return Object.keys(errors)
    .sort((a, b) => position(a) - position(b))
    .map((field) => ({ href: `#${guide[field]?.anchor ?? field}`, message: errors[field]! }));
}

/** Whether a form field was left empty: no text, or no box ticked. */
export function emptyIn(body: FormBody): (field: string) => boolean {
  return (field) => list(body, field).length === 0;
}
