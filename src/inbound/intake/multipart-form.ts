import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy } from '@fastify/busboy';
import { AppError } from '../../platform/errors/app-errors.ts';

/**
 * A multipart/form-data body as named parts of bytes (SendGrid Inbound Parse in raw mode sends the
 * message as its `email` part; Mailgun as `body-mime` once a message has attachments). Every part
 * is read as bytes, never decoded as text: an 8-bit message must reach storage byte for byte.
 * A part larger than `maxPartBytes` is refused with 413; attachments beyond the message itself
 * are read and kept only up to that limit too (the whole request has its own body limit).
 */
export function parseMultipartForm(headers: IncomingHttpHeaders, payload: Readable, maxPartBytes: number): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const contentType = headers['content-type'];
    if (!contentType) return reject(new AppError(400, 'bad_form', 'The form has no content type'));
    const parts = new Map<string, Buffer>();
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      payload.unpipe();
      payload.resume();
      reject(error instanceof AppError ? error : new AppError(400, 'bad_form', 'The multipart form could not be read'));
    };
    let busboy: ReturnType<typeof Busboy>;
    try {
      busboy = Busboy({
        headers: { ...headers, 'content-type': contentType },
        isPartAFile: () => true,
        limits: { fileSize: maxPartBytes, files: 100, fields: 0, parts: 100, headerPairs: 50 },
      });
    } catch (error) {
      return fail(error);
    }
    busboy.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(new AppError(413, 'message_too_large', `A form part is larger than ${maxPartBytes} bytes`)));
      stream.on('end', () => {
        if (!stream.truncated && !parts.has(name)) parts.set(name, Buffer.concat(chunks));
      });
    });
    busboy.on('partsLimit', () => fail(new AppError(413, 'too_many_parts', 'The form has too many parts')));
    busboy.on('filesLimit', () => fail(new AppError(413, 'too_many_parts', 'The form has too many parts')));
    busboy.on('error', fail);
    busboy.on('finish', () => {
      if (!failed) resolve(parts);
    });
    payload.on('error', fail);
    payload.pipe(busboy);
  });
}
