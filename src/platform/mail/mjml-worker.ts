/**
 * Runs MJML in a child process (mail-templates.ts forks it with the template directory and file
 * names as arguments, and reads the HTML from its IPC message): MJML and what it loads (cheerio,
 * juice, htmlnano, js-beautify…) took about 45 MB of every mail-sending process's memory for
 * good, for templates compiled once at start. A worker thread does not do: the memory it frees
 * stays in the process (glibc keeps a thread's arena), so it must be a process.
 */
import { readFile } from 'node:fs/promises';
import mjml2html from 'mjml';

const [dir, ...files] = process.argv.slice(2) as [string, ...string[]];
const results = [];
for (const file of files) {
  const source = await readFile(`${dir}${file}`, 'utf8');
  const { html, errors } = await mjml2html(source, {
    validationLevel: 'strict',
    filePath: dir,
    // The partials are ours; includes may not leave templates/email/ (MJML's own rule).
    ignoreIncludes: false,
    // Template comments document the partials; recipients need not download them.
    keepComments: false,
  });
  results.push({ file, html, errors: errors.map((e) => e.formattedMessage) });
}
process.send!(results, () => process.disconnect());
