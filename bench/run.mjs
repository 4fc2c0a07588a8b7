// Runs the benchmarks: `npm run bench` (all) or `npm run bench -- core thread …`.
// Starts the local Kafka broker and FerretDB when KAFKA_BROKERS / MONGODB_URI are not set.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const available = readdirSync(join(root, 'dist', 'bench'))
  .filter((f) => f.endsWith('.bench.js'))
  .map((f) => f.replace(/\.bench\.js$/, ''));
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : available;
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

const started = [];
const infra = (script) => join(root, 'scripts', 'infra', script);
const running = (script) =>
  spawnSync('bash', [infra(script), 'status'], { stdio: 'ignore' }).status === 0;
if (!process.env.KAFKA_BROKERS) {
  if (!running('kafka.sh')) {
    execFileSync('bash', [infra('kafka.sh'), 'start'], { stdio: 'inherit' });
    started.push('kafka.sh');
  }
  process.env.KAFKA_BROKERS = '127.0.0.1:9092';
}
if (!process.env.MONGODB_URI) {
  if (!running('ferretdb.sh')) {
    execFileSync('bash', [infra('ferretdb.sh'), 'start'], { stdio: 'inherit' });
    started.push('ferretdb.sh');
  }
  process.env.MONGODB_URI = 'mongodb://127.0.0.1:27017/parley';
}

let failed = false;
for (const name of wanted) {
  console.log(`\n== bench ${name}`);
  const result = spawnSync(process.execPath, [join(root, 'dist', 'bench', `${name}.bench.js`)], {
    stdio: 'inherit',
    env: process.env,
  });
  if (result.status !== 0) failed = true;
}
// The figures are committed: written in the repository's format, so that the lint passes.
spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
    '--write',
    '--log-level=warn',
    'bench/results',
    'bench/RESULTS.md',
  ],
  { cwd: root, stdio: 'inherit' },
);
for (const script of started.reverse())
  execFileSync('bash', [infra(script), 'stop'], { stdio: 'inherit' });
process.exit(failed ? 1 : 0);
