import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { AppError } from '../../platform/errors/app-errors.ts';
import { BudgetSpentError, type UnverifiedBudget } from './unverified-budget.ts';

const tooLarge = (maxBytes: number) => new AppError(413, 'message_too_large', `The body is larger than ${maxBytes} bytes`);

/**
 * A whole request body as bytes, for the bodies that can only be checked once complete (a
 * urlencoded Mailgun form may put its signature anywhere). Counted as it streams: past `maxBytes`,
 * or past what `unverified` has room for, reading stops with a 4xx/503 (the route closes the
 * connection). Every failure is a rejected promise, never an unheard 'error' event.
 */
export function readBody(headers: IncomingHttpHeaders, payload: Readable, maxBytes: number, unverified?: UnverifiedBudget): Promise<Buffer> {
  let taken = 0;
  const read = new Promise<Buffer>((resolve, reject) => {
    if (Number(headers['content-length']) > maxBytes) return reject(tooLarge(maxBytes));
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = (error: AppError) => {
      payload.off('data', onData);
      payload.pause();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) return stop(tooLarge(maxBytes));
      if (unverified) {
        if (!unverified.take(chunk.length)) return stop(new BudgetSpentError());
        taken += chunk.length;
      }
      chunks.push(chunk);
    };
    payload.on('data', onData);
    payload.on('error', () => stop(new AppError(400, 'bad_body', 'The request body could not be read')));
    payload.on('aborted', () => stop(new AppError(400, 'bad_body', 'The request was aborted')));
    payload.on('end', () => resolve(Buffer.concat(chunks)));
  });
  return read.finally(() => unverified?.release(taken));
}
