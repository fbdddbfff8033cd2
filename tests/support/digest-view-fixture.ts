import type { DigestCard, DigestView } from '../../src/digests/digest-view.ts';

/**
 * A realistic digest for rendering tests and screenshots: ten cards like the demo data's, with
 * the awkward cases a real week has (an anonymous submitter, no budget, no start date, a long
 * title, `&` and `'` in names, one skill or eight).
 */
const token = (purpose: string, n: number) =>
  `${purpose}${n}.eyJwIjoiMDE5MzA3YjQtN2YxZS03YzNhLWE2YjgtNGUyZDFmOTAzYzQ1In0.q3V8mZ0kTt1uXyJc5vH2nR9aLw4sEoPbDf6gKhYi`;

const card = (n: number, c: Omit<DigestCard, 'interestUrl' | 'notRelevantUrl' | 'openUntil'> & { openUntil?: string | null }): DigestCard => ({
  ...c,
  openUntil: c.openUntil === undefined ? `2027-01-${String(10 + n).padStart(2, '0')}` : c.openUntil,
  interestUrl: `https://p2p.example/i/${token('i', n)}`,
  notRelevantUrl: `https://p2p.example/n/${token('n', n)}`,
});

const s = (label: string, yours: boolean, required = true) => ({ label, yours, required });

export function digestFixture(): DigestView {
  const cards: DigestCard[] = [
    card(1, {
      title: 'AKS platform and security baseline for a Bavarian manufacturer',
      company: 'Alpenwolke GmbH',
      where: 'DACH (Germany, Austria, Switzerland) · remote welcome',
      budget: '60,000 – 90,000 EUR',
      startDate: '2026-12-22',
      summary:
        'We are rolling out Dynamics 365 Business Central for a mid-sized machine builder near Augsburg. The customer also wants its custom shop-floor applications moved from ageing VMs to Azure Kubernetes Service, with a proper security baseline (Defender for Cloud, network isolation, secrets in Key Vault).',
      skills: [
        s('Kubernetes on Microsoft Azure', true),
        s('Cloud Security', true),
        s('Infrastructure as Code', false, false),
        s('DevOps with GitHub and Azure', true, false),
      ],
      reasons: [
        'Matches your skills: Kubernetes on Microsoft Azure, Cloud Security',
        'Nice to have, and you offer it: DevOps with GitHub and Azure',
        'Serves DACH (Germany, Austria, Switzerland)',
      ],
    }),
    card(2, {
      title: 'Intune and Autopilot rollout for 450 devices in Upper Austria',
      company: 'Donaunetz Systemhaus GmbH',
      where: 'DACH (Germany, Austria, Switzerland) · some on-site days',
      budget: '25,000 – 40,000 EUR',
      startDate: '2026-12-13',
      summary:
        'A logistics group with five sites around Linz and Wels wants all 450 Windows laptops enrolled in Microsoft Intune with Autopilot, compliance policies and app deployment, replacing their old Group Policy setup.',
      skills: [s('Intune', true), s('Windows 11 Migration', false, false), s('Modernize Endpoints', true, false)],
      reasons: ['Matches your skills: Intune', 'Nice to have, and you offer it: Modernize Endpoints', 'Serves DACH (Germany, Austria, Switzerland)'],
    }),
    card(3, {
      title: 'Managed SOC on Microsoft Sentinel for a Scottish housing association',
      company: null,
      where: 'UK and Ireland · remote welcome',
      budget: '40,000 – 70,000 GBP',
      startDate: '2027-01-06',
      summary:
        'A housing association with 600 staff must put 24/7 security monitoring in place after an insurance review. We need a partner to deploy Microsoft Sentinel, connect Defender and Entra ID logs, and provide managed detection and response under a three-year contract.',
      skills: [s('Microsoft Sentinel', true), s('SOC / MDR', false), s('Defender XDR', true, false)],
      reasons: [
        'Matches your skills: Microsoft Sentinel',
        'Close to your skills: SOC / MDR (you list Microsoft Sentinel)',
        'Remote work is welcome',
      ],
    }),
    card(4, {
      title: 'Business Central implementation after an Azure datacenter exit',
      company: 'Prairie Stack Consulting LLC',
      where: 'North America · remote welcome',
      budget: null,
      startDate: null,
      summary:
        'We are moving a Midwest food distributor out of its datacenter to Azure. Their on-premises Dynamics NAV 2016 will not come along: they want Dynamics 365 Business Central SaaS instead, with inventory, purchasing and EDI with two large retailers.',
      skills: [s('Dynamics 365 Business Central', false), s('Power BI', true, false), s('SMB Management', false, false)],
      reasons: ['In the same field as your skills: Dynamics 365 Business Central (you list Power BI)', 'Remote work is welcome'],
    }),
    card(5, {
      title: 'Teams Phone migration for a 12-site aged-care provider',
      company: 'Southern Cross Secure Pty Ltd',
      where: 'Australia and New Zealand',
      budget: '30,000 – 55,000 AUD',
      startDate: '2026-12-21',
      summary:
        'Their PBX is end-of-life, and they want Teams Phone with Operator Connect or Direct Routing across 12 sites, including reception call queues and a handful of meeting rooms.',
      skills: [s('Teams Phone', true)],
      reasons: ['Matches your skills: Teams Phone', 'Serves Australia and New Zealand'],
    }),
    card(6, {
      title: 'Microsoft Fabric sales and service analytics for a French distributor',
      company: "O'Neill & Partners Ltd",
      where: 'Western Europe · remote welcome',
      budget: '50,000 – 80,000 EUR',
      startDate: '2027-01-04',
      summary:
        'The customer wants one analytics platform combining CRM, ERP and web-shop data, with Power BI dashboards for management. We are looking for a Microsoft Fabric partner to build the lakehouse and the first reports; French is a plus but not required.',
      skills: [s('Microsoft Fabric', true), s('Power BI', true, false), s('Azure Data Engineering', false, false)],
      reasons: ['Matches your skills: Microsoft Fabric', 'Nice to have, and you offer it: Power BI', 'Your profile describes similar work'],
    }),
    card(7, {
      title:
        'Azure Virtual Desktop host pools, FSLogix profiles and a small landing zone for a shipping broker with offices in Singapore and Hong Kong',
      company: 'Lion City Networks Pte. Ltd.',
      where: 'Asia Pacific · remote welcome',
      budget: '35,000 – 60,000 USD',
      startDate: '2026-12-07',
      summary:
        'They want to retire their ageing terminal servers and give traders secure desktops from anywhere. We need an Azure Virtual Desktop partner to design the host pools, FSLogix profiles and a small landing zone, and to support the cut-over.',
      skills: [s('Azure Virtual Desktop', true), s('Intune', true, false), s('Azure Landing Zones', true, false)],
      reasons: ['Matches your skills: Azure Virtual Desktop', 'Nice to have, and you offer it: Intune, Azure Landing Zones', 'Remote work is welcome'],
    }),
    card(8, {
      title: 'Azure OpenAI assistant for a Dubai property group',
      company: 'Gulf Horizon IT LLC',
      where: 'Middle East and Africa · remote welcome',
      budget: '45,000 – 75,000 USD',
      startDate: '2026-12-22',
      summary:
        'An internal assistant in Teams that answers questions about leases, policies and project documents in English and Arabic, grounded in their SharePoint content.',
      skills: [s('Azure OpenAI', true), s('AI Apps on Azure', false, false), s('.NET Development', false, false)],
      reasons: ['Matches your skills: Azure OpenAI', 'Remote work is welcome', 'Your profile describes similar work'],
    }),
    card(9, {
      title: 'Entra ID and Conditional Access clean-up before a cyber-insurance audit',
      company: 'Nordlys IT AS',
      where: 'Nordics · remote welcome',
      budget: '15,000 – 25,000 EUR',
      startDate: '2026-12-14',
      summary:
        'A 300-seat engineering firm in Bergen has grown its tenant for ten years without a plan. We need a partner to review Entra ID, put Conditional Access and privileged identity management in place, and document it for the insurer.',
      skills: [
        s('Identity and Access Management', true),
        s('Microsoft Entra ID', true),
        s('Conditional Access', true),
        s('Privileged Identity Management', false),
        s('Cloud Security', true, false),
        s('Defender for Identity', false, false),
        s('Microsoft Purview', false, false),
        s('Zero Trust', true, false),
      ],
      reasons: [
        'Matches your skills: Identity and Access Management, Microsoft Entra ID, Conditional Access',
        'Close to your skills: Privileged Identity Management (you list Identity and Access Management)',
        'Nice to have, and you offer it: Cloud Security, Zero Trust',
        'Serves Nordics',
      ],
    }),
    card(10, {
      title: 'Copilot readiness workshop series for a law firm',
      company: 'Kanzlei-IT Partner GmbH',
      where: 'DACH (Germany, Austria, Switzerland)',
      budget: '8,000 – 12,000 EUR',
      startDate: '2027-01-11',
      summary:
        'Three half-day workshops on Microsoft 365 Copilot for partners and associates: data governance first, then prompts that work for legal drafting, then adoption planning.',
      skills: [s('Microsoft 365 Copilot', true), s('Adoption and Change Management', false, false)],
      reasons: ['Matches your skills: Microsoft 365 Copilot', 'Serves DACH (Germany, Austria, Switzerland)'],
    }),
  ];
  return {
    subject: 'AKS platform and security baseline for a Bavarian… + 9 more for your Azure and Security skills',
    preheader: 'AKS platform and security baseline for a Bavarian manufacturer, Intune and Autopilot rollout, and 8 more',
    partnerName: 'Anna',
    company: 'Kestrel Cloud GmbH',
    periodLabel: 'Week 49, 2026',
    cards,
    footer: {
      reason: 'You get this weekly digest because Kestrel Cloud GmbH joined p2p-digest as a partner.',
      preferencesUrl: `https://p2p.example/p/${token('p', 0)}`,
      unsubscribeUrl: `https://p2p.example/u/${token('u', 0)}`,
      operator: 'p2p-digest · Musterstraße 1 · 10115 Berlin · Germany',
    },
  };
}
