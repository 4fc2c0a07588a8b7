import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StandaloneProcess, startStandalone, stopStandalone } from '../e2e/standalone-process';

const ROOT = join(__dirname, '..', '..');
/** The virtual environment `.ci/run` makes from test/fuzz/requirements.txt. */
const ST = join(ROOT, '.venv', 'bin', 'st');
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'response_headers_conformance',
];
/** Seconds each run (anonymous, reader) may take: both together stay well under 4 minutes. */
const SECONDS_PER_RUN = Number(process.env.SCHEMATHESIS_SECONDS ?? 70);
const EXAMPLES = Number(process.env.SCHEMATHESIS_EXAMPLES ?? 25);
const SEED = process.env.SCHEMATHESIS_SEED ?? '20261127';

const available = existsSync(ST);
if (!available && process.env.CI === 'true') {
  throw new Error(`${ST} is missing: .ci/run installs test/fuzz/requirements.txt into .venv`);
}
if (!available) {
  process.stdout.write(
    `schemathesis: skipped, ${ST} is missing (python3 -m venv .venv && .venv/bin/pip install -r test/fuzz/requirements.txt)\n`,
  );
}

interface Run {
  code: number | null;
  report: string;
}

/** One `st run` against the server's OpenAPI document with the contract checks. */
function schemathesis(url: string, headers: string[]): Promise<Run> {
  const args = [
    'run',
    `${url}/api/openapi.json`,
    '--checks',
    CHECKS.join(','),
    // Event streams never end, and a caller that deleted its own account would leave the rest
    // of the run without one (erasure has tests of its own); every other operation is tested.
    '--exclude-path-regex',
    '/stream$',
    '--exclude-name',
    'DELETE /api/v1/me',
    '--max-examples',
    String(EXAMPLES),
    '--max-time',
    String(SECONDS_PER_RUN),
    '--seed',
    SEED,
    '--workers',
    '1',
    '--request-timeout',
    '10',
    '--generation-database',
    'none',
    '--no-color',
    ...headers.flatMap((header) => ['--header', header]),
  ];
  return new Promise((resolve, reject) => {
    // Its cache and reports go to a folder of their own, so each run starts afresh.
    const cwd = mkdtempSync(join(tmpdir(), 'parley-schemathesis-run-'));
    const child = spawn(ST, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let report = '';
    child.stdout.on('data', (chunk: Buffer) => (report += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (report += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, report });
    });
  });
}

/** The report's failures and summary, short enough to read in a test failure. */
function summary(report: string): string {
  const start = report.search(/^=+ (ERRORS|FAILURES) =+$/m);
  const text = start >= 0 ? report.slice(start) : report;
  return text.length > 30_000 ? `${text.slice(0, 20_000)}\n…\n${text.slice(-10_000)}` : text;
}

(available ? describe : describe.skip)('the OpenAPI document and the server agree', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-schemathesis-'));
  let server: StandaloneProcess;
  let url: string;
  let readerToken: string;

  beforeAll(async () => {
    server = await startStandalone(dataDir, ['--seed-demo'], {
      // The generator sends a few thousand requests a minute from one address.
      RATE_LIMIT_PER_MINUTE: '100000',
      RATE_LIMIT_WRITES_PER_MINUTE: '100000',
    });
    url = server.url.replace('localhost', '127.0.0.1');
    // The demo's admin owns the blog; the reader is a new account with no role but reader.
    const registered = await fetch(`${url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'fuzz-reader@parley.localhost',
        password: 'a long enough password',
        displayName: 'Fuzz Reader',
      }),
    });
    expect(registered.status).toBe(201);
    const reader = (await registered.json()) as {
      accessToken: string;
      account: { roles: string[] };
    };
    expect(reader.account.roles).toEqual(['reader']);
    readerToken = reader.accessToken;
  }, 240_000);

  afterAll(async () => {
    if (server) await stopStandalone(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['anonymous', () => []],
    ['a reader', () => [`Authorization: Bearer ${readerToken}`]],
  ] as const)(
    'schemathesis finds no failure, called %s',
    async (_who, headers) => {
      const run = await schemathesis(url, headers());
      const last = run.report.trim().split('\n').slice(-1)[0] ?? '';
      process.stdout.write(`schemathesis ${_who}: ${last}\n`);
      if (run.code !== 0)
        throw new Error(`schemathesis exited ${run.code}:\n${summary(run.report)}`);
      expect(server.child.exitCode).toBeNull();
    },
    (SECONDS_PER_RUN + 60) * 1000,
  );
});
