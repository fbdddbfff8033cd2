import { checked, list, number, text, type FormBody, type FormGuide } from '../platform/http/form-fields.ts';

const NOT_A_NUMBER = 'Invalid input: expected number, received string';
const ENTER_EMAIL = 'Enter an email address like name@company.com';

/**
 * The /submit form's fields in the page's order, and what each asks for when it is wrong (the
 * emailed draft's page has the same fields, but the address).
 */
export const SUBMIT_FORM_GUIDE: FormGuide = {
  title: { label: 'Title', missing: 'Enter a title', messages: { 'needs at least 5 characters': 'Enter a title of at least 5 characters' } },
  description: {
    label: 'Description',
    missing: 'Enter a description of the work',
    messages: { 'needs at least 20 characters': "Enter a description of at least 20 characters: the customer's need, scope and timing" },
  },
  requiredSkills: {
    label: 'Skills the work needs',
    anchor: 'requiredSkills-filter',
    missing: 'Choose at least one skill the work needs',
    messages: { 'name at least one required skill': 'Choose at least one skill the work needs' },
  },
  niceToHaveSkills: { label: 'Nice-to-have skills', anchor: 'niceToHaveSkills-filter' },
  regions: {
    label: 'Where',
    anchor: 'regions',
    messages: { 'choose at least one region, or allow remote work': 'Choose at least one region, or tick “Remote work is fine”' },
  },
  budgetMin: {
    label: 'Budget from',
    messages: { 'must be a whole number': 'Enter the budget from as a whole number, such as 50000', [NOT_A_NUMBER]: 'Enter the budget from as a number, such as 50000' },
  },
  budgetMax: {
    label: 'Budget up to',
    messages: {
      'must be a whole number': 'Enter the budget up to as a whole number, such as 80000',
      [NOT_A_NUMBER]: 'Enter the budget up to as a number, such as 80000',
      'must not be below the minimum budget': 'Enter a budget up to that is not below the budget from',
    },
  },
  currency: {
    label: 'Currency',
    messages: {
      'is required with a budget': 'Enter the currency of the budget, such as EUR',
      'must be a three-letter currency code such as EUR': 'Enter a three-letter currency code, such as EUR',
    },
  },
  startDate: { label: 'Start date' },
  expiresAt: { label: 'Open until' },
  'submitter.name': { label: 'Your name', missing: 'Enter your name' },
  'submitter.company': { label: 'Your company', missing: "Enter your company's name" },
  'submitter.email': { label: 'Your email', missing: 'Enter your email address', messages: { 'must be an email address': ENTER_EMAIL } },
};

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
