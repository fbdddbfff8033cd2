/**
 * A Postgres or Redis that cannot be reached, or refuses us, at start: one readable line on stderr
 * (what failed, the URL without its password, what to try) and exit code 69, never the drivers'
 * stack traces (a bad REDIS_URL used to print one per connection and retry).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StartupError, startupErrorOf, withoutPassword } from '../../src/platform/errors/startup-errors.ts';
import { runCliWithEnv } from '../support/cli-process.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;
beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t?.close();
});

const PASSWORD = 'pw-never-shown-0123';

/** The command's stderr as lines, and what it printed on stdout. */
async function run(env: Record<string, string>, ...args: string[]) {
  const { code, stdout, stderr } = await runCliWithEnv(t, { LOG_LEVEL: 'info', ...env }, ...args);
  return { code, stdout, lines: stderr.split('\n').filter(Boolean) };
}

// Each case starts a real process (several seconds on a busy machine): they run side by side.
describe.concurrent('a server that cannot be reached at start', { timeout: 90_000 }, () => {
  it('a DATABASE_URL whose host does not exist: one line naming it, without the password', async () => {
    const url = `postgres://app:${PASSWORD}@db.invalid:5432/p2p`;
    const { code, stdout, lines } = await run({ DATABASE_URL: url }, 'migrate');
    expect(code).toBe(69);
    expect(lines).toEqual([
      'p2p-digest: cannot reach Postgres at postgres://app:***@db.invalid:5432/p2p (getaddrinfo ENOTFOUND db.invalid): check the host name in DATABASE_URL.',
    ]);
    expect(stdout + lines.join('\n')).not.toContain(PASSWORD);
  });

  it('a Postgres role that does not exist: one line saying to create it', async () => {
    const url = new URL(t.config.databaseUrl);
    url.username = 'no_such_role_p2p';
    url.password = PASSWORD;
    const { code, stdout, lines } = await run({ DATABASE_URL: url.toString() }, 'digest', 'run', '--wait', '0');
    expect(code).toBe(69);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^p2p-digest: Postgres at postgres:\/\/no_such_role_p2p:\*\*\*@.+ refused the login \(role "no_such_role_p2p" does not exist\): create the role \(createuser no_such_role_p2p\) or fix the user in DATABASE_URL\.$/);
    expect(stdout + lines.join('\n')).not.toContain(PASSWORD);
  });

  it('a DATABASE_URL without a user, where neither PGUSER nor USER is set: one line saying where to name it', async () => {
    const url = new URL(t.config.databaseUrl);
    url.username = '';
    url.password = '';
    const { code, lines } = await run({ DATABASE_URL: url.toString(), PGUSER: '', USER: '' }, 'migrate');
    expect(code).toBe(69);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^p2p-digest: Postgres at postgres:\/\/[^@]+ refused the login \(no PostgreSQL user name specified in startup packet\): name the user in DATABASE_URL \(postgres:\/\/USER@host\/database\) or set PGUSER\.$/);
  });

  it('a REDIS_URL whose host does not exist stops `start` at once: one line, not a stack trace per connection', async () => {
    const { code, stdout, lines } = await run({ REDIS_URL: `redis://:${PASSWORD}@redis.invalid:6379` }, 'start', '--role', 'api,worker,scheduler');
    expect(code).toBe(69);
    expect(lines).toEqual([
      'p2p-digest: cannot reach Redis at redis://:***@redis.invalid:6379 (getaddrinfo ENOTFOUND redis.invalid): check the host name in REDIS_URL.',
    ]);
    expect(stdout).not.toMatch(/redis\.invalid|"err"/);
    expect(stdout).not.toContain(PASSWORD);
  });

  it('a Redis that refuses connections stops a command (only `start` waits for it)', async () => {
    const { code, lines } = await run({ REDIS_URL: 'redis://127.0.0.1:1' }, 'digest', 'run', '--wait', '0');
    expect(code).toBe(69);
    expect(lines).toEqual([
      'p2p-digest: cannot reach Redis at redis://127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1): start Redis or fix the host and port in REDIS_URL.',
    ]);
  });
});

describe('startupErrorOf', () => {
  it('tells what waiting can mend from what it cannot, and leaves other errors alone', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const badPassword = Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01' });
    expect(startupErrorOf('Postgres', 'postgres://app:x@h/db', refused)?.transient).toBe(true);
    expect(startupErrorOf('Postgres', 'postgres://app:x@h/db', badPassword)).toMatchObject({
      transient: false,
      message: 'p2p-digest: Postgres at postgres://app:***@h/db refused the login (password authentication failed for user "app"): check the user and password in DATABASE_URL.',
    });
    expect(startupErrorOf('Redis', 'redis://h', new Error('WRONGPASS invalid username-password pair'))).toBeInstanceOf(StartupError);
    // A failing migration is a bug to read in full, not a server to go and fix.
    expect(startupErrorOf('Postgres', 'postgres://h/db', Object.assign(new Error('syntax error'), { code: '42601' }))).toBeUndefined();
  });

  it('never shows a password, however the URL is written', () => {
    expect(withoutPassword('postgres://u:p%40ss@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(withoutPassword('rediss://:secret@h:6380/0')).toBe('rediss://:***@h:6380/0');
    expect(withoutPassword('redis://h:6379')).toBe('redis://h:6379');
    expect(withoutPassword('not a url secret')).not.toContain('secret');
  });
});
