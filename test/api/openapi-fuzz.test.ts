/**
 * Issue 16: a schema-driven fuzz run over the served OpenAPI document, with 0 failures. Schemathesis (pinned, from
 * PyPI: scripts/provision-fuzz.sh, run by `npm test`) generates requests from /docs/json — valid and invalid
 * bodies, parameters and headers, from the documented examples, the schemas' boundaries and random data — and
 * checks every answer: no 5xx, a documented status, the documented content type, headers and body schema.
 *
 * One run per role (integration, technician, ops, no token), each against a fresh API (every optional route on:
 * report, codec, /metrics) over the fake port seeded with requests in the states the routes care about
 * (test/api/fullApp.ts); half of the generated ids and rating tokens are swapped for existing ones. Bounded and
 * reproducible: a fixed number of examples per operation, Schemathesis's deterministic generation (the same cases
 * every run, no example database), one worker. A failing run fails with Schemathesis's own report (each failure
 * with a curl command to reproduce it). Cases sent per role: README ("OpenAPI fuzz run").
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { makeFullApp, SEEDED, type FullApp } from './fullApp';
import { NOW, ratingToken, TOKENS } from './support';

const ST = join(PROJECT_ROOT, '.temporal', 'fuzz', 'venv', 'bin', 'st');
/** Examples per operation in the fuzzing phase (the examples and coverage phases add theirs). */
const MAX_EXAMPLES = Number(process.env.AFTERCARE_FUZZ_EXAMPLES ?? 15);
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'response_headers_conformance',
  // A documented path asked with another method: 405 with Allow.
  'unsupported_method',
];
const ROLES: [string, string | undefined][] = [
  ['integration', TOKENS.integration],
  ['technician', TOKENS.tech1],
  ['ops', TOKENS.ops],
  ['no token', undefined],
];
/**
 * Per role, a limit that catches a hang, not a speed target: with lifecycle 5's 46 operations one run took ~36 s on
 * two busy cores and over 150 s at load average ~10; longer when asked for more examples.
 */
const RUN_TIMEOUT_MS = 600_000 * Math.max(1, MAX_EXAMPLES / 15);

interface Run {
  code: number | null;
  output: string;
  cases: number;
}

/** Runs `st` until it exits (or the timeout kills it); the output is the report a failure shows. */
function schemathesis(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(ST, args, { cwd, env: { ...process.env, NO_COLOR: '1', COLUMNS: '160' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), RUN_TIMEOUT_MS);
    proc.once('error', reject);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, cases: 0 });
    });
  });
}

/** Test cases Schemathesis sent, from its ndjson event log. */
function casesSent(ndjson: string): number {
  let cases = 0;
  for (const line of ndjson.split('\n')) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as Record<string, unknown>;
    const finished = event.ScenarioFinished as { recorder?: { cases?: Record<string, unknown> } } | undefined;
    if (finished?.recorder?.cases) cases += Object.keys(finished.recorder.cases).length;
  }
  return cases;
}

/**
 * Schemathesis's config: half of the generated request ids and rating tokens are replaced by ones that exist (the
 * seeded requests; tokens valid, expired, of a cancelled request), so the cases reach the routes' logic past 404.
 */
function config(): string {
  const tokens = [
    ratingToken(SEEDED.completed),
    ratingToken(SEEDED.completed, { tokenId: 'expired', expiresAt: new Date(NOW - 1000).toISOString() }),
    ratingToken(SEEDED.cancelled, { tokenId: 'cancelled' }),
  ];
  const list = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
  return [
    '[dictionaries.ids]',
    `values = ${list(Object.values(SEEDED))}`,
    '[dictionaries.tokens]',
    `values = ${list(tokens)}`,
    '[parameters]',
    '"path.id" = { dictionary = "ids", probability = 0.5 }',
    '"path.token" = { dictionary = "tokens", probability = 0.5 }',
    '"body.token" = { dictionary = "tokens", probability = 0.5 }',
    '',
  ].join('\n');
}

let work: string;
beforeAll(() => {
  if (!existsSync(ST)) throw new Error(`${ST} is missing: run \`npm run provision:system\` (scripts/provision-fuzz.sh)`);
  work = mkdtempSync(join(tmpdir(), 'aftercare-fuzz-'));
  writeFileSync(join(work, 'schemathesis.toml'), config());
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const sent: Record<string, number> = {};

test.each(ROLES)(
  'Schemathesis over /docs/json as %s: 0 failures',
  async (role, token) => {
    let full: FullApp | undefined;
    try {
      full = await makeFullApp({ level: 'warn' });
      const base = await full.app.listen({ host: '127.0.0.1', port: 0 });
      const ndjson = join(work, `${role.replace(/\W/g, '-')}.ndjson`);
      const run = await schemathesis(
        [
          '--config-file',
          join(work, 'schemathesis.toml'),
          'run',
          `${base}/docs/json`,
          '--url',
          base,
          '--checks',
          CHECKS.join(','),
          '--phases',
          'examples,coverage,fuzzing',
          '--max-examples',
          String(MAX_EXAMPLES),
          '--generation-deterministic',
          '--workers',
          '1',
          '--request-timeout',
          '20',
          '--no-shrink',
          '--no-color',
          '--report',
          'ndjson',
          '--report-ndjson-path',
          ndjson,
          ...(token ? ['--header', `Authorization: Bearer ${token}`] : []),
        ],
        work,
      );
      const cases = existsSync(ndjson) ? casesSent(readFileSync(ndjson, 'utf8')) : 0;
      sent[role] = cases;
      expect({ role, exitCode: run.code, report: run.code === 0 ? 'ok' : run.output }).toEqual({ role, exitCode: 0, report: 'ok' });
      // It really ran: every operation of the document, many cases each.
      const doc = (await full.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, object> };
      const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
      expect(operations).toBeGreaterThanOrEqual(22);
      expect(run.output).toMatch(new RegExp(`Selected: ${operations}/${operations}\\s+Tested: ${operations}\\b`));
      expect(cases).toBeGreaterThan(operations * MAX_EXAMPLES);
    } finally {
      await full?.close();
    }
  },
  RUN_TIMEOUT_MS + 30_000,
);

afterAll(() => {
  // The figures in the README ("OpenAPI fuzz run").
  console.log(`openapi-fuzz: cases sent per role ${JSON.stringify(sent)} (max examples per operation ${MAX_EXAMPLES}, deterministic)`);
});
