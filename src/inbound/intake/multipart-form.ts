import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy } from '@fastify/busboy';
import { AppError } from '../../platform/errors/app-errors.ts';
import { BudgetSpentError, type UnverifiedBudget } from './unverified-budget.ts';

export interface MultipartLimits {
  /** The largest part (the message itself); a larger one is refused with 413. */
  maxPartBytes: number;
  /** The whole body on the wire: counted as it streams, so a body past it is never held. */
  maxTotalBytes: number;
}

/**
 * Called after each complete part with every part read so far: throwing (an AppError) refuses the
 * form at once, before another byte is read; returning true says the sender is now proven. The
 * webhook checks Mailgun's signature here as soon as its fields have arrived.
 */
export type PartCheck = (parts: ReadonlyMap<string, Buffer>) => boolean;

export interface MultipartOptions {
  check?: PartCheck;
  /** While the sender is not proven, every byte read is taken from this shared budget first. */
  unverified?: UnverifiedBudget;
}


/**
 * A multipart/form-data body as named parts of bytes (SendGrid Inbound Parse in raw mode sends the
 * message as its `email` part; Mailgun as `body-mime` once a message has attachments). Every part
 * is read as bytes, never decoded as text: an 8-bit message must reach storage byte for byte.
 *
 * Every way the body can go wrong ends in a rejected promise with a 4xx AppError, never in an
 * 'error' event nobody listens to: a body that ends inside a part makes busboy emit "Part
 * terminated early" on that part's stream, and an unheard 'error' event ends the process.
 */
export function parseMultipartForm(headers: IncomingHttpHeaders, payload: Readable, limits: MultipartLimits, options: MultipartOptions = {}): Promise<Map<string, Buffer>> {
  const { check = () => true, unverified } = options;
  let taken = 0;
  const giveBack = () => {
    unverified?.release(taken);
    taken = 0;
  };
  const parsed = new Promise<Map<string, Buffer>>((resolve, reject) => {
    const contentType = headers['content-type'];
    if (!contentType) return reject(new AppError(400, 'bad_form', 'The form has no content type'));
    const declared = Number(headers['content-length']);
    if (declared > limits.maxTotalBytes) return reject(tooLarge(limits.maxTotalBytes));
    const parts = new Map<string, Buffer>();
    let failed = false;
    let received = 0;
    let proven = unverified === undefined;
    const countBytes = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.maxTotalBytes) return fail(tooLarge(limits.maxTotalBytes));
      if (proven) return;
      if (!unverified!.take(chunk.length)) return fail(new BudgetSpentError());
      taken += chunk.length;
    };
    // Stops reading: what is left of the body is never buffered (the route closes the connection).
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      payload.unpipe();
      payload.off('data', countBytes);
      payload.pause();
      reject(error instanceof AppError ? error : new AppError(400, 'bad_form', 'The multipart form could not be read'));
    };
    let busboy: ReturnType<typeof Busboy>;
    try {
      busboy = Busboy({
        headers: { ...headers, 'content-type': contentType },
        isPartAFile: () => true,
        limits: { fileSize: limits.maxPartBytes, files: 100, fields: 0, parts: 100, headerPairs: 50 },
      });
    } catch (error) {
      return fail(error);
    }
    // Parts arrive one after another: a part is complete when the next one starts (or the form
    // ends). Its bytes are drained synchronously then, so the check runs before busboy takes
    // another byte, however the body's chunks are timed.
    let current: { name: string; stream: Readable; chunks: Buffer[] } | undefined;
    const drain = (part: NonNullable<typeof current>) => {
      for (let chunk: Buffer | null; (chunk = part.stream.read() as Buffer | null) !== null; ) part.chunks.push(chunk);
    };
    const complete = () => {
      const part = current;
      current = undefined;
      if (!part || failed) return;
      drain(part);
      if (parts.has(part.name)) return;
      parts.set(part.name, Buffer.concat(part.chunks));
      try {
        if (!proven && check(parts)) {
          proven = true;
          giveBack();
        }
      } catch (error) {
        fail(error);
      }
    };
    busboy.on('file', (name, stream) => {
      complete();
      const part = { name, stream, chunks: [] as Buffer[] };
      current = part;
      stream.on('error', fail);
      stream.on('readable', () => drain(part));
      stream.on('limit', () => fail(new AppError(413, 'message_too_large', `A form part is larger than ${limits.maxPartBytes} bytes`)));
    });
    busboy.on('partsLimit', () => fail(new AppError(413, 'too_many_parts', 'The form has too many parts')));
    busboy.on('filesLimit', () => fail(new AppError(413, 'too_many_parts', 'The form has too many parts')));
    busboy.on('error', fail);
    busboy.on('finish', () => {
      complete();
      if (!failed) resolve(parts);
    });
    payload.on('error', fail);
    payload.on('aborted', () => fail(new AppError(400, 'bad_form', 'The request was aborted')));
    payload.on('data', countBytes);
    payload.pipe(busboy);
  });
  return parsed.finally(giveBack);
}

const tooLarge = (maxTotalBytes: number) => new AppError(413, 'message_too_large', `The form is larger than ${maxTotalBytes} bytes`);
