import type { ParsedMail } from 'mailparser';
import { REGIONS, type RegionSlug } from '../../regions/regions.ts';
import type { SkillCatalogue } from '../../skills/skill-catalogue.ts';
import { findBudget, readStartDate, type Budget } from './amounts.ts';
import { dateOrderOf } from './date-order.ts';
import { findCityRegions, loadCityPlaces } from './city-places.ts';
import { htmlAsDefaultText, htmlAsText, htmlAsTextOffThread } from './html-text.ts';
import { createNameFinder } from '../../platform/text/name-finder.ts';
import { REGION_WORDS } from './region-words.ts';
import { allowsRemoteWork } from './remote-work.ts';
import { asksUrgent } from './urgency.ts';
import { mainText, quotedText } from './quotes.ts';
import { findSkillMentions, skillFinder } from './skill-mentions.ts';

/** A form field a person must still supply or check before the opportunity can go out. */
export type MissingField = 'title' | 'description' | 'requiredSkills' | 'regions';

/**
 * What we read in one inbound email: the opportunity's fields as far as the text states them
 * plainly. Nothing is guessed beyond that: what is not found stays empty and is named in `missing`.
 */
export interface Understanding extends Budget {
  title: string;
  description: string;
  /** Skill slugs from the taxonomy. */
  requiredSkills: string[];
  /** Skill slugs asked for only as "nice to have", "a plus", "optional", "can come later"… */
  niceToHaveSkills: string[];
  regions: RegionSlug[];
  remote: boolean;
  /** YYYY-MM-DD. */
  startDate?: string;
  /**
   * Set when the start date was written so that it reads two ways (04/05/2027) and nothing in the
   * mail told which: `startDate` is the reading we took, `other` the one the sender may have meant.
   */
  startDateAmbiguous?: { written: string; other: string };
  /** The mail asks for urgent handling (see urgency.ts); kept only with a start date within the window. */
  urgent: boolean;
  /** Named only: attachments are never opened or rendered. */
  attachments: Array<{ filename: string; contentType: string; size: number }>;
  missing: MissingField[];
}

const TITLE_MAX = 200;
const DESCRIPTION_MAX = 10_000;
/**
 * The body text is read this far (characters) at most: enough for any opportunity (the
 * description keeps 10,000 of them), and it bounds what a hostile megabyte of text can cost.
 * Every step after it (quotes, signature, names, amounts, dates) is linear in what it reads, so
 * this is also the bound on how long understanding one mail holds the event loop.
 */
export const BODY_READ_MAX = 64 * 1024;
/** The subject is read this far: a title keeps 200 characters, "RE: FW: " prefixes come first. */
export const SUBJECT_READ_MAX = 1_000;

// Reply/forward prefixes of many clients and languages (Italian Outlook writes "R:" and "I:",
// Portuguese "RES:" and "ENC:", Polish "Odp:" and "PD:"), and the external-sender tags mail
// gateways add ("[EXT]", "EXTERNAL:", "[EXTERNO]", "[EXTERNAL EMAIL]"); stripped again and again.
const REPLY = String.raw`re|aw|sv|vs|r|rif|res|odp|antw|ynt`;
const FORWARD = String.raw`fwd?|wg|tr|rv|i|enc|pd|doorst`;
const TAG = String.raw`ext|external|extern|externe|externo|esterno|externa|external (?:email|e-mail|mail|sender)`;
const SUBJECT_NOISE = new RegExp(String.raw`^\s*(?:(?:${REPLY}|${FORWARD})\s*(?:\[\d+\])?\s*[:：]|\[(?:${TAG})\]|\((?:${TAG})\)|(?:ext|external)\s*[:：])\s*`, 'i');
const FORWARDED = new RegExp(String.raw`^\s*(?:(?:${REPLY})\s*:\s*|\[(?:${TAG})\]\s*|\((?:${TAG})\)\s*)*(?:${FORWARD})\s*:`, 'i');

/** The subject without reply and forward prefixes or "[EXT]" tags. */
export function cleanSubject(subject: string | undefined): string {
  let title = (subject ?? '').slice(0, SUBJECT_READ_MAX).replace(/\s+/g, ' ');
  for (let before = ''; before !== title; ) {
    before = title;
    title = title.replace(SUBJECT_NOISE, '');
  }
  return title.trim().slice(0, TITLE_MAX).trim();
}

/** True when the subject says the message was forwarded to us. */
export function isForwardSubject(subject: string | undefined): boolean {
  return FORWARDED.test((subject ?? '').slice(0, SUBJECT_READ_MAX));
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * The body as plain text: the text part, or the HTML part converted when there is no text part.
 * For an HTML-only mail mailparser fills `text` with its own conversion (tracking URLs, image
 * addresses, lines wrapped at 80); we recognise it and convert the HTML our way instead.
 */
export function bodyText(parsed: Pick<ParsedMail, 'text' | 'html'>): string {
  const html = typeof parsed.html === 'string' ? parsed.html : undefined;
  const text = parsed.text && parsed.text.trim() ? parsed.text : undefined;
  if (!html) return text ?? '';
  if (text && squash(text) !== squash(htmlAsDefaultText(html))) return text;
  return htmlAsText(html);
}

/**
 * The body as plain text, for a message read by `parseStored` (which leaves HTML unconverted, so
 * `text` is only ever a text part): the text part, else the HTML converted on a thread of its own.
 * What understanding, unsubscribe requests and digest replies read.
 */
export async function readBody(parsed: Pick<ParsedMail, 'text' | 'html'>): Promise<string> {
  if (parsed.text && parsed.text.trim()) return parsed.text;
  return typeof parsed.html === 'string' ? htmlAsTextOffThread(parsed.html) : '';
}

// Built once for the regions (skills: once per catalogue, in skill-mentions.ts).
const regionFinder = createNameFinder<RegionSlug>(
  REGIONS.flatMap((r) => [{ name: r.label, value: r.slug }, ...REGION_WORDS[r.slug].map((name) => ({ name, value: r.slug }))]),
);

// "remote desktop" or "remote support" is a kind of work, not a place to do it from.
function missingFields(u: Omit<Understanding, 'missing'>): MissingField[] {
  const missing: MissingField[] = [];
  if (u.title.length < 5) missing.push('title');
  if (u.description.length < 20) missing.push('description');
  if (u.requiredSkills.length === 0) missing.push('requiredSkills');
  if (u.regions.length === 0 && !u.remote) missing.push('regions');
  return missing;
}

/** Below this many characters, a text without a skill or an amount only points elsewhere. */
const POINTER_TEXT_MAX = 400;

/**
 * The sender's own text; or, when that says nothing of substance ("+intake – see Maria's request
 * below") and a quoted message follows, the quoted message: it is the opportunity. A forward
 * already reads its forwarded part.
 */
function ownOrQuoted(body: string, forwarded: boolean, catalogue: SkillCatalogue): string {
  const own = mainText(body, { forwarded });
  if (forwarded || own.length > POINTER_TEXT_MAX) return own;
  if (skillFinder(catalogue).find(own).length > 0 || Object.keys(findBudget(own)).length > 0) return own;
  return quotedText(body) || own;
}

/**
 * Reads an opportunity out of a parsed email. Pure: the same mail and `now` give the same
 * answer; `now` only places a start date written without a year. `body` is the body as
 * `readBody` read it; without it, `bodyText` reads it here (HTML on this thread).
 */
export function understand(parsed: ParsedMail, catalogue: SkillCatalogue, options: { now: Date; body?: string }): Understanding {
  const title = cleanSubject(parsed.subject);
  const body = (options.body ?? bodyText(parsed)).slice(0, BODY_READ_MAX);
  const description = ownOrQuoted(body, isForwardSubject(parsed.subject), catalogue).slice(0, DESCRIPTION_MAX).trim();
  const text = `${title}\n${description}`;
  const named = regionFinder.find(text);
  const regions = [...new Set([...named, ...findCityRegions(text, named)])];
  const contentLanguage = parsed.headers?.get('content-language');
  const order = dateOrderOf({
    regions,
    ...optional('contentLanguage', typeof contentLanguage === 'string' ? contentLanguage : undefined),
    ...optional('senderAddress', parsed.from?.value?.[0]?.address),
  });
  const start = readStartDate(text, options.now, order ? { order } : {});
  const understood = {
    title,
    description,
    ...findSkillMentions(skillFinder(catalogue), text),
    regions,
    remote: allowsRemoteWork(text),
    ...findBudget(text),
    ...optional('startDate', start?.date),
    ...optional('startDateAmbiguous', start?.ambiguous),
    urgent: asksUrgent(title, description),
    attachments: (parsed.attachments ?? []).map((a) => ({
      filename: a.filename ?? '(no name)',
      contentType: a.contentType,
      size: a.size,
    })),
  };
  return { ...understood, missing: missingFields(understood) };
}

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

/** Loads what understanding reads once per process (the city data), so the first mail does not wait for it. */
export function prepareUnderstanding(): void {
  loadCityPlaces();
}
