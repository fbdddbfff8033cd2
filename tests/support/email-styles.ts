/**
 * The HTML of an email with its class rules written back inline, as MJML wrote them before
 * src/platform/mail/email-html.ts moved repeated styles into a `<style>` block: assertions about
 * how an element looks ("this chip is green and bold") read the same either way.
 */
export function inlineClassStyles(html: string): string {
  // A rule may name several classes (`.b,.k{font-family:…}`): each class gets its declarations.
  const rules = new Map<string, string>();
  for (const block of html.matchAll(/<style type="text\/css">\n([\s\S]*?)<\/style>/g)) {
    for (const rule of block[1]!.matchAll(/^(\.[a-z]+(?:,\.[a-z]+)*)\{([^}]*)\}$/gm)) {
      for (const name of rule[1]!.slice(1).split(',.')) rules.set(name, rules.has(name) ? `${rules.get(name)!};${rule[2]!}` : rule[2]!);
    }
  }
  return html.replace(/<([a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*?)?(\/?)>/g, (whole, tag: string, attributes: string | undefined, end: string) => {
    // Ours is the class attribute's last name (after MJML's own, where an element has some).
    const cls = attributes && / class="((?:[^"]* )?)([a-z]+)"/.exec(attributes);
    const rule = cls && rules.get(cls[2]!);
    if (!attributes || !cls || rule === undefined) return whole;
    const own = cls[1]!.trim();
    const rest = attributes.replace(cls[0], own ? ` class="${own}"` : '');
    const inline = / style="([^"]*)"/.exec(rest);
    const merged = inline ? rest.replace(inline[0], ` style="${rule};${inline[1]}"`) : `${rest} style="${rule}"`;
    return `<${tag}${merged}${end}>`;
  });
}
