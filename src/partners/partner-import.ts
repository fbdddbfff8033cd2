import { parse } from 'csv-parse/sync';
import { AppError, ValidationError } from '../platform/errors/app-errors.ts';
import { parseRegion } from '../regions/regions.ts';
import { partnerInputSchema, type PartnerInput } from './partner.schemas.ts';
import type { PartnerService } from './partner.service.ts';
import type { PartnerRow } from './partner.repository.ts';

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  rejected: Array<{ line: number; email: string | undefined; reasons: string[] }>;
}

/** Header names people use → our field names. Headers are matched ignoring case and punctuation. */
const HEADER_ALIASES: Record<string, keyof PartnerInput> = {
  company: 'company',
  companyname: 'company',
  partner: 'company',
  contactname: 'contactName',
  contact: 'contactName',
  name: 'contactName',
  email: 'email',
  emailaddress: 'email',
  website: 'website',
  url: 'website',
  country: 'country',
  regions: 'regions',
  region: 'regions',
  remoteok: 'remoteOk',
  remote: 'remoteOk',
  timezone: 'timezone',
  tz: 'timezone',
  urgent: 'urgentDelivery',
  urgentdelivery: 'urgentDelivery',
  skills: 'skills',
  profile: 'profile',
  description: 'profile',
};

const REQUIRED_HEADERS: Array<keyof PartnerInput> = ['company', 'contactName', 'email', 'regions', 'skills'];

const splitList = (value: string | undefined) =>
  (value ?? '')
    .split(/[;|\n]/)
    .map((v) => v.trim())
    .filter(Boolean);

function parseBoolean(value: string | undefined): boolean | string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim().toLowerCase();
  if (['yes', 'y', 'true', '1', 'x'].includes(v)) return true;
  if (['no', 'n', 'false', '0'].includes(v)) return false;
  return value;
}

/** Lines of CSV → partner input, before validation. Unknown regions are kept for the schema to reject. */
function rowToInput(row: Record<string, string>): Record<string, unknown> {
  const get = (field: keyof PartnerInput) => {
    const value = row[field]?.trim();
    return value === '' ? undefined : value;
  };
  return {
    company: get('company') ?? '',
    contactName: get('contactName') ?? '',
    email: get('email') ?? '',
    website: get('website'),
    country: get('country'),
    regions: splitList(get('regions')).map((r) => parseRegion(r) ?? r),
    remoteOk: parseBoolean(get('remoteOk')) ?? true,
    timezone: get('timezone') ?? 'UTC',
    urgentDelivery: get('urgentDelivery')?.toLowerCase(),
    skills: splitList(get('skills')),
    profile: get('profile'),
  };
}

function sameAsStored(input: PartnerInput, skillIds: number[], stored: PartnerRow): boolean {
  const sorted = (values: Array<string | number>) => JSON.stringify([...values].sort());
  return (
    stored.company === input.company &&
    stored.contactName === input.contactName &&
    stored.email.toLowerCase() === input.email.toLowerCase() &&
    stored.website === (input.website ?? null) &&
    stored.country === (input.country || null) &&
    sorted(stored.regions) === sorted(input.regions) &&
    stored.remoteOk === input.remoteOk &&
    stored.timezone === input.timezone &&
    (input.urgentDelivery === undefined || stored.urgentDelivery === input.urgentDelivery) &&
    stored.profile === (input.profile ?? '') &&
    sorted(stored.skillIds) === sorted(skillIds)
  );
}

/**
 * Imports partners from CSV. The header row names the columns (any order; see HEADER_ALIASES).
 * A partner is identified by email: new ones are created active, changed ones updated, identical
 * ones left alone, so importing the same file twice changes nothing. Bad lines are reported
 * with their line number and every reason, and do not stop the rest.
 */
export async function importPartnersCsv(
  csv: string | Buffer,
  partners: PartnerService,
  /** Told after each line, with how many lines there are: the CLI's progress on a terminal. */
  onProgress?: (done: number, total: number) => void,
): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, unchanged: 0, rejected: [] };
  let records: Array<{ line: number; row: Record<string, string> }>;
  let headers: string[] = [];
  try {
    const rows = parse<{ record: Record<string, string>; info: { lines: number } }>(csv, {
      bom: true,
      columns: (header: string[]) =>
        (headers = header.map((h) => HEADER_ALIASES[h.toLowerCase().replace(/[^a-z]/g, '')] ?? `ignored:${h}`)),
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    });
    records = rows.map((r) => ({ line: r.info.lines, row: r.record }));
  } catch (error) {
    throw new ValidationError(`The file is not valid CSV: ${(error as Error).message}`);
  }
  // Checked on the header row itself, so a file with the wrong header and no lines is refused too.
  const missing = REQUIRED_HEADERS.filter((h) => !headers.includes(h));
  if (headers.length > 0 && missing.length) {
    throw new ValidationError(`The header row lacks columns: ${missing.join(', ')}`);
  }

  const seen = new Map<string, number>();
  let done = 0;
  for (const { line, row } of records) {
    // The lines before this one are done (told here: a rejected line leaves its turn early).
    if (done > 0) onProgress?.(done, records.length);
    done++;
    const raw = rowToInput(row);
    const email = typeof raw.email === 'string' && raw.email ? raw.email : undefined;
    const parsed = partnerInputSchema.safeParse(raw);
    if (!parsed.success) {
      report.rejected.push({ line, email, reasons: parsed.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`) });
      continue;
    }
    const input = parsed.data;
    const key = input.email.toLowerCase();
    if (seen.has(key)) {
      report.rejected.push({ line, email, reasons: [`email: appears again (first on line ${seen.get(key)})`] });
      continue;
    }
    try {
      const skillIds = partners.skillsOf(input).listed;
      // Only an accepted line claims its email: a later line may correct a rejected one.
      seen.set(key, line);
      const existing = await partners.findRowByEmail(input.email);
      if (!existing) {
        await partners.createFromImport(input);
        report.created++;
      } else if (sameAsStored(input, skillIds, existing)) {
        report.unchanged++;
      } else {
        // A full replace, not a patch: a column emptied in the file empties the field.
        await partners.replace(existing.id, input);
        report.updated++;
      }
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const reasons = error instanceof ValidationError && error.issues.length
        ? error.issues.map((i) => `${i.path[0]}: ${i.message}`)
        : [(error as Error).message];
      report.rejected.push({ line, email, reasons });
    }
  }
  if (records.length > 0) onProgress?.(records.length, records.length);
  return report;
}
