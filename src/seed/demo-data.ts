/**
 * Demo data for `p2p-digest seed --demo`: fictional small IT partners and a handful of
 * opportunities they have won but cannot staff alone. Deterministic on purpose (no randomness,
 * no clock): every run seeds the same data, and the tests can check it against the taxonomy.
 *
 * All companies and people are invented; emails and websites use the reserved `.example`
 * top-level domain (RFC 2606), so nothing here can reach a real inbox.
 * Skills are taxonomy slugs (src/skills/taxonomy.json); countries are English country names.
 */
import type { RegionSlug } from '../regions/regions.ts';

export interface DemoPartner {
  company: string;
  contactName: string;
  email: string;
  website: string;
  country: string;
  regions: RegionSlug[];
  remoteOk: boolean;
  /** IANA time zone name. */
  timezone: string;
  /** Taxonomy slugs. */
  skills: string[];
  profile: string;
}

export interface DemoOpportunity {
  title: string;
  description: string;
  requiredSkills: string[];
  niceToHaveSkills: string[];
  regions: RegionSlug[];
  remote: boolean;
  budgetMin?: number;
  budgetMax?: number;
  currency?: string;
  startInDays?: number;
  /** Index into demoPartners: the partner who submits it. */
  submitterIndex: number;
}

export const demoPartners: DemoPartner[] = [
  // ── DACH ────────────────────────────────────────────────────────────────────────────────
  {
    company: 'Alpenwolke GmbH',
    contactName: 'Anna Keller',
    email: 'anna.keller@alpenwolke.example',
    website: 'https://www.alpenwolke.example',
    country: 'Germany',
    regions: ['dach'],
    remoteOk: true,
    timezone: 'Europe/Berlin',
    skills: ['d365-business-central', 'power-bi', 'power-automate', 'smb-management'],
    profile:
      'Munich-based Dynamics 365 Business Central partner with 14 consultants. We move mid-sized manufacturers and wholesalers off NAV and build Power BI reporting on top.',
  },
  {
    company: 'Rheinblick IT-Service GmbH',
    contactName: 'Jonas Becker',
    email: 'jonas.becker@rheinblick-it.example',
    website: 'https://www.rheinblick-it.example',
    country: 'Germany',
    regions: ['dach'],
    remoteOk: true,
    timezone: 'Europe/Berlin',
    skills: ['kubernetes-on-azure', 'cloud-security', 'infrastructure-as-code', 'devops-github-azure', 'azure-landing-zones'],
    profile:
      'Cologne Azure consultancy focused on platform engineering. We build AKS platforms, landing zones and GitHub-based delivery pipelines, hardened with Defender for Cloud.',
  },
  {
    company: 'Donaunetz Systemhaus GmbH',
    contactName: 'Katharina Huber',
    email: 'katharina.huber@donaunetz.example',
    website: 'https://www.donaunetz.example',
    country: 'Austria',
    regions: ['dach'],
    remoteOk: false,
    timezone: 'Europe/Vienna',
    skills: ['networking', 'managed-services', 'backup-dr', 'active-directory'],
    profile:
      'Network integrator and managed service provider in Linz. We run LAN, Wi-Fi and firewall estates for around 120 Austrian SMBs, with on-site engineers across Upper Austria.',
  },
  {
    company: 'Kernwerk Cloud AG',
    contactName: 'Lukas Meier',
    email: 'lukas.meier@kernwerk.example',
    website: 'https://www.kernwerk.example',
    country: 'Switzerland',
    regions: ['dach', 'emea-west'],
    remoteOk: true,
    timezone: 'Europe/Zurich',
    skills: ['kubernetes-on-azure', 'containers', 'cloud-security', 'ci-cd-pipelines'],
    profile:
      'Zurich boutique for containerised workloads on Azure. We help Swiss financial and insurance clients run regulated workloads on AKS with strict security baselines.',
  },
  {
    company: 'Elbe Endpoint Solutions GmbH',
    contactName: 'Sophie Schulz',
    email: 'sophie.schulz@elbe-endpoint.example',
    website: 'https://www.elbe-endpoint.example',
    country: 'Germany',
    regions: ['dach', 'nordics'],
    remoteOk: true,
    timezone: 'Europe/Berlin',
    skills: ['intune', 'windows-11-migration', 'modernize-endpoints', 'windows-365'],
    profile:
      'Hamburg endpoint specialists. We roll out Intune and Windows Autopilot, migrate fleets to Windows 11 and introduce Windows 365 Cloud PCs for hybrid teams.',
  },
  {
    company: 'Bergblick Arbeitsplatz GmbH',
    contactName: 'Florian Gruber',
    email: 'florian.gruber@bergblick.example',
    website: 'https://www.bergblick.example',
    country: 'Austria',
    regions: ['dach'],
    remoteOk: false,
    timezone: 'Europe/Vienna',
    skills: ['intune', 'm365-migration', 'teamwork-deployment', 'copilot-m365-adoption'],
    profile:
      'Modern Work partner in Innsbruck. We move companies to Microsoft 365 and Teams, manage their devices with Intune and prepare them for Copilot.',
  },
  {
    company: 'Sicherwerk Security GmbH',
    contactName: 'Markus Wagner',
    email: 'markus.wagner@sicherwerk.example',
    website: 'https://www.sicherwerk.example',
    country: 'Germany',
    regions: ['dach', 'emea-central'],
    remoteOk: true,
    timezone: 'Europe/Berlin',
    skills: ['sentinel', 'soc-mdr', 'defender-xdr', 'threat-protection', 'security-compliance'],
    profile:
      'Managed security service provider in Frankfurt running a 24/7 SOC on Microsoft Sentinel and Defender XDR. We also help clients get ready for NIS2.',
  },
  {
    company: 'Zahlenhaus Analytics GmbH',
    contactName: 'Laura Fischer',
    email: 'laura.fischer@zahlenhaus.example',
    website: 'https://www.zahlenhaus.example',
    country: 'Germany',
    regions: ['dach'],
    remoteOk: true,
    timezone: 'Europe/Berlin',
    skills: ['microsoft-fabric', 'power-bi', 'azure-data-engineering', 'analytics-on-azure'],
    profile:
      'Stuttgart data and analytics boutique. We build Microsoft Fabric lakehouses and Power BI reporting for automotive suppliers and retailers.',
  },
  {
    company: 'Limmat Digital AG',
    contactName: 'Reto Baumann',
    email: 'reto.baumann@limmat-digital.example',
    website: 'https://www.limmat-digital.example',
    country: 'Switzerland',
    regions: ['dach'],
    remoteOk: false,
    timezone: 'Europe/Zurich',
    skills: ['d365-finance-operations', 'finance', 'supply-chain'],
    profile:
      'Dynamics 365 Finance & Operations partner for Swiss mid-market manufacturers, with deep experience in multi-entity finance and production planning.',
  },

  // ── UK & Ireland ────────────────────────────────────────────────────────────────────────
  {
    company: 'Thistle Cloud Ltd',
    contactName: 'Fiona MacLeod',
    email: 'fiona.macleod@thistlecloud.example',
    website: 'https://www.thistlecloud.example',
    country: 'United Kingdom',
    regions: ['uk-ireland'],
    remoteOk: true,
    timezone: 'Europe/London',
    skills: ['m365-migration', 'managed-services', 'intune', 'exchange-online', 'sharepoint-online'],
    profile:
      'Edinburgh MSP looking after Microsoft 365 for about 80 Scottish charities and professional services firms. Tenant-to-tenant migrations are our bread and butter.',
  },
  {
    company: 'Northgate Cyber Ltd',
    contactName: 'Daniel Hughes',
    email: 'daniel.hughes@northgatecyber.example',
    website: 'https://www.northgatecyber.example',
    country: 'United Kingdom',
    regions: ['uk-ireland'],
    remoteOk: true,
    timezone: 'Europe/London',
    skills: ['sentinel', 'soc-mdr', 'defender-xdr', 'penetration-testing', 'security-compliance'],
    profile:
      'Leeds-based MSSP with a CREST-accredited testing team. We operate a Sentinel-based SOC and help clients achieve Cyber Essentials Plus and ISO 27001.',
  },
  {
    company: 'Liffey Data Partners Ltd',
    contactName: 'Aoife Byrne',
    email: 'aoife.byrne@liffeydata.example',
    website: 'https://www.liffeydata.example',
    country: 'Ireland',
    regions: ['uk-ireland', 'emea-west'],
    remoteOk: true,
    timezone: 'Europe/Dublin',
    skills: ['microsoft-fabric', 'azure-databricks', 'power-bi', 'ai-ml-azure'],
    profile:
      'Dublin data and AI consultancy. We design analytics platforms on Microsoft Fabric and Databricks and take machine learning models into production.',
  },
  {
    company: 'Kestrel Voice Ltd',
    contactName: 'Tom Fletcher',
    email: 'tom.fletcher@kestrelvoice.example',
    website: 'https://www.kestrelvoice.example',
    country: 'United Kingdom',
    regions: ['uk-ireland'],
    remoteOk: true,
    timezone: 'Europe/London',
    skills: ['teams-phone', 'calling-teams', 'teams-meetings-rooms'],
    profile:
      'Unified communications specialists in Bristol. We replace legacy PBXs with Teams Phone over Direct Routing or Operator Connect and fit out Teams Rooms.',
  },
  {
    company: 'Harbourside Dynamics Ltd',
    contactName: 'Priya Shah',
    email: 'priya.shah@harbourside-dynamics.example',
    website: 'https://www.harbourside-dynamics.example',
    country: 'United Kingdom',
    regions: ['uk-ireland'],
    remoteOk: true,
    timezone: 'Europe/London',
    skills: ['d365-business-central', 'd365-customer-engagement', 'power-apps'],
    profile:
      'Southampton Dynamics partner covering Business Central and Dynamics 365 Sales for distribution and marine businesses, with Power Apps for the gaps.',
  },
  {
    company: 'Bluebell Identity Ltd',
    contactName: 'Owen Price',
    email: 'owen.price@bluebell-identity.example',
    website: 'https://www.bluebell-identity.example',
    country: 'United Kingdom',
    regions: ['uk-ireland'],
    remoteOk: true,
    timezone: 'Europe/London',
    skills: ['identity-access-management', 'active-directory', 'cloud-security', 'purview'],
    profile:
      'Cardiff identity specialists. We clean up Active Directory, move clients to Entra ID with Conditional Access and roll out Purview sensitivity labels.',
  },
  {
    company: 'Shannon Secure Ltd',
    contactName: 'Ciarán Walsh',
    email: 'ciaran.walsh@shannonsecure.example',
    website: 'https://www.shannonsecure.example',
    country: 'Ireland',
    regions: ['uk-ireland'],
    remoteOk: true,
    timezone: 'Europe/Dublin',
    skills: ['sentinel', 'soc-mdr', 'purview', 'information-protection-governance'],
    profile:
      'Limerick security partner offering managed detection and response on Microsoft Sentinel, plus data governance projects with Microsoft Purview.',
  },

  // ── North America ───────────────────────────────────────────────────────────────────────
  {
    company: 'Prairie Stack Consulting LLC',
    contactName: 'Megan Olson',
    email: 'megan.olson@prairiestack.example',
    website: 'https://www.prairiestack.example',
    country: 'United States',
    regions: ['north-america'],
    remoteOk: true,
    timezone: 'America/Chicago',
    skills: ['azure-landing-zones', 'infra-db-migration', 'finops', 'networking-services-azure', 'backup-dr'],
    profile:
      'Minneapolis Azure infrastructure consultancy. We plan and run datacenter exits to Azure for regional banks, healthcare groups and manufacturers, and keep the bill under control afterwards.',
  },
  {
    company: 'Lakeshore Business Systems Inc.',
    contactName: 'Brian Kowalski',
    email: 'brian.kowalski@lakeshore-bs.example',
    website: 'https://www.lakeshore-bs.example',
    country: 'United States',
    regions: ['north-america'],
    remoteOk: true,
    timezone: 'America/Chicago',
    skills: ['d365-business-central', 'power-bi', 'smb-management', 'finance'],
    profile:
      'Milwaukee Business Central partner with 20 years of NAV history. We serve food and beverage distributors across the Midwest.',
  },
  {
    company: 'Cascade Ledger Partners LLC',
    contactName: 'Jenna Park',
    email: 'jenna.park@cascadeledger.example',
    website: 'https://www.cascadeledger.example',
    country: 'United States',
    regions: ['north-america'],
    remoteOk: true,
    timezone: 'America/Los_Angeles',
    skills: ['d365-business-central', 'd365-customer-engagement', 'power-automate', 'sales'],
    profile:
      'Seattle Dynamics 365 partner connecting Business Central and Dynamics 365 Sales for growing B2B companies, with Power Automate doing the plumbing.',
  },
  {
    company: 'Maple Circuit Technologies Inc.',
    contactName: 'Étienne Gagnon',
    email: 'etienne.gagnon@maplecircuit.example',
    website: 'https://www.maplecircuit.example',
    country: 'Canada',
    regions: ['north-america'],
    remoteOk: true,
    timezone: 'America/Toronto',
    skills: ['d365-business-central', 'supply-chain', 'power-apps'],
    profile:
      'Montreal ERP partner working in English and French. We implement Business Central for light manufacturing and build warehouse apps with Power Apps.',
  },
  {
    company: 'Blue Ridge Secure LLC',
    contactName: 'Marcus Reed',
    email: 'marcus.reed@blueridgesecure.example',
    website: 'https://www.blueridgesecure.example',
    country: 'United States',
    regions: ['north-america'],
    remoteOk: true,
    timezone: 'America/New_York',
    skills: ['sentinel', 'soc-mdr', 'defender-xdr', 'identity-access-management'],
    profile:
      'Charlotte MSSP protecting mid-sized companies with a Microsoft-native SOC: Sentinel, Defender XDR and Entra ID protection, monitored around the clock.',
  },
  {
    company: 'Mesa Cloud Works LLC',
    contactName: 'Carlos Ramirez',
    email: 'carlos.ramirez@mesacloud.example',
    website: 'https://www.mesacloud.example',
    country: 'United States',
    regions: ['north-america', 'latin-america'],
    remoteOk: true,
    timezone: 'America/Phoenix',
    skills: ['kubernetes-on-azure', 'cloud-security', 'containers', 'dotnet-development', 'web-app-modernization'],
    profile:
      'Phoenix app modernization shop with a bilingual team. We containerise .NET applications and run them securely on AKS and Azure App Service.',
  },
  {
    company: 'Tidewater AI Labs Inc.',
    contactName: 'Olivia Grant',
    email: 'olivia.grant@tidewater-ai.example',
    website: 'https://www.tidewater-ai.example',
    country: 'United States',
    regions: ['north-america'],
    remoteOk: true,
    timezone: 'America/New_York',
    skills: ['azure-openai', 'ai-apps-azure', 'dotnet-development', 'ai-ml-azure'],
    profile:
      'Virginia AI engineering studio. We build retrieval-augmented assistants on Azure OpenAI for legal, insurance and public-sector clients.',
  },
  {
    company: 'Fraser Valley Networks Ltd.',
    contactName: 'Harpreet Sandhu',
    email: 'harpreet.sandhu@fraservalleynet.example',
    website: 'https://www.fraservalleynet.example',
    country: 'Canada',
    regions: ['north-america'],
    remoteOk: false,
    timezone: 'America/Vancouver',
    skills: ['networking', 'azure-virtual-desktop', 'citrix', 'managed-services'],
    profile:
      'Network and end-user computing integrator in British Columbia. We run SD-WAN for multi-site clients and move Citrix farms to Azure Virtual Desktop.',
  },

  // ── Latin America ───────────────────────────────────────────────────────────────────────
  {
    company: 'Andes Nube SpA',
    contactName: 'Valentina Rojas',
    email: 'valentina.rojas@andesnube.example',
    website: 'https://www.andesnube.example',
    country: 'Chile',
    regions: ['latin-america'],
    remoteOk: true,
    timezone: 'America/Santiago',
    skills: ['azure-virtual-desktop', 'infra-db-migration', 'backup-dr', 'windows-365'],
    profile:
      'Santiago Azure infrastructure partner. We migrate on-premises servers to Azure and deliver virtual desktops for mining and logistics companies.',
  },
  {
    company: 'Ipê Sistemas Ltda.',
    contactName: 'Rafael Costa',
    email: 'rafael.costa@ipesistemas.example',
    website: 'https://www.ipesistemas.example',
    country: 'Brazil',
    regions: ['latin-america'],
    remoteOk: true,
    timezone: 'America/Sao_Paulo',
    skills: ['d365-finance-operations', 'supply-chain', 'power-bi'],
    profile:
      'São Paulo Dynamics 365 Finance & Operations partner with Brazilian fiscal localisation experience, serving agribusiness and retail groups.',
  },
  {
    company: 'Cenote Digital S.A. de C.V.',
    contactName: 'Mariana López',
    email: 'mariana.lopez@cenotedigital.example',
    website: 'https://www.cenotedigital.example',
    country: 'Mexico',
    regions: ['latin-america', 'north-america'],
    remoteOk: true,
    timezone: 'America/Mexico_City',
    skills: ['azure-openai', 'ai-apps-azure', 'power-apps', 'copilot-studio'],
    profile:
      'Mexico City AI and low-code studio. We build customer-service copilots with Azure OpenAI and Copilot Studio in Spanish and English.',
  },
  {
    company: 'Cordillera Seguridad SAS',
    contactName: 'Andrés Gómez',
    email: 'andres.gomez@cordillera-seg.example',
    website: 'https://www.cordillera-seg.example',
    country: 'Colombia',
    regions: ['latin-america'],
    remoteOk: true,
    timezone: 'America/Bogota',
    skills: ['sentinel', 'soc-mdr', 'defender-xdr'],
    profile:
      'Medellín security operations provider running a Spanish-speaking SOC on Microsoft Sentinel for banks and retailers across the region.',
  },
  {
    company: 'Pampa Datos S.A.',
    contactName: 'Lucía Fernández',
    email: 'lucia.fernandez@pampadatos.example',
    website: 'https://www.pampadatos.example',
    country: 'Argentina',
    regions: ['latin-america'],
    remoteOk: true,
    timezone: 'America/Argentina/Buenos_Aires',
    skills: ['microsoft-fabric', 'azure-data-engineering', 'power-bi', 'azure-sql'],
    profile:
      'Buenos Aires data engineering team. We modernise SQL Server data warehouses into Microsoft Fabric and work comfortably across US and European time zones.',
  },

  // ── Western Europe ──────────────────────────────────────────────────────────────────────
  {
    company: 'Nuage Clair SAS',
    contactName: 'Camille Martin',
    email: 'camille.martin@nuageclair.example',
    website: 'https://www.nuageclair.example',
    country: 'France',
    regions: ['emea-west'],
    remoteOk: true,
    timezone: 'Europe/Paris',
    skills: ['d365-customer-engagement', 'sales', 'service', 'power-apps'],
    profile:
      'Lyon Dynamics 365 Customer Engagement partner. We implement Sales and Customer Service for French and Belgian B2B companies.',
  },
  {
    company: 'Polder Cloud B.V.',
    contactName: 'Sanne de Vries',
    email: 'sanne.devries@poldercloud.example',
    website: 'https://www.poldercloud.example',
    country: 'Netherlands',
    regions: ['emea-west'],
    remoteOk: true,
    timezone: 'Europe/Amsterdam',
    skills: ['microsoft-fabric', 'power-bi', 'analytics-on-azure', 'dw-migration-azure'],
    profile:
      'Utrecht analytics partner. We migrate legacy data warehouses to Azure and Microsoft Fabric and train business teams to build their own Power BI reports.',
  },
  {
    company: 'Brabant Werkplek B.V.',
    contactName: 'Thijs Janssen',
    email: 'thijs.janssen@brabantwerkplek.example',
    website: 'https://www.brabantwerkplek.example',
    country: 'Netherlands',
    regions: ['emea-west'],
    remoteOk: true,
    timezone: 'Europe/Amsterdam',
    skills: ['intune', 'windows-365', 'modernize-endpoints', 'copilot-m365-adoption'],
    profile:
      'Eindhoven modern workplace partner. We manage devices with Intune, deliver Windows 365 Cloud PCs and run Copilot adoption programmes.',
  },
  {
    company: 'Escaut Sécurité SRL',
    contactName: 'Élise Dubois',
    email: 'elise.dubois@escaut-securite.example',
    website: 'https://www.escaut-securite.example',
    country: 'Belgium',
    regions: ['emea-west'],
    remoteOk: true,
    timezone: 'Europe/Brussels',
    skills: ['identity-access-management', 'purview', 'security-compliance', 'penetration-testing'],
    profile:
      'Brussels security consultancy helping public bodies and healthcare providers with identity, data protection and NIS2 compliance.',
  },
  {
    company: 'Meseta Sistemas S.L.',
    contactName: 'Javier Navarro',
    email: 'javier.navarro@mesetasistemas.example',
    website: 'https://www.mesetasistemas.example',
    country: 'Spain',
    regions: ['emea-west', 'latin-america'],
    remoteOk: true,
    timezone: 'Europe/Madrid',
    skills: ['sap-on-azure', 'infra-db-migration', 'azure-landing-zones', 'backup-dr'],
    profile:
      'Madrid infrastructure partner specialising in moving SAP landscapes to Azure, from landing zone design to cut-over weekend.',
  },
  {
    company: 'Lagoa Cloud Lda.',
    contactName: 'Inês Carvalho',
    email: 'ines.carvalho@lagoacloud.example',
    website: 'https://www.lagoacloud.example',
    country: 'Portugal',
    regions: ['emea-west'],
    remoteOk: true,
    timezone: 'Europe/Lisbon',
    skills: ['kubernetes-on-azure', 'cloud-security', 'infrastructure-as-code', 'ci-cd-pipelines'],
    profile:
      'Lisbon cloud-native engineering team. We design AKS platforms with Terraform and GitHub Actions and work remotely for clients across Europe.',
  },
  {
    company: 'Vesuvio Digitale S.r.l.',
    contactName: 'Giulia Esposito',
    email: 'giulia.esposito@vesuviodigitale.example',
    website: 'https://www.vesuviodigitale.example',
    country: 'Italy',
    regions: ['emea-west'],
    remoteOk: true,
    timezone: 'Europe/Rome',
    skills: ['teams-phone', 'calling-teams', 'teams-meetings-rooms', 'teamwork-deployment'],
    profile:
      'Naples Teams specialists. We deploy Teams Phone with Direct Routing and equip meeting rooms for hotels, clinics and public administration.',
  },

  // ── Nordics ─────────────────────────────────────────────────────────────────────────────
  {
    company: 'Fjordlys AS',
    contactName: 'Ingrid Solberg',
    email: 'ingrid.solberg@fjordlys.example',
    website: 'https://www.fjordlys.example',
    country: 'Norway',
    regions: ['nordics'],
    remoteOk: true,
    timezone: 'Europe/Oslo',
    skills: ['azure-vmware-solution', 'vmware-migration', 'hybrid-cloud-azure-stack-hci', 'azure-arc'],
    profile:
      'Bergen hybrid cloud partner. We help Norwegian energy and shipping companies leave their VMware estates for Azure VMware Solution and Azure Stack HCI.',
  },
  {
    company: 'Skärgård Data AB',
    contactName: 'Erik Lindqvist',
    email: 'erik.lindqvist@skargarddata.example',
    website: 'https://www.skargarddata.example',
    country: 'Sweden',
    regions: ['nordics'],
    remoteOk: true,
    timezone: 'Europe/Stockholm',
    skills: ['microsoft-fabric', 'power-bi', 'azure-databricks'],
    profile:
      'Stockholm data platform consultancy. We build Microsoft Fabric and Databricks platforms for retail and media companies across the Nordics.',
  },
  {
    company: 'Kattegat Workplace ApS',
    contactName: 'Mette Nielsen',
    email: 'mette.nielsen@kattegat-workplace.example',
    website: 'https://www.kattegat-workplace.example',
    country: 'Denmark',
    regions: ['nordics'],
    remoteOk: true,
    timezone: 'Europe/Copenhagen',
    skills: ['intune', 'm365-migration', 'copilot-m365-adoption', 'adoption-change-management'],
    profile:
      'Aarhus Modern Work partner that pairs technical Microsoft 365 and Intune rollouts with structured adoption and change management.',
  },
  {
    company: 'Revontuli Security Oy',
    contactName: 'Mikko Virtanen',
    email: 'mikko.virtanen@revontuli-security.example',
    website: 'https://www.revontuli-security.example',
    country: 'Finland',
    regions: ['nordics', 'emea-central'],
    remoteOk: true,
    timezone: 'Europe/Helsinki',
    skills: ['sentinel', 'soc-mdr', 'defender-xdr', 'cloud-security'],
    profile:
      'Helsinki MDR provider with a Finnish-speaking SOC. We monitor Microsoft 365 and Azure estates with Sentinel and Defender.',
  },
  {
    company: 'Norrsken Apps AB',
    contactName: 'Sara Berg',
    email: 'sara.berg@norrsken-apps.example',
    website: 'https://www.norrsken-apps.example',
    country: 'Sweden',
    regions: ['nordics'],
    remoteOk: true,
    timezone: 'Europe/Stockholm',
    skills: ['power-apps', 'power-automate', 'copilot-studio', 'low-code-app-development'],
    profile:
      'Umeå low-code studio. We replace spreadsheets and paper processes with Power Apps, Power Automate flows and Copilot Studio agents.',
  },

  // ── Central & Eastern Europe ────────────────────────────────────────────────────────────
  {
    company: 'Wisła Cloud Sp. z o.o.',
    contactName: 'Piotr Nowak',
    email: 'piotr.nowak@wislacloud.example',
    website: 'https://www.wislacloud.example',
    country: 'Poland',
    regions: ['emea-central', 'dach'],
    remoteOk: true,
    timezone: 'Europe/Warsaw',
    skills: ['kubernetes-on-azure', 'cloud-security', 'containers', 'dotnet-development', 'devops-github-azure'],
    profile:
      'Kraków engineering partner with 40 .NET and platform engineers. We build and run AKS platforms for German and Polish software companies.',
  },
  {
    company: 'Vltava Software s.r.o.',
    contactName: 'Tereza Dvořáková',
    email: 'tereza.dvorakova@vltavasoftware.example',
    website: 'https://www.vltavasoftware.example',
    country: 'Czechia',
    regions: ['emea-central'],
    remoteOk: true,
    timezone: 'Europe/Prague',
    skills: ['dotnet-development', 'web-app-modernization', 'azure-integration-services', 'ci-cd-pipelines'],
    profile:
      'Prague software house modernising line-of-business .NET applications and integrating them with Logic Apps and API Management.',
  },
  {
    company: 'Carpathia Networks SRL',
    contactName: 'Andrei Popescu',
    email: 'andrei.popescu@carpathianet.example',
    website: 'https://www.carpathianet.example',
    country: 'Romania',
    regions: ['emea-central'],
    remoteOk: false,
    timezone: 'Europe/Bucharest',
    skills: ['networking', 'networking-services-azure', 'backup-dr'],
    profile:
      'Cluj-Napoca network integrator. We connect branch offices with SD-WAN and extend them into Azure with ExpressRoute and Azure Firewall.',
  },
  {
    company: 'Duna Analitika Kft.',
    contactName: 'Eszter Nagy',
    email: 'eszter.nagy@dunaanalitika.example',
    website: 'https://www.dunaanalitika.example',
    country: 'Hungary',
    regions: ['emea-central'],
    remoteOk: true,
    timezone: 'Europe/Budapest',
    skills: ['power-bi', 'business-intelligence', 'azure-sql'],
    profile:
      'Budapest business intelligence team building Power BI dashboards on Azure SQL for finance and controlling departments.',
  },
  {
    company: 'Baltic Shield OÜ',
    contactName: 'Kristjan Tamm',
    email: 'kristjan.tamm@balticshield.example',
    website: 'https://www.balticshield.example',
    country: 'Estonia',
    regions: ['emea-central', 'nordics'],
    remoteOk: true,
    timezone: 'Europe/Tallinn',
    skills: ['penetration-testing', 'security-compliance', 'identity-access-management'],
    profile:
      'Tallinn offensive security firm. We run penetration tests and identity reviews for fintechs and prepare them for ISO 27001 and DORA audits.',
  },
  {
    company: 'Tatra Endpoint s.r.o.',
    contactName: 'Martin Kováč',
    email: 'martin.kovac@tatraendpoint.example',
    website: 'https://www.tatraendpoint.example',
    country: 'Slovakia',
    regions: ['emea-central', 'dach'],
    remoteOk: true,
    timezone: 'Europe/Bratislava',
    skills: ['intune', 'windows-11-migration', 'managed-services'],
    profile:
      'Bratislava endpoint management and helpdesk provider. We take over device management for Austrian and Slovak companies, often fully remote.',
  },

  // ── Middle East & Africa ────────────────────────────────────────────────────────────────
  {
    company: 'Gulf Horizon IT LLC',
    contactName: 'Omar Haddad',
    email: 'omar.haddad@gulfhorizon.example',
    website: 'https://www.gulfhorizon.example',
    country: 'United Arab Emirates',
    regions: ['middle-east-africa'],
    remoteOk: true,
    timezone: 'Asia/Dubai',
    skills: ['m365-migration', 'teamwork-deployment', 'teams-meetings-rooms', 'exchange-online'],
    profile:
      'Dubai Modern Work partner. We migrate mailboxes and files to Microsoft 365 and fit out Teams Rooms for real-estate and hospitality groups.',
  },
  {
    company: 'Karoo Cloud (Pty) Ltd',
    contactName: 'Thandiwe Nkosi',
    email: 'thandiwe.nkosi@karoocloud.example',
    website: 'https://www.karoocloud.example',
    country: 'South Africa',
    regions: ['middle-east-africa'],
    remoteOk: true,
    timezone: 'Africa/Johannesburg',
    skills: ['azure-openai', 'ai-apps-azure', 'azure-data-engineering'],
    profile:
      'Johannesburg data and AI partner. We build document-processing and chat solutions on Azure OpenAI for insurers and mining houses.',
  },
  {
    company: 'Savanna Secure Ltd',
    contactName: 'Wanjiru Kamau',
    email: 'wanjiru.kamau@savannasecure.example',
    website: 'https://www.savannasecure.example',
    country: 'Kenya',
    regions: ['middle-east-africa'],
    remoteOk: true,
    timezone: 'Africa/Nairobi',
    skills: ['sentinel', 'defender-xdr', 'identity-access-management'],
    profile:
      'Nairobi security partner deploying Defender XDR, Sentinel and Entra ID for banks, NGOs and telecoms in East Africa.',
  },
  {
    company: 'Najd Business Solutions Co.',
    contactName: 'Faisal Al-Harbi',
    email: 'faisal.alharbi@najd-bs.example',
    website: 'https://www.najd-bs.example',
    country: 'Saudi Arabia',
    regions: ['middle-east-africa'],
    remoteOk: false,
    timezone: 'Asia/Riyadh',
    skills: ['d365-finance-operations', 'finance', 'power-bi'],
    profile:
      'Riyadh Dynamics 365 Finance & Operations partner with Arabic localisation and ZATCA e-invoicing experience.',
  },
  {
    company: 'Carmel Code Ltd',
    contactName: 'Noa Levi',
    email: 'noa.levi@carmelcode.example',
    website: 'https://www.carmelcode.example',
    country: 'Israel',
    regions: ['middle-east-africa', 'emea-west'],
    remoteOk: true,
    timezone: 'Asia/Jerusalem',
    skills: ['azure-openai', 'dotnet-development', 'kubernetes-on-azure', 'ai-ml-azure'],
    profile:
      'Haifa engineering boutique building AI-powered SaaS products on Azure, from model fine-tuning to AKS operations.',
  },
  {
    company: 'Lagos Bridge Technologies Ltd',
    contactName: 'Chinedu Okafor',
    email: 'chinedu.okafor@lagosbridge.example',
    website: 'https://www.lagosbridge.example',
    country: 'Nigeria',
    regions: ['middle-east-africa'],
    remoteOk: true,
    timezone: 'Africa/Lagos',
    skills: ['managed-services', 'networking', 'azure-virtual-desktop'],
    profile:
      'Lagos managed service provider running networks, helpdesk and Azure Virtual Desktop for professional services firms in West Africa.',
  },

  // ── Asia Pacific ────────────────────────────────────────────────────────────────────────
  {
    company: 'Lion City Networks Pte. Ltd.',
    contactName: 'Tan Wei Ling',
    email: 'weiling.tan@lioncitynet.example',
    website: 'https://www.lioncitynet.example',
    country: 'Singapore',
    regions: ['apac'],
    remoteOk: false,
    timezone: 'Asia/Singapore',
    skills: ['networking', 'managed-services', 'backup-dr'],
    profile:
      'Singapore network integrator and MSP. We design and support office networks, firewalls and backup for regional headquarters.',
  },
  {
    company: 'Merlion Desktop Pte. Ltd.',
    contactName: 'Rajesh Menon',
    email: 'rajesh.menon@merliondesktop.example',
    website: 'https://www.merliondesktop.example',
    country: 'Singapore',
    regions: ['apac'],
    remoteOk: true,
    timezone: 'Asia/Singapore',
    skills: ['azure-virtual-desktop', 'windows-365', 'intune', 'citrix'],
    profile:
      'Singapore end-user computing specialists. We move Citrix estates to Azure Virtual Desktop and Windows 365 and manage the endpoints with Intune.',
  },
  {
    company: 'Deccan Cloud Services Pvt. Ltd.',
    contactName: 'Ananya Iyer',
    email: 'ananya.iyer@deccancloud.example',
    website: 'https://www.deccancloud.example',
    country: 'India',
    regions: ['apac', 'middle-east-africa'],
    remoteOk: true,
    timezone: 'Asia/Kolkata',
    skills: ['azure-virtual-desktop', 'infra-db-migration', 'azure-landing-zones', 'finops'],
    profile:
      'Bengaluru Azure infrastructure partner delivering migrations, landing zones and virtual desktops for clients in India and the Gulf.',
  },
  {
    company: 'Sakura Bridge K.K.',
    contactName: 'Haruto Sato',
    email: 'haruto.sato@sakurabridge.example',
    website: 'https://www.sakurabridge.example',
    country: 'Japan',
    regions: ['apac'],
    remoteOk: false,
    timezone: 'Asia/Tokyo',
    skills: ['d365-customer-engagement', 'power-apps', 'sales'],
    profile:
      'Osaka Dynamics 365 Sales partner helping Japanese manufacturers replace spreadsheets and legacy CRMs, with bilingual project managers.',
  },
  {
    company: 'Manila Bay Digital Inc.',
    contactName: 'Maria Santos',
    email: 'maria.santos@manilabaydigital.example',
    website: 'https://www.manilabaydigital.example',
    country: 'Philippines',
    regions: ['apac'],
    remoteOk: true,
    timezone: 'Asia/Manila',
    skills: ['power-automate', 'copilot-studio', 'intelligent-automation', 'managed-services'],
    profile:
      'Manila automation and support centre. We automate back-office processes with Power Automate and run 24/7 helpdesks for regional clients.',
  },
  {
    company: 'Straits Analytics Sdn. Bhd.',
    contactName: 'Aisyah Rahman',
    email: 'aisyah.rahman@straitsanalytics.example',
    website: 'https://www.straitsanalytics.example',
    country: 'Malaysia',
    regions: ['apac'],
    remoteOk: true,
    timezone: 'Asia/Kuala_Lumpur',
    skills: ['power-bi', 'microsoft-fabric', 'azure-sql'],
    profile:
      'Kuala Lumpur analytics partner building Microsoft Fabric and Power BI solutions for manufacturers and palm-oil producers.',
  },
  {
    company: 'Harbour Lantern Security Ltd',
    contactName: 'Kelvin Chan',
    email: 'kelvin.chan@harbourlantern.example',
    website: 'https://www.harbourlantern.example',
    country: 'Hong Kong',
    regions: ['apac'],
    remoteOk: true,
    timezone: 'Asia/Hong_Kong',
    skills: ['sentinel', 'soc-mdr', 'cloud-security'],
    profile:
      'Hong Kong managed security provider operating a Sentinel-based SOC for trading firms and family offices.',
  },

  // ── Australia & New Zealand ─────────────────────────────────────────────────────────────
  {
    company: 'Southern Cross Secure Pty Ltd',
    contactName: "Liam O'Connor",
    email: 'liam.oconnor@southerncrosssecure.example',
    website: 'https://www.southerncrosssecure.example',
    country: 'Australia',
    regions: ['anz'],
    remoteOk: true,
    timezone: 'Australia/Sydney',
    skills: ['sentinel', 'soc-mdr', 'defender-xdr', 'security-compliance', 'identity-access-management'],
    profile:
      'Sydney MSSP helping mid-sized Australian organisations reach Essential Eight maturity, with a Sentinel SOC and Defender XDR.',
  },
  {
    company: 'Wattle Voice Pty Ltd',
    contactName: 'Chloe Nguyen',
    email: 'chloe.nguyen@wattlevoice.example',
    website: 'https://www.wattlevoice.example',
    country: 'Australia',
    regions: ['anz'],
    remoteOk: true,
    timezone: 'Australia/Melbourne',
    skills: ['teams-phone', 'calling-teams', 'teams-meetings-rooms'],
    profile:
      'Melbourne Teams voice specialists. We run Operator Connect and Direct Routing projects and fit out Teams Rooms for schools and councils.',
  },
  {
    company: 'Kauri Connect Ltd',
    contactName: 'Aroha Ngata',
    email: 'aroha.ngata@kauriconnect.example',
    website: 'https://www.kauriconnect.example',
    country: 'New Zealand',
    regions: ['anz'],
    remoteOk: true,
    timezone: 'Pacific/Auckland',
    skills: ['teams-phone', 'calling-teams', 'm365-migration'],
    profile:
      'Auckland Microsoft 365 and Teams calling partner moving New Zealand businesses off on-premises phone systems.',
  },
  {
    company: 'Swan River Dynamics Pty Ltd',
    contactName: 'Jack Mitchell',
    email: 'jack.mitchell@swanriverdynamics.example',
    website: 'https://www.swanriverdynamics.example',
    country: 'Australia',
    regions: ['anz'],
    remoteOk: true,
    timezone: 'Australia/Perth',
    skills: ['d365-business-central', 'power-bi', 'smb-management'],
    profile:
      'Perth Business Central partner for mining services and construction companies, with Australian payroll and GST know-how.',
  },
  {
    company: 'Coral Coast Cloud Pty Ltd',
    contactName: 'Emily Walker',
    email: 'emily.walker@coralcoastcloud.example',
    website: 'https://www.coralcoastcloud.example',
    country: 'Australia',
    regions: ['anz', 'apac'],
    remoteOk: true,
    timezone: 'Australia/Brisbane',
    skills: ['azure-virtual-desktop', 'azure-landing-zones', 'vmware-migration', 'azure-vmware-solution'],
    profile:
      'Brisbane Azure infrastructure partner. We move VMware workloads to Azure and deliver Azure Virtual Desktop for healthcare and education.',
  },
  {
    company: 'Tasman Data Ltd',
    contactName: 'Sam Robinson',
    email: 'sam.robinson@tasmandata.example',
    website: 'https://www.tasmandata.example',
    country: 'New Zealand',
    regions: ['anz'],
    remoteOk: true,
    timezone: 'Pacific/Auckland',
    skills: ['azure-openai', 'microsoft-fabric', 'ai-ml-azure'],
    profile:
      'Wellington data and AI consultancy. We help agricultural and public-sector clients put Microsoft Fabric and Azure OpenAI to practical use.',
  },
];

/** The index of the demo partner with this company name; throws when there is none. */
function partnerIndex(company: string): number {
  const index = demoPartners.findIndex((p) => p.company === company);
  if (index < 0) throw new Error(`demo data: no demo partner named ${company}`);
  return index;
}

export const demoOpportunities: DemoOpportunity[] = [
  {
    title: 'AKS platform and security baseline for a Bavarian manufacturer',
    description:
      'We are rolling out Dynamics 365 Business Central for a mid-sized machine builder near Augsburg. The customer also wants its custom shop-floor applications moved from ageing VMs to Azure Kubernetes Service, with a proper security baseline (Defender for Cloud, network isolation, secrets in Key Vault). We need a partner to design and build the AKS platform and hand over runbooks to the customer IT team. German-speaking project lead preferred.',
    requiredSkills: ['kubernetes-on-azure', 'cloud-security'],
    niceToHaveSkills: ['infrastructure-as-code', 'devops-github-azure'],
    regions: ['dach'],
    remote: true,
    budgetMin: 60000,
    budgetMax: 90000,
    currency: 'EUR',
    startInDays: 30,
    submitterIndex: partnerIndex('Alpenwolke GmbH'),
  },
  {
    title: 'Intune and Autopilot rollout for 450 devices in Upper Austria',
    description:
      'We have renewed the network for a logistics group with five sites around Linz and Wels. They now want all 450 Windows laptops enrolled in Microsoft Intune with Autopilot, compliance policies and app deployment, replacing their old Group Policy setup. We are looking for an Intune partner to design the configuration and run the rollout with us; some on-site days are needed.',
    requiredSkills: ['intune'],
    niceToHaveSkills: ['windows-11-migration', 'modernize-endpoints'],
    regions: ['dach'],
    remote: false,
    budgetMin: 25000,
    budgetMax: 40000,
    currency: 'EUR',
    startInDays: 21,
    submitterIndex: partnerIndex('Donaunetz Systemhaus GmbH'),
  },
  {
    title: 'Managed SOC on Microsoft Sentinel for a Scottish housing association',
    description:
      'Our Microsoft 365 customer, a housing association with 600 staff, must put 24/7 security monitoring in place after an insurance review. We run their tenant and devices but do not operate a SOC. We need a partner to deploy Microsoft Sentinel, connect Defender and Entra ID logs, and provide managed detection and response under a three-year contract.',
    requiredSkills: ['sentinel', 'soc-mdr'],
    niceToHaveSkills: ['defender-xdr'],
    regions: ['uk-ireland'],
    remote: true,
    budgetMin: 40000,
    budgetMax: 70000,
    currency: 'GBP',
    startInDays: 45,
    submitterIndex: partnerIndex('Thistle Cloud Ltd'),
  },
  {
    title: 'Business Central implementation after an Azure datacenter exit',
    description:
      'We are moving a Midwest food distributor out of its datacenter to Azure. Their on-premises Dynamics NAV 2016 will not come along: they want Dynamics 365 Business Central SaaS instead, with inventory, purchasing and EDI with two large retailers. We need an experienced Business Central partner to run the implementation and data migration while we handle the infrastructure.',
    requiredSkills: ['d365-business-central'],
    niceToHaveSkills: ['power-bi', 'smb-management'],
    regions: ['north-america'],
    remote: true,
    budgetMin: 80000,
    budgetMax: 120000,
    currency: 'USD',
    startInDays: 60,
    submitterIndex: partnerIndex('Prairie Stack Consulting LLC'),
  },
  {
    title: 'Teams Phone migration for a 12-site aged-care provider',
    description:
      'We secure the Microsoft 365 environment of an aged-care provider in New South Wales. Their PBX is end-of-life, and they want Teams Phone with Operator Connect or Direct Routing across 12 sites, including reception call queues and a handful of meeting rooms. We need a Teams voice partner to design and deliver the migration.',
    requiredSkills: ['teams-phone'],
    niceToHaveSkills: ['calling-teams', 'teams-meetings-rooms'],
    regions: ['anz'],
    remote: false,
    budgetMin: 30000,
    budgetMax: 55000,
    currency: 'AUD',
    startInDays: 30,
    submitterIndex: partnerIndex('Southern Cross Secure Pty Ltd'),
  },
  {
    title: 'Microsoft Fabric sales and service analytics for a French distributor',
    description:
      'We implemented Dynamics 365 Sales and Customer Service for an industrial distributor in Lyon. The customer now wants one analytics platform combining CRM, ERP and web-shop data, with Power BI dashboards for management. We are looking for a Microsoft Fabric partner to build the lakehouse and the first reports; French is a plus but not required.',
    requiredSkills: ['microsoft-fabric'],
    niceToHaveSkills: ['power-bi', 'azure-data-engineering'],
    regions: ['emea-west'],
    remote: true,
    budgetMin: 50000,
    budgetMax: 80000,
    currency: 'EUR',
    startInDays: 30,
    submitterIndex: partnerIndex('Nuage Clair SAS'),
  },
  {
    title: 'Azure Virtual Desktop for a Singapore shipping broker',
    description:
      'We look after the network and backup of a shipping broker with offices in Singapore and Hong Kong. They want to retire their ageing terminal servers and give traders secure desktops from anywhere. We need an Azure Virtual Desktop partner to design the host pools, FSLogix profiles and a small landing zone, and to support the cut-over.',
    requiredSkills: ['azure-virtual-desktop'],
    niceToHaveSkills: ['intune', 'azure-landing-zones'],
    regions: ['apac'],
    remote: true,
    budgetMin: 35000,
    budgetMax: 60000,
    currency: 'USD',
    startInDays: 14,
    submitterIndex: partnerIndex('Lion City Networks Pte. Ltd.'),
  },
  {
    title: 'Azure OpenAI assistant for a Dubai property group',
    description:
      'We moved a property developer to Microsoft 365 and Teams. They now want an internal assistant in Teams that answers questions about leases, policies and project documents in English and Arabic, grounded in their SharePoint content. We need a partner experienced with Azure OpenAI and retrieval-augmented generation to build a production-ready solution.',
    requiredSkills: ['azure-openai'],
    niceToHaveSkills: ['ai-apps-azure', 'dotnet-development'],
    regions: ['middle-east-africa'],
    remote: true,
    budgetMin: 45000,
    budgetMax: 75000,
    currency: 'USD',
    startInDays: 30,
    submitterIndex: partnerIndex('Gulf Horizon IT LLC'),
  },
];
