import { checked, list, text, type FieldGuide, type FormBody, type FormGuide } from '../platform/http/form-fields.ts';

/** Regions and skills read the same on /join and the preferences page. */
/** The urgent-work choice on /join and the preferences page (a radio group: its first button is the anchor). */
export const URGENT_DELIVERY_GUIDE: FieldGuide = { label: 'Urgent work', anchor: 'urgentDelivery' };

export const REGIONS_GUIDE: FieldGuide = {
  label: 'Regions you serve',
  anchor: 'regions',
  messages: { 'choose at least one region, or allow remote work': 'Choose at least one region you serve, or tick “We also take remote work anywhere”' },
};

export const SKILLS_GUIDE: FieldGuide = {
  label: 'Your skills',
  anchor: 'skills-filter',
  messages: { 'choose at least one skill': 'Choose at least one skill, or name your skills in “What you do best”' },
};

/** The /join form's fields in the page's order, and what each asks for when it is wrong. */
export const JOIN_FORM_GUIDE: FormGuide = {
  company: { label: 'Company', missing: "Enter your company's name" },
  contactName: { label: 'Your name', missing: 'Enter your name' },
  email: { label: 'Work email', missing: 'Enter your work email address', messages: { 'must be an email address': 'Enter an email address like name@company.com' } },
  website: { label: 'Website', messages: { 'must be a web address (https://…)': 'Enter a web address such as https://example.com, or leave it empty' } },
  country: { label: 'Country' },
  timezone: { label: 'Time zone' },
  regions: REGIONS_GUIDE,
  urgentDelivery: URGENT_DELIVERY_GUIDE,
  skills: SKILLS_GUIDE,
  profile: { label: 'What you do best' },
  consent: { label: 'Consent', messages: { 'please agree to receive the digest': 'Tick the box to get the weekly digest: it is what joining is for' } },
};

/** The /join form's fields in the shape of `partnerInputSchema` (validated after this). */
export function partnerFromForm(body: FormBody) {
  return {
    company: text(body, 'company') ?? '',
    contactName: text(body, 'contactName') ?? '',
    email: text(body, 'email') ?? '',
    website: text(body, 'website'),
    country: text(body, 'country'),
    regions: list(body, 'regions'),
    remoteOk: checked(body, 'remoteOk'),
    timezone: text(body, 'timezone') ?? 'UTC',
    urgentDelivery: text(body, 'urgentDelivery'),
    skills: list(body, 'skills'),
    profile: text(body, 'profile'),
  };
}

export function signupFormValues(body: FormBody) {
  return { ...partnerFromForm(body), consent: checked(body, 'consent') };
}
