import { Worker } from 'node:worker_threads';
import { convert } from 'html-to-text';

/**
 * HTML made plain text, bounded. html-to-text costs one to five microseconds a character (a
 * hundred kilobytes of tiny tags: half a second) and recurses once a nesting level, so it only
 * ever sees the first HTML_READ_MAX characters, no deeper than HTML_MAX_DEPTH, and, on the
 * processing path, on a thread of its own: however hostile the HTML, the event loop that serves
 * the queue's locks and every other job never waits for it.
 */
// 128 KB of HTML holds far more than the 10,000 characters a description keeps, even under
// Outlook's styles; and the thread it runs on still takes CPU from everything else on the machine.
export const HTML_READ_MAX = 128 * 1024;
/** Elements nested deeper than this are left out (html-to-text recursed into a stack overflow). */
export const HTML_MAX_DEPTH = 100;
/** The longest a conversion on its thread may take; past it the HTML counts as unreadable. */
export const HTML_CONVERT_TIMEOUT_MS = 10_000;

const limits = { maxDepth: HTML_MAX_DEPTH };

/**
 * Tables are read row by row up to this many cells. Laid out as rows, a table costs html-to-text
 * several times what blocks do (128 KB of empty cells in one row: 3.7 s instead of 0.2 s); no
 * opportunity needs a thousand cells, so a larger one is read as blocks.
 */
export const TABLE_CELLS_MAX = 1_000;

const asRows = { selector: 'table', format: 'dataTable', options: { maxColumnWidth: HTML_READ_MAX, colSpacing: 3, rowSpacing: 0, uppercaseHeaderCells: false } };

function cellCount(html: string): number {
  let cells = 0;
  for (const _ of html.matchAll(/<t[dh][\s>]/gi)) if (++cells > TABLE_CELLS_MAX) break;
  return cells;
}

/**
 * How we read HTML: links keep their words, not their (often tracking) URLs; images are nothing to
 * read; a table keeps one row a line, its cells apart. Read as blocks, the cells of a row ran into
 * one another ("Nice-to-haveAzure Site Recovery", "BudgetUSD 1.2m"): no name or amount was a word
 * of its own, and a row's label ("Nice-to-have", "Budget") no longer stood apart from its value.
 */
export function htmlAsText(html: string): string {
  const read = html.slice(0, HTML_READ_MAX);
  return convert(read, {
    wordwrap: false,
    limits,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      ...(cellCount(read) <= TABLE_CELLS_MAX ? [asRows] : []),
    ],
  });
}

/** html-to-text's default reading (mailparser's), to recognise a text part that mailparser made. */
export function htmlAsDefaultText(html: string): string {
  return convert(html.slice(0, HTML_READ_MAX), { limits });
}

const WORKER = new URL('./html-text.worker.ts', import.meta.url);

/** `htmlAsText` on a thread of its own; '' when it fails or takes longer than `timeoutMs`. */
export function htmlAsTextOffThread(html: string, timeoutMs = HTML_CONVERT_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER, { workerData: html.slice(0, HTML_READ_MAX) });
    let settled = false;
    const settle = (text: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(text);
    };
    // Past the deadline the thread is ended; one that answered ends by itself (ending it from here
    // made the event loop wait for its teardown, tens of milliseconds).
    const timer = setTimeout(() => {
      settle('');
      void worker.terminate();
    }, timeoutMs);
    worker.once('message', (text: unknown) => settle(typeof text === 'string' ? text : ''));
    worker.once('error', () => settle(''));
    worker.once('exit', () => settle(''));
  });
}
