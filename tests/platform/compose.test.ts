/**
 * docker-compose.yml and the Dockerfile are not exercised by the rest of the suite (no Docker
 * daemon in CI), so this checks them two ways: with docker-compose itself when it is installed
 * (.ci/run installs Debian's docker-compose 1.29), and always with plain text checks that need no
 * YAML parser.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const composeFile = 'docker-compose.yml';
const composeText = readFileSync(new URL(`../../${composeFile}`, import.meta.url), 'utf8');
const dockerfileText = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');

/** Every environment variable the service reads (src/platform/config/config.ts), plus NODE_ENV. */
const knownEnvVars = [
  'DATABASE_URL',
  'REDIS_URL',
  'PORT',
  'PUBLIC_BASE_URL',
  'APP_SECRET',
  'ADMIN_TOKEN',
  'SMTP_URL',
  'MAIL_FROM',
  'QUEUE_PREFIX',
  'MODERATION',
  'LOG_LEVEL',
  'HOST',
  'NODE_ENV',
  'OUTBOX_DIR',
];

const dockerComposeAvailable = (() => {
  const probe = spawnSync('docker-compose', ['--version'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0;
})();

/** Lines of the file without comments and blank lines, keeping indentation. */
function meaningfulLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/\s+#.*$/, '').replace(/^\s*#.*$/, ''))
    .filter((line) => line.trim() !== '');
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/**
 * The lines nested under the first line matching `header` (at the indentation that line has),
 * up to the next line indented as much as the header or less.
 */
function blockUnder(lines: string[], header: RegExp): string[] {
  const start = lines.findIndex((line) => header.test(line));
  if (start === -1) return [];
  const headerIndent = indentOf(lines[start]!);
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (indentOf(line) <= headerIndent) break;
    body.push(line);
  }
  return body;
}

/** Keys of a YAML mapping block: the lines at the block's shallowest indentation. */
function keysOf(block: string[]): string[] {
  if (block.length === 0) return [];
  const indent = Math.min(...block.map(indentOf));
  return block
    .filter((line) => indentOf(line) === indent)
    .map((line) => /^\s*([A-Za-z0-9_.-]+)\s*:/.exec(line)?.[1])
    .filter((key): key is string => key !== undefined);
}

const lines = meaningfulLines(composeText);
const services = blockUnder(lines, /^services\s*:/);

function serviceBlock(name: string): string[] {
  return blockUnder(services, new RegExp(`^\\s+${name}\\s*:\\s*$`));
}

/** Variable names of the app service's `environment:`, in map form or `- NAME=value` list form. */
function appEnvNames(): string[] {
  const environment = blockUnder(serviceBlock('app'), /^\s+environment\s*:/);
  const indent = Math.min(...environment.map(indentOf));
  return environment
    .filter((line) => indentOf(line) === indent)
    .map((line) => /^\s*(?:-\s*)?["']?([A-Za-z_][A-Za-z0-9_]*)\s*[:=]?/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

describe('docker-compose.yml', () => {
  it.skipIf(!dockerComposeAvailable)(
    dockerComposeAvailable
      ? 'passes `docker-compose config -q`'
      : 'passes `docker-compose config -q` (skipped: docker-compose is not on PATH)',
    () => {
      const result = spawnSync('docker-compose', ['-f', composeFile, 'config', '-q'], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.error).toBeUndefined();
      expect(result.status, `docker-compose config -q failed:\n${result.stderr}`).toBe(0);
    },
  );

  it('uses only top-level keys that docker-compose 1.29 accepts', () => {
    const topLevel = keysOf(lines);
    expect(topLevel).toContain('services');
    const accepted = ['version', 'services', 'volumes', 'networks', 'secrets', 'configs'];
    for (const key of topLevel) {
      expect(accepted.includes(key) || key.startsWith('x-'), `top-level key ${key}`).toBe(true);
    }
  });

  it('defines the postgres, redis, mailpit and app services', () => {
    expect(keysOf(services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'mailpit', 'app']));
    for (const name of ['postgres', 'redis', 'mailpit']) {
      expect(keysOf(serviceBlock(name)), `${name} has a healthcheck`).toContain('healthcheck');
    }
  });

  it('starts the app only once its backing services are healthy', () => {
    const dependsOn = blockUnder(serviceBlock('app'), /^\s+depends_on\s*:/);
    expect(keysOf(dependsOn)).toEqual(expect.arrayContaining(['postgres', 'redis', 'mailpit']));
    for (const name of ['postgres', 'redis', 'mailpit']) {
      expect(blockUnder(dependsOn, new RegExp(`^\\s+${name}\\s*:`)).join('\n')).toMatch(
        /condition\s*:\s*service_healthy/,
      );
    }
  });

  it('sets only environment variables the app reads, including where its services are', () => {
    const names = appEnvNames();
    expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'HOST']));
    for (const name of names) {
      expect(knownEnvVars, `app sets unknown variable ${name}`).toContain(name);
    }
  });

  it('pins every image to an exact release (or a digest), never a bare major or latest', () => {
    const images = lines
      .map((line) => /^\s+image\s*:\s*["']?([^"'\s]+)["']?\s*$/.exec(line)?.[1])
      .filter((image): image is string => image !== undefined);
    expect(images.length).toBeGreaterThanOrEqual(3);
    for (const image of images) {
      // name:1.2 or name:v1.2.3 or name:1.2.3-bookworm; or name@sha256:…
      expect(image, `image ${image}`).toMatch(/^[a-z0-9./_-]+(?::v?\d+\.\d+(?:\.\d+)?(?:-[a-z0-9.]+)?|@sha256:[0-9a-f]{64})$/);
    }
  });

  it('asks for demo data explicitly: the image itself starts without it', () => {
    const cmd = dockerfileText.split(/\r?\n/).filter((line) => /^(CMD|ENTRYPOINT)\b/.test(line));
    expect(cmd.join('\n')).toMatch(/\bstart\b/);
    expect(cmd.join('\n')).not.toMatch(/--demo/);
    const command = serviceBlock('app').find((line) => /^\s+command\s*:/.test(line)) ?? '';
    expect(command).toMatch(/\bstart\b.*--demo/);
  });
});

describe('Dockerfile', () => {
  const instructions = meaningfulLines(dockerfileText);

  it('runs on Node 24 without a TypeScript loader (Node strips the types itself)', () => {
    expect(instructions.filter((line) => /^FROM\s/i.test(line))).toEqual(['FROM node:24-bookworm-slim']);
    expect(instructions.join('\n')).not.toMatch(/\btsx\b/);
  });
});
