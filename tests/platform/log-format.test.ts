/**
 * Logs a person reads in development are one readable line per entry; everywhere else they stay
 * JSON, one object per line, for log shippers and the tests that parse them.
 */
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createLogger, prettyDestination, wantsPrettyLogs } from '../../src/platform/logging/logger.ts';

describe('which format', () => {
  it('is readable lines in development on a terminal only, unless forced', () => {
    expect(wantsPrettyLogs('auto', 'development', true)).toBe(true);
    expect(wantsPrettyLogs('auto', 'development', false)).toBe(false); // piped, or in a container
    expect(wantsPrettyLogs('auto', 'production', true)).toBe(false);
    expect(wantsPrettyLogs('auto', 'test', true)).toBe(false);
    expect(wantsPrettyLogs('pretty', 'production', false)).toBe(true);
    expect(wantsPrettyLogs('json', 'development', true)).toBe(false);
  });
});

describe('the readable format', () => {
  /** What the pretty logger writes, line by line (it writes synchronously). */
  function capture(write: (log: pino.Logger) => void): string[] {
    let out = '';
    write(createLogger('info', prettyDestination(false, collector((chunk) => (out += chunk)))));
    return out.split('\n').filter(Boolean);
  }

  it('writes one line per entry: a request, its answer, a warning with its error, fields after the message', () => {
    const lines = capture((log) => {
      log.info({ req: { method: 'GET', url: '/u/abc.def', id: 'r1' }, reqId: 'r1' }, 'incoming request');
      log.info({ res: { statusCode: 200 }, responseTime: 12.4, reqId: 'r1' }, 'request completed');
      log.warn({ err: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }) }, 'redis connection error');
      log.info({ digestId: 'd1', status: 'sent', token: 'never-shown' }, 'digest finished');
    });
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: incoming request: GET \/u\/\[redacted\] \{"reqId":"r1"\}$/);
    expect(lines[1]).toMatch(/INFO: request completed: 200 in 12 ms \{"reqId":"r1"\}$/);
    expect(lines[2]).toMatch(/WARN: redis connection error: connect ECONNREFUSED 127\.0\.0\.1:6379 *$/);
    expect(lines[3]).toMatch(/INFO: digest finished \{"digestId":"d1","status":"sent","token":"\[redacted\]"\}$/);
  });

  it('keeps the stack trace of an error, the one entry a developer must read in full', () => {
    const lines = capture((log) => log.error({ err: new Error('a bug') }, 'request failed'));
    expect(lines[0]).toMatch(/ERROR: request failed: a bug/);
    expect(lines[1]).toBe('Error: a bug');
    expect(lines.length).toBeGreaterThan(2);
  });
});

describe('the JSON format', () => {
  it('stays one JSON object per line', () => {
    let out = '';
    const log = createLogger('info', collector((chunk) => (out += chunk)));
    log.info({ digestId: 'd1' }, 'digest finished');
    expect(JSON.parse(out.trim())).toMatchObject({ level: 30, digestId: 'd1', msg: 'digest finished' });
  });
});

function collector(onChunk: (chunk: string) => void): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      onChunk(String(chunk));
      done();
    },
  });
}
