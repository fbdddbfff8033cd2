/**
 * Whether the mail allows remote work. A mention of remote work counts only when nothing on its
 * line says no: "no remote work is possible", "remote: not possible", "pas de télétravail",
 * "Trabajo remoto: no", "volledig remote … niet mogelijk". A fixed on-site routine ("hybrid, two days
 * on site every week") is not remote either: a buyer who needs people on site weekly would not take
 * a partner from anywhere. Lines are read to a bounded length, with plain patterns (no nesting), so
 * the cost is linear in the text.
 */

const LINE_MAX = 500;
const REMOTE =
  /(?<!\p{L})(?:remote(?:ly)?(?!\s+(?:desktop|access|monitoring|management|support|assistance|wipe|control))|work(?:ing)? from home|wfh|from anywhere|t[ée]l[ée]travail|[àa] distance|teletrabajo|remoto|home ?office|thuiswerk\w*|op afstand)(?!\p{L})/giu;
/** A negation just before the mention: "no remote work", "pas de télétravail", "won't do remote". */
const NEGATED_BEFORE =
  /(?<!\p{L})(?:no|not|never|without|won't|don't|doesn't|will not|kein\w*|nicht|pas de|sans|ningún|geen|niet)(?:\s+\S+){0,2}\s+$/iu;
/** A negation after the mention, before the clause ends: "remote work is not possible", "remoto: no". */
const NEGATED_AFTER =
  /^[^.;,!?\n]{0,40}?(?<!\p{L})(?:no|not|never|isn't|cannot|can't|impossible|nicht|pas|niet|onmogelijk|nein)(?!\p{L})/iu;
const ON_SITE_ROUTINE =
  /(?<!\p{L})(?:hybrid|hybride|híbrido)(?!\p{L})[^\n]{0,80}?(?<!\p{L})(?:on[- ]?site|vor ort|sur site|presencial|op locatie|in the office|im büro)(?!\p{L})|(?<!\p{L})(?:on[- ]?site|vor ort|sur site|presencial)(?!\p{L})[^\n]{0,20}?(?<!\p{L})only(?!\p{L})/iu;

/** True when some mention of remote work stands, and none is negated and no on-site routine is set. */
export function allowsRemoteWork(text: string): boolean {
  let allowed = false;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.slice(0, LINE_MAX);
    if (ON_SITE_ROUTINE.test(line)) return false;
    for (const mention of line.matchAll(REMOTE)) {
      const before = line.slice(Math.max(0, mention.index - 30), mention.index);
      const after = line.slice(mention.index + mention[0].length, mention.index + mention[0].length + 50);
      if (NEGATED_BEFORE.test(before) || NEGATED_AFTER.test(after)) return false;
      allowed = true;
    }
  }
  return allowed;
}
