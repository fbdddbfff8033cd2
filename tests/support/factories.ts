import { expect } from 'vitest';
import type { OpportunityInput } from '../../src/opportunities/opportunity.schemas.ts';
import type { PartnerInput } from '../../src/partners/partner.schemas.ts';
import type { TestStack } from './test-stack.ts';

// Rows and request bodies with defaults that pass every check; a test overrides what it is about.

/** A partner as the admin API and the sign-up form take it: an AKS partner in DACH. */
export const partnerPayload = (overrides: Record<string, unknown> = {}) => ({
  company: 'Kubeworks GmbH',
  contactName: 'Jana Berg',
  email: 'jana@kubeworks.example',
  regions: ['dach'],
  timezone: 'Europe/Berlin',
  skills: ['AKS'],
  profile: 'We build Kubernetes platforms on Azure for manufacturers.',
  ...overrides,
});

/** An opportunity as the API takes it: AKS and identity work in DACH. */
export const opportunityPayload = (overrides: Record<string, unknown> = {}) => ({
  title: 'AKS platform for a machine builder',
  description: 'Move shop-floor applications to Azure Kubernetes Service with a security baseline.',
  requiredSkills: ['kubernetes-on-azure', 'Identity and Access Management'],
  regions: ['dach'],
  submitter: { name: 'Max Huber', company: 'Alpenwolke GmbH', email: 'max@alpenwolke.example' },
  ...overrides,
});

/** A partner as the partner service takes it; `key` names the company and the address. */
export const partnerInput = (key: string, skills: string[], overrides: Partial<PartnerInput> = {}): PartnerInput => ({
  company: `${key} Ltd`,
  contactName: `Contact ${key}`,
  email: `${key}@partners.example`,
  regions: ['dach'],
  remoteOk: true,
  timezone: 'Europe/Berlin',
  skills,
  profile: '',
  ...overrides,
});

/** An opportunity as the opportunity service takes it: AKS with Entra ID single sign-on in DACH. */
export const opportunityInput = (overrides: Partial<OpportunityInput> = {}): OpportunityInput => ({
  title: 'AKS platform for a manufacturer',
  description: 'A machine builder moves its shop-floor applications to a Kubernetes platform on Azure, with Entra ID single sign-on.',
  requiredSkills: ['kubernetes-on-azure', 'identity-access-management'],
  niceToHaveSkills: ['sentinel'],
  regions: ['dach'],
  remote: false,
  anonymous: false,
  urgent: false,
  submitter: { name: 'Max Huber', company: 'Alpenwolke GmbH', email: 'max@alpenwolke.example' },
  ...overrides,
});

let partnerCount = 0;

/**
 * An active partner created through the admin API, with a company and an address of its own
 * unless given; returns its id and address.
 */
export async function createActivePartner(t: TestStack, overrides: { email?: string } & Record<string, unknown> = {}) {
  const n = ++partnerCount;
  const email = overrides.email ?? `partner.${n}@kubeworks.example`;
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/partners',
    headers: t.adminHeaders,
    payload: { company: `Kubeworks ${n} GmbH`, contactName: 'Jana Berg', regions: ['dach'], skills: ['AKS'], ...overrides, email },
  });
  expect(res.statusCode).toBe(201);
  return { id: res.json<{ id: string }>().id, email };
}
