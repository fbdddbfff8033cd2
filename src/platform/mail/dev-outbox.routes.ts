import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { simpleParser } from 'mailparser';
import { z } from 'zod';

/**
 * Development only (no SMTP_URL): lists the .eml files the mailer wrote, and shows one. The
 * HTML part is shown in a sandboxed iframe (no scripts, no same-origin), never inline.
 */
export function devOutboxRoutes(outboxDir: string, render: (name: string, data: Record<string, unknown>) => string): FastifyPluginAsync {
  return async (app) => {
    app.get('/dev/outbox', { schema: { hide: true } }, async (_request, reply) => {
      const names = (await readdir(outboxDir).catch(() => [] as string[])).filter((n) => n.endsWith('.eml')).sort().reverse().slice(0, 200);
      const files = await Promise.all(
        names.map(async (name) => {
          const head = (await readFile(path.join(outboxDir, name), 'utf8')).split(/\r?\n\r?\n/, 1)[0] ?? '';
          const header = (field: string) => head.match(new RegExp(`^${field}: (.*(?:\\n[ \\t].*)*)`, 'mi'))?.[1]?.replace(/\s+/g, ' ') ?? '';
          const parsed = await simpleParser(`${head}\n\n`);
          return { name, at: name.slice(0, 19).replace(/T(\d\d)-(\d\d)-(\d\d)/, ' $1:$2:$3'), to: header('To'), subject: parsed.subject ?? header('Subject') };
        }),
      );
      return reply.type('text/html; charset=utf-8').send(render('outbox', { title: 'Development outbox', dir: outboxDir, files }));
    });

    app.get('/dev/outbox/:name', { schema: { hide: true, params: z.object({ name: z.string().regex(/^[\w@.-]+\.eml$/) }), querystring: z.object({ raw: z.string().optional(), part: z.enum(['html']).optional() }) } }, async (request, reply) => {
      const { name } = request.params as { name: string };
      const { raw, part } = request.query as { raw?: string; part?: string };
      const source = await readFile(path.join(outboxDir, path.basename(name))).catch(() => undefined);
      if (!source) return reply.status(404).type('text/plain').send('No such email');
      if (raw) return reply.type('message/rfc822').header('Content-Disposition', `attachment; filename="${name}"`).send(source);
      const mail = await simpleParser(source);
      if (part === 'html') {
        return reply.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:").type('text/html; charset=utf-8').send(mail.html || '');
      }
      const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
      return reply.type('text/html; charset=utf-8').send(
        `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(mail.subject ?? '')}</title>` +
          `<body style="font-family:sans-serif;margin:12px;color:#1f2933;overflow-wrap:anywhere">` +
          `<p><a href="/dev/outbox">← outbox</a></p><h1>${escape(mail.subject ?? '')}</h1><p>To: ${escape(mail.to ? (Array.isArray(mail.to) ? mail.to : [mail.to]).map((a) => a.text).join(', ') : '')}</p>` +
          `<iframe sandbox src="/dev/outbox/${encodeURIComponent(name)}?part=html" title="The HTML part of the email" style="width:100%;height:70vh;border:1px solid #6b7785"></iframe>` +
          `<h2>Plain text</h2><pre style="white-space:pre-wrap">${escape(mail.text ?? '')}</pre></body></html>`,
      );
    });
  };
}
