import { checked, list, number, text, type FormBody } from '../platform/http/form-fields.ts';

/** The /submit form's fields in the shape of `opportunityInputSchema` (validated after this). */
export function opportunityFromForm(body: FormBody) {
  return {
    title: text(body, 'title') ?? '',
    description: text(body, 'description') ?? '',
    requiredSkills: list(body, 'requiredSkills'),
    niceToHaveSkills: list(body, 'niceToHaveSkills'),
    regions: list(body, 'regions'),
    remote: checked(body, 'remote'),
    budgetMin: number(body, 'budgetMin'),
    budgetMax: number(body, 'budgetMax'),
    currency: text(body, 'currency'),
    startDate: text(body, 'startDate'),
    expiresAt: text(body, 'expiresAt'),
    anonymous: checked(body, 'anonymous'),
    urgent: checked(body, 'urgent'),
    submitter: {
      name: text(body, 'submitter.name') ?? '',
      company: text(body, 'submitter.company') ?? '',
      email: text(body, 'submitter.email') ?? '',
    },
  };
}

/** What to put back into the form after a failed submission: exactly what was typed. */
export function submitFormValues(body: FormBody) {
  return {
    title: text(body, 'title'),
    description: text(body, 'description'),
    requiredSkills: list(body, 'requiredSkills'),
    niceToHaveSkills: list(body, 'niceToHaveSkills'),
    regions: list(body, 'regions'),
    remote: checked(body, 'remote'),
    budgetMin: text(body, 'budgetMin'),
    budgetMax: text(body, 'budgetMax'),
    currency: text(body, 'currency'),
    startDate: text(body, 'startDate'),
    expiresAt: text(body, 'expiresAt'),
    anonymous: checked(body, 'anonymous'),
    urgent: checked(body, 'urgent'),
    'submitter.name': text(body, 'submitter.name'),
    'submitter.company': text(body, 'submitter.company'),
    'submitter.email': text(body, 'submitter.email'),
  };
}
