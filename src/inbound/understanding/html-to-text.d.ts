// html-to-text (a mailparser dependency) ships no types; this declares the one call we make (with the limits we set).
declare module 'html-to-text' {
  export interface HtmlToTextOptions {
    wordwrap?: number | false;
    limits?: { maxDepth?: number; maxChildNodes?: number; maxBaseElements?: number; ellipsis?: string };
    selectors?: Array<{ selector: string; format?: string; options?: Record<string, unknown> }>;
  }
  export function convert(html: string, options?: HtmlToTextOptions): string;
}
