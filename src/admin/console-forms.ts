import type { FormGuide } from '../platform/http/form-fields.ts';

/**
 * The console's forms, in the pages' order, with what each field asks for when it is wrong: the
 * error summary at the top of a form that came back (templates/pages/error-summary.eta, as the
 * public forms have it) lists each problem as a link to its field. The console's own words: the
 * rules' messages come from the owning feature's schema (partnerUpdateSchema, the submission's).
 */
export const PARTNER_EDIT_GUIDE: FormGuide = {
  company: { label: 'Company', missing: "Enter the partner's company name" },
  contactName: { label: 'Contact name', missing: "Enter the contact's name" },
  email: { label: 'Email', missing: 'Enter an email address', messages: { 'must be an email address': 'Enter an email address like name@company.com' } },
  website: { label: 'Website', messages: { 'must be a web address (https://…)': 'Enter a web address such as https://example.com, or leave it empty' } },
  country: { label: 'Country' },
  timezone: { label: 'Time zone' },
  regions: {
    label: 'Regions',
    anchor: 'regions',
    messages: { 'choose at least one region, or allow remote work': 'Choose at least one region, or tick “Takes remote work anywhere”' },
  },
  skills: { label: 'Skills', anchor: 'skills-filter', messages: { 'choose at least one skill': 'Choose at least one skill, or describe what they do in the profile' } },
  profile: { label: 'Profile' },
};

/** The moderation form of one opportunity: its fields' ids carry the opportunity's id (several forms on one page). */
export function moderationGuide(id: string): FormGuide {
  return {
    title: { label: 'Title', anchor: `title-${id}`, missing: 'Enter a title', messages: { 'needs at least 5 characters': 'Enter a title of at least 5 characters' } },
    description: {
      label: 'Description',
      anchor: `description-${id}`,
      missing: 'Enter a description of the work',
      messages: { 'needs at least 20 characters': 'Enter a description of at least 20 characters' },
    },
    requiredSkills: {
      label: 'Required skills',
      anchor: `skills-${id}`,
      missing: 'Name at least one required skill',
      messages: { 'name at least one required skill': 'Name at least one required skill' },
    },
    niceToHaveSkills: { label: 'Nice-to-have skills', anchor: `nice-${id}` },
    regions: {
      label: 'Regions',
      anchor: `regions-${id}`,
      messages: { 'choose at least one region, or allow remote work': 'Choose at least one region, or tick “Remote work is fine”' },
    },
    budgetMin: { label: 'Budget from', anchor: `budgetMin-${id}` },
    budgetMax: { label: 'Budget to', anchor: `budgetMax-${id}` },
    currency: { label: 'Currency', anchor: `currency-${id}` },
    startDate: { label: 'Start date', anchor: `startDate-${id}` },
    urgent: { label: 'Urgent', anchor: `urgent-${id}` },
  };
}
