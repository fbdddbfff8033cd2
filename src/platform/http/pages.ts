import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply } from 'fastify';
import { formatDay } from '../text/dates.ts';

const PAGES_DIR = fileURLToPath(new URL('../../../templates/pages/', import.meta.url));

const escapeHtml = (value: string | number | null | undefined) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * Server-rendered pages (`templates/pages/*.eta`). Eta escapes every `<%= %>` value; the few
 * `<%~ %>` outputs are markup the templates build themselves from escaped parts. Every page gets
 * `it.day(value)`: a date as people read it, "11 Jan 2027" (src/platform/text/dates.ts, as the mails).
 */
export function createPages(cache: boolean) {
  const eta = new Eta({ views: PAGES_DIR, cache, autoEscape: true });
  return {
    render(name: string, data: Record<string, unknown>): string {
      return eta.render(`./${name}`, { day: formatDay, ...data, escape: escapeHtml });
    },
    /** Sends a page with the given status. */
    send(reply: FastifyReply, name: string, data: Record<string, unknown>, status = 200): FastifyReply {
      return reply.status(status).type('text/html; charset=utf-8').send(this.render(name, data));
    },
    /** A page that only says something: confirmations, "link expired", errors. */
    message(reply: FastifyReply, status: number, title: string, paragraphs: string[], link?: { url: string; label: string }) {
      return this.send(reply, 'message', { title, paragraphs, link: link ?? null }, status);
    },
    script: readFileSync(`${PAGES_DIR}forms.js`, 'utf8'),
  };
}

export type Pages = ReturnType<typeof createPages>;
