/**
 * The HTML of an email with its class rules written back inline, as MJML wrote them before
 * src/platform/mail/email-html.ts moved repeated styles into a `<style>` block: assertions about
 * how an element looks ("this chip is green and bold") read the same either way.
 */
export function inlineClassStyles(html: string): string {
  const rules = new Map<string, string>();
  for (const block of html.matchAll(/<style type="text\/css">\n([\s\S]*?)<\/style>/g)) {
    for (const rule of block[1]!.matchAll(/^\.([a-z]+)\{([^}]*)\}$/gm)) rules.set(rule[1]!, rule[2]!);
  }
  return html.replace(/<([a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*?)?(\/?)>/g, (whole, tag: string, attributes: string | undefined, end: string) => {
    const cls = attributes && / class="([a-z]+)"/.exec(attributes);
    const rule = cls && rules.get(cls[1]!);
    if (!attributes || !cls || rule === undefined) return whole;
    const rest = attributes.replace(cls[0], '');
    const inline = / style="([^"]*)"/.exec(rest);
    const merged = inline ? rest.replace(inline[0], ` style="${rule};${inline[1]}"`) : `${rest} style="${rule}"`;
    return `<${tag}${merged}${end}>`;
  });
}
