/**
 * `npm run eval`: matching and email understanding measured against the labelled set in eval/.
 * Prints a table and the full report as JSON (`--json`: the JSON alone). A measurement, not a
 * test: it exits 0 whatever the figures (tests/eval/eval.test.ts holds the floors in CI), non-zero
 * only when something breaks. It works in a database of its own, p2p_eval_<random>, on
 * EVAL_DATABASE_URL's server (default the local one), with a Redis prefix of its own, and drops
 * both at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { createContainer, prepareDatabase, type Container } from '../src/app/container.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import type { EmailReport } from './email-eval.ts';
import { runEvaluation, type EvalReport } from './evaluate.ts';
import { TARGETS, type EvalFigures } from './thresholds.ts';

const SERVER_URL = process.env.EVAL_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.EVAL_REDIS_URL ?? 'redis://127.0.0.1:6379';
const jsonOnly = process.argv.includes('--json');

async function onServer(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const LABELS: Record<keyof EvalFigures, string> = {
  precisionAt5: 'matching: precision@5',
  ndcgAt5: 'matching: nDCG@5',
  idealRecallAt10: 'matching: ideal partners in top 10',
  hardFilterViolations: 'matching: hard-filter violations',
  skillsF1: 'email: skills F1',
  startDate: 'email: start date',
  regions: 'email: regions',
  remote: 'email: remote',
  budget: 'email: budget',
  title: 'email: title',
};

function table(report: EvalReport): string {
  const { matching, email } = report;
  const lines = [
    `matching: ${matching.opportunities} opportunities, ${matching.partners} partners; ${matching.corrected.length} sent again without the unknown skills a 422 named; refused: ${matching.refusedPartners.length} partners, ${matching.refusedOpportunities.length} opportunities`,
    `email: ${email.mails} mails; skills precision ${email.skills.precision.toFixed(3)}, recall ${email.skills.recall.toFixed(3)}; required/nice right ${email.skillRoleAccuracy.toFixed(3)}`,
    '',
    `${'figure'.padEnd(40)}${'value'.padStart(8)}${'target'.padStart(10)}  `,
  ];
  for (const key of Object.keys(LABELS) as Array<keyof EvalFigures>) {
    const value = report.figures[key];
    const target = TARGETS[key];
    const met = key === 'hardFilterViolations' ? value <= target : value >= target;
    const shown = key === 'hardFilterViolations' ? String(value) : value.toFixed(3);
    const goal = key === 'hardFilterViolations' ? `≤ ${target}` : `≥ ${target}`;
    lines.push(`${LABELS[key].padEnd(40)}${shown.padStart(8)}${goal.padStart(10)}  ${met ? 'met' : 'MISSED'}`);
  }
  return [...lines, '', ...reportedBlock(report)].join('\n');
}

/**
 * The seen and the held-out mails beside the tuned ones, with no target. The held-out set was
 * never tuned on, so the gap between the tuned and the held-out column is what the tuned figures
 * overstate; the seen set was blind once and has been fixed against since, so it sits between.
 */
function reportedBlock({ email, seen, heldOut }: EvalReport): string[] {
  const per = (figure: (r: EmailReport) => number): [number, number, number] => [figure(email), figure(seen), figure(heldOut)];
  const rows: Array<[string, [number, number, number]]> = [
    ['email: skills F1', per((r) => r.skills.f1)],
    ['email: skills precision', per((r) => r.skills.precision)],
    ['email: skills recall', per((r) => r.skills.recall)],
    ['email: required/nice right', per((r) => r.skillRoleAccuracy)],
    ...(['startDate', 'regions', 'remote', 'budget', 'title'] as const).map((f): [string, [number, number, number]] => [LABELS[f], per((r) => r.accuracy[f])]),
  ];
  return [
    `tuned: ${email.mails} mails in eval/email, gated by the floors above`,
    `seen: ${seen.mails} mails in eval/email-seen, written blind, then seen (the reader was fixed for their misses); not gated; misses under "seen.misses" in the JSON`,
    `held-out: ${heldOut.mails} mails in eval/email-holdout, written blind and NEVER tuned on; not gated (no target, no floor); misses under "heldOut.misses" in the JSON`,
    '',
    `${'figure'.padEnd(40)}${'tuned'.padStart(8)}${'seen'.padStart(8)}${'held-out'.padStart(10)}`,
    ...rows.map(([label, [tuned, seenValue, held]]) => `${label.padEnd(40)}${tuned.toFixed(3).padStart(8)}${seenValue.toFixed(3).padStart(8)}${held.toFixed(3).padStart(10)}`),
  ];
}

async function main(): Promise<void> {
  const name = `p2p_eval_${randomBytes(5).toString('hex')}`;
  const prefix = `p2peval-${randomBytes(4).toString('hex')}`;
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const log = pino({ level: 'silent' });
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url.toString(),
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    APP_SECRET: 'eval-app-secret-0123456789-0123456789',
    ADMIN_TOKEN: 'eval-admin-token-0123456789',
    PUBLIC_BASE_URL: 'https://p2p-digest.example',
    LOG_LEVEL: 'silent',
  });
  let c: Container | undefined;
  try {
    await prepareDatabase(config, log);
    c = await createContainer(config, log);
    const report = await runEvaluation(c, log);
    if (!jsonOnly) console.log(`${table(report)}\n`);
    console.log(JSON.stringify(report, null, 2));
  } finally {
    if (c) {
      for (let cursor = '0'; ; ) {
        const [next, keys] = await c.redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        if (keys.length) await c.redis.del(...keys);
        if ((cursor = next) === '0') break;
      }
      await c.close();
    }
    await onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
