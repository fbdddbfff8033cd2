/**
 * The other ways a person may have written a skill name, tried in order when the name itself is
 * not in the taxonomy: "Kubernetes (AKS)" is "Kubernetes" or "AKS"; "Power BI reports" is
 * "Power BI"; "NAV 2018 upgrades" is "NAV". Each step only removes words that say how or when
 * the work is done, never what it is, so a variant never names a different product.
 */

/** Words after a product name that describe the work around it, not the skill. */
const TRAILING_WORK_WORDS =
  /\s+(?:upgrades?|implementations?|consulting|consultancy|services?|support|projects?|reports?|reporting|assessments?|audits?|policies|policy|circuits?|migrations?|rollouts?|deployments?|integrations?|surveys?|einführung|projekte?)$/i;
/** Release years and versions ("2018", "2016", "v9"): a partner's skill outlives them. */
const VERSION = /\s+(?:(?:19|20)\d\d|v\d+(?:\.\d+)*)\b/gi;

export function nameVariants(name: string): string[] {
  const variants = new Set<string>([name]);
  const outside = name.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  const inside = [...name.matchAll(/\(([^)]+)\)/g)].map((m) => m[1]!.trim());
  for (const base of [outside, ...inside]) {
    if (!base) continue;
    variants.add(base);
    const unversioned = base.replace(VERSION, '').trim();
    variants.add(unversioned);
    let trimmed = unversioned;
    while (TRAILING_WORK_WORDS.test(trimmed)) {
      trimmed = trimmed.replace(TRAILING_WORK_WORDS, '').trim();
      if (trimmed) variants.add(trimmed);
    }
  }
  return [...variants].filter(Boolean);
}

/**
 * Each word without a plural "s" ("Desktops" → "Desktop", "SBCs" → "SBC"). Applied to the
 * taxonomy's names and to the input alike, so "Teams" → "Team" on both sides still meets.
 */
export function singularWords(name: string): string {
  return name
    .split(/\s+/)
    .map((word) => (/^[A-Za-z][A-Za-z]{2,}[^sSuUiI]s$/.test(word) || /^[A-Z0-9]{2,}s$/.test(word) ? word.slice(0, -1) : word))
    .join(' ');
}
