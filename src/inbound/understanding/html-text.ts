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
 * How we read HTML: links keep their words, not their (often tracking) URLs; images are nothing to
 * read; a table row is one line with its cells apart ("Budget   USD 1.2m"), where html-to-text's
 * default glues the cells of a row, and the rows, into one run of words ("BudgetUSD 1.2mStart…").
 */
export function htmlAsText(html: string): string {
  return convert(html.slice(0, HTML_READ_MAX), {
    wordwrap: false,
    limits,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false, maxColumnWidth: HTML_READ_MAX } },
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
