import { checked, list, text, type FormBody } from '../platform/http/form-fields.ts';

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
