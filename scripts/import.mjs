#!/usr/bin/env node
// npm run import -- wordpress <file.xml> [--dry-run]
// Imports a WordPress export into the Parley of this folder's data (DATA_DIR, as npm start
// uses it), with the same services and rules; stop npm start on that folder first. With the
// gateway's environment (KAFKA_BROKERS, MONGODB_URI, POSTS_URL, COMMENTS_URL, …) it goes to
// the running services of that Parley instead, through their import routes.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (args[0] !== 'wordpress') {
  process.stderr.write('usage: npm run import -- wordpress <file.xml> [--dry-run]\n');
  process.exit(64);
}
const distributed = Boolean(process.env.KAFKA_BROKERS || process.env.MONGODB_URI);
const main = join(root, 'dist', 'apps', distributed ? 'gateway' : 'standalone', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`${main} is missing: run npm run build first\n`);
  process.exit(1);
}
const result = spawnSync(process.execPath, [main, 'import', ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
