import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { htmlAsText } from '../../src/inbound/understanding/html-text.ts';
import { understand, type Understanding } from '../../src/inbound/understanding/understand.ts';
import type { SkillCatalogue } from '../../src/skills/skill-catalogue.ts';
import { fileCatalogue } from '../support/file-catalogue.ts';

/**
 * Which skills a mail asks for (issue 11): the sender's own words only (never the signature, the
 * certifications under it, the legal disclaimer or quoted history), names that are also ordinary
 * words only where written as a skill's name, and "nice to have / a plus / optional / later" in
 * five languages making a skill nice-to-have.
 */

const now = new Date('2026-12-02T12:00:00Z');
let catalogue: SkillCatalogue;
beforeAll(async () => {
  catalogue = await fileCatalogue();
});

async function mail(subject: string, body: string[] | string, contentType = 'text/plain; charset=utf-8'): Promise<Understanding> {
  const text = Array.isArray(body) ? body.join('\r\n') : body;
  const raw = ['From: Sam Lee <sam@contoso.example>', 'To: opportunities@p2p.example', `Subject: ${subject}`, 'MIME-Version: 1.0', `Content-Type: ${contentType}`, '', text].join('\r\n');
  return understand(await simpleParser(Buffer.from(raw)), catalogue, { now });
}

const skills = (u: Understanding) => ({ required: u.requiredSkills, nice: u.niceToHaveSkills });

describe('signatures and disclaimers never feed skills', () => {
  it('drops a heavy signature after the sign-off: certifications, partner taglines, specializations, disclaimer', async () => {
    const u = await mail('Azure SQL Managed Instance migration', [
      'Hello,',
      '',
      'A customer in Brussels wants to move 25 databases to Azure SQL Managed Instance. Start 1 March, budget 70k EUR.',
      '',
      'Best regards,',
      '',
      'Koen Peeters',
      'Principal Cloud Architect',
      'Zenne Cloud BV',
      'Microsoft Certified: Azure Security Engineer Associate',
      'Microsoft Certified: DevOps Engineer Expert',
      'Certified Kubernetes Administrator (CKA)',
      'CISSP | CompTIA Security+ | ITIL 4 Foundation | Prosci Certified Change Practitioner',
      'Solutions Partner for Security · Modern Work · Data & AI (Azure) · Infrastructure (Azure)',
      'Specializations: Threat Protection · Identity and Access Management · Analytics on Microsoft Azure',
      'www.zenne.example | +32 2 555 01 23',
      '',
      'This e-mail and any attachment are confidential and may be privileged.',
    ]);
    expect(skills(u)).toEqual({ required: ['azure-sql'], nice: [] });
    expect(u.description).not.toMatch(/Koen|Certified|confidential/);
    expect(u.budgetMin).toBe(70_000);
  });

  it('drops a signature block without a sign-off, and the disclaimer under a rule', async () => {
    const u = await mail('Managed SOC for a housing association', [
      'Morning,',
      '',
      'A housing association in Manchester needs a 24/7 managed SOC on top of Microsoft Sentinel.',
      'Proposals by Friday please.',
      '',
      'Gareth Evans',
      'Account Director, Pennine Shield Ltd',
      'CISSP, CISM, Microsoft Certified: Azure Network Engineer Associate',
      '',
      '--------------------------------------------------------------------',
      'Pennine Shield Ltd is a Microsoft Solutions Partner for Security and is Cyber Essentials Plus and ISO 27001 certified.',
      'This email and any files transmitted with it are confidential and intended solely for the addressee.',
      '--------------------------------------------------------------------',
    ]);
    expect(skills(u)).toEqual({ required: ['soc-mdr', 'sentinel'], nice: [] });
  });

  it('drops German, French and Dutch sign-offs and disclaimers with what follows them', async () => {
    const de = await mail('Teams Phone Einführung', ['Hallo,', '', 'wir suchen einen Partner für Teams Phone mit Direct Routing in Wien.', '', 'Liebe Grüße', 'Stefanie Gruber', 'Microsoft Certified: Azure Administrator Associate']);
    const fr = await mail('Agent Copilot Studio', ['Bonjour,', '', 'Nous recherchons un partenaire pour un agent Copilot Studio à Paris.', '', 'Bien cordialement,', 'Nicolas Bernard', 'Microsoft Certified: Power Platform Fundamentals']);
    const nl = await mail('Upgrade naar Business Central', [
      'Beste collega\'s,',
      '',
      'Wij zoeken een partner voor een upgrade naar Business Central in Utrecht.',
      '',
      'Dit bericht is uitsluitend bestemd voor de geadresseerde. Microsoft Certified: Azure Solutions Architect Expert.',
    ]);
    expect(de.requiredSkills).toEqual(['teams-phone']);
    expect(fr.requiredSkills).toEqual(['copilot-studio']);
    expect(nl.requiredSkills).toEqual(['d365-business-central']);
  });

  it('keeps the last lines of a mail that are no signature: a list, "Budget: …" lines', async () => {
    const u = await mail('Landing zone', ['Hi all,', '', 'We need support:', '- Build an Azure landing zone', '- Everything as code with Bicep', 'Start: 11.01.2027', 'Budget: €150k']);
    expect(u.requiredSkills).toEqual(['azure-landing-zones', 'infrastructure-as-code']);
    expect(u.budgetMin).toBe(150_000);
    expect(u.startDate).toBe('2027-01-11');
  });

  it('takes no line of work at the end of a mail for a disclaimer', async () => {
    const u = await mail('Entra ID hardening', ['Hi,', '', 'Scope:', '- Conditional Access for 2,000 users', '- Privileged Identity Management', '- Confidential data in Teams labelled with Purview']);
    expect(u.requiredSkills).toEqual(['identity-access-management', 'purview']);
  });

  it('takes no skill alone on a line for a name', async () => {
    const u = await mail('Data platform', ['Hi,', '', 'We need a partner for a data platform in Leeds.', '', 'Power BI', 'Azure Synapse | Microsoft Fabric']);
    expect(u.requiredSkills).toEqual(['power-bi', 'azure-data-engineering', 'microsoft-fabric']);
  });

  it('starts a signature without a sign-off only at a name that starts a paragraph', async () => {
    const u = await mail('Intune rollout in Vienna', ['Hi,', '', 'We need Intune for 800 devices in Vienna.', 'Budget: €60k', 'Remote OK', '', 'John Smith', 'Consultant | Contoso Ltd']);
    expect(u.remote).toBe(true);
    expect(u.description).toContain('Remote OK');
    expect(u.description).not.toContain('John Smith');
  });
});

describe('names that are also ordinary words', () => {
  it('are not skills where they are words', async () => {
    const u = await mail('Business Central rollout', [
      'Hi,',
      '',
      'We need BC finance, purchasing and warehouse for a security project at a wholesaler.',
      'Service is delivered remotely; the customer already runs Dynamics 365 Customer Service.',
      '- Security clearance not required',
      'Reports with row-level security, and Purview for data governance.',
    ]);
    expect(u.requiredSkills).toEqual(['d365-business-central', 'd365-customer-engagement', 'purview']);
  });

  it('are skills where written as a skill\'s name', async () => {
    const u = await mail('Partner wanted', ['Hi,', '', 'We look for a partner with the Security and Modern Work designations, and Finance from the ERP side.']);
    expect(u.requiredSkills).toEqual(['security', 'modern-work', 'finance']);
  });

  it('still resolve when a partner types them as a skill', () => {
    expect(catalogue.resolve('Finance')?.slug).toBe('finance');
    expect(catalogue.resolve('security')?.slug).toBe('security');
  });
});

describe('nice-to-have skills', () => {
  it('in English: "would be a plus", "optional", "can come later", a "Nice to have" heading', async () => {
    const u = await mail('Fabric data platform', [
      'Hi,',
      '',
      '- Required: Microsoft Fabric and Power BI',
      '- Purview for data governance can come later, phase 2',
      'Terraform experience is a plus. Azure Arc is optional.',
      '',
      'Nice to have:',
      '* Azure Databricks',
      '* Windows 365',
      'Start 2027-02-01.',
    ]);
    expect(skills(u)).toEqual({ required: ['microsoft-fabric', 'power-bi'], nice: ['purview', 'infrastructure-as-code', 'azure-arc', 'azure-databricks', 'windows-365'] });
  });

  it('in German, French, Spanish and Dutch', async () => {
    const cases: Array<[string, string, string]> = [
      ['Dynamics 365 Finance & Operations Rollout in Augsburg.', 'Power BI Kenntnisse wären ein Plus.', 'power-bi'],
      ['Dynamics 365 Finance & Operations Rollout in Augsburg.', 'Teams Rooms kann später kommen.', 'teams-meetings-rooms'],
      ['Dynamics 365 Finance & Operations Rollout in Augsburg.', 'Azure Sentinel ist wünschenswert.', 'sentinel'],
      ['Déploiement de Dynamics 365 Finance & Operations à Lyon.', 'Une intégration Power BI serait un plus.', 'power-bi'],
      ['Déploiement de Dynamics 365 Finance & Operations à Lyon.', 'Un SOC managé (MDR) pourra venir plus tard.', 'soc-mdr'],
      ['Déploiement de Dynamics 365 Finance & Operations à Lyon.', 'Connaissance de Power BI souhaitée.', 'power-bi'],
      ['Implantación de Dynamics 365 Finance & Operations en Madrid.', 'Power BI es deseable.', 'power-bi'],
      ['Implementatie van Dynamics 365 Finance & Operations in Utrecht.', 'Power BI is optioneel.', 'power-bi'],
      ['Implementatie van Dynamics 365 Finance & Operations in Utrecht.', 'Kennis van Power BI is een pré.', 'power-bi'],
    ];
    for (const [need, plus, slug] of cases) {
      const u = await mail('Opportunity', ['Hallo,', '', need, plus]);
      expect(skills(u), plus).toEqual({ required: ['d365-finance-operations'], nice: [slug] });
    }
  });

  it('are not made by a "later" that is no option', async () => {
    const u = await mail('Intune rollout', ['Hi,', '', 'We start later this month with Intune for 800 devices.', 'Windows 365 may follow later.']);
    expect(skills(u)).toEqual({ required: ['intune'], nice: ['windows-365'] });
  });

  it('are not made by a marker inside a word or denied', async () => {
    const u = await mail('Opportunity', ['Bonjour,', '', 'Pré-requis : Power BI.', 'Intune is non-optional.', 'Windows 365 is not optional.', 'Sentinel is a plus.']);
    expect(skills(u)).toEqual({ required: ['power-bi', 'intune', 'windows-365'], nice: ['sentinel'] });
  });

  it('stay required when the mail also asks for them outright', async () => {
    const u = await mail('Power BI reports', ['Hi,', '', 'We need Power BI reports for 30 depots.', 'Power BI Embedded would be a plus too.']);
    expect(skills(u)).toEqual({ required: ['power-bi'], nice: [] });
  });

  it('reads a table row by row: its "Nice-to-have" row and its "Budget" cell', async () => {
    const html = [
      '<p>Team, details:</p><table>',
      '<tr><td>Scope</td><td>Migrate 200 VMs from VMware to Azure</td></tr>',
      '<tr><td>Nice-to-have</td><td>Azure Site Recovery for DR</td></tr>',
      '<tr><td>Budget</td><td>USD 1.2m (fixed fee)</td></tr>',
      '</table>',
    ].join('');
    expect(htmlAsText(html)).toMatch(/^Nice-to-have\s+Azure Site Recovery for DR$/m);
    const u = await mail('Datacenter exit to Azure', html, 'text/html; charset=utf-8');
    expect(skills(u)).toEqual({ required: ['infra-db-migration', 'vmware-migration'], nice: ['backup-dr'] });
    expect(u).toMatchObject({ budgetMin: 1_200_000, currency: 'USD' });
  });
});

describe('a reply that only points at the quoted message', () => {
  const quotedOnly = [
    '+intake – see Maria\'s request below, it\'s the opportunity. We can\'t take it.',
    '',
    'Liam',
    '',
    'On Thu, 26 Nov 2026 at 16:05, Maria Santos <maria@harbour.example> wrote:',
    '',
    '> Hi Liam,',
    '>',
    '> We\'d like a cloud security posture review of our Azure subscriptions in Auckland:',
    '> - Defender for Cloud rollout, secure score improvement',
    '> - Defender for Endpoint on the servers would be a plus',
    '>',
    '> It can be done remotely. Start 18/01/2027. Budget USD 70k.',
    '>',
    '> Thanks,',
    '> Maria',
    '> IT Manager, Harbour Freight NZ',
    '>> an older question about Citrix',
  ];

  it('is read as the quoted message: its skills, remote work, budget, start and description', async () => {
    const u = await mail('Re: Cloud security posture review', quotedOnly);
    expect(skills(u)).toEqual({ required: ['cloud-security'], nice: ['defender-xdr'] });
    expect(u).toMatchObject({ remote: true, budgetMin: 70_000, currency: 'USD', startDate: '2027-01-18' });
    expect(u.description).toMatch(/^Hi Liam,/);
    expect(u.description).not.toMatch(/Citrix|IT Manager|^>/m);
  });

  it('is not when the reply says something of its own', async () => {
    const own = ['We need Intune for 800 devices in Munich, budget €50k. Details below.', '', ...quotedOnly.slice(4)];
    const u = await mail('Re: Intune', own);
    expect(skills(u)).toEqual({ required: ['intune'], nice: [] });
    expect(u.budgetMin).toBe(50_000);
  });
});

describe('names partners write', () => {
  it.each([
    ['We need an external penetration test of the web app.', 'penetration-testing'],
    ['Two penetration tests a year.', 'penetration-testing'],
    ['On-prem Active Directory clean-up (old GPOs).', 'active-directory'],
    ['Backup and DR design for the SAP landscape.', 'backup-dr'],
    ['Database migration from Oracle.', 'infra-db-migration'],
    ['Datacenter exit for a hospital.', 'infra-db-migration'],
    ['Un accompagnement au changement pour les utilisateurs.', 'adoption-change-management'],
    ['Migration Google Workspace vers Microsoft 365.', 'm365-migration'],
  ])('%s', async (line, slug) => {
    expect((await mail('Opportunity', ['Hi,', '', line])).requiredSkills).toContain(slug);
  });
});
