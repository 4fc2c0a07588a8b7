#!/usr/bin/env node
// npm run import -- wordpress <file.xml> [--dry-run]
// Imports a WordPress export into the Parley of this folder's data (DATA_DIR, as npm start
// uses it), with the same services and rules; stop npm start on that folder first.
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
if (process.env.KAFKA_BROKERS || process.env.MONGODB_URI) {
  process.stderr.write(
    'Importing goes into the embedded Parley (DATA_DIR) only for now; unset KAFKA_BROKERS and MONGODB_URI.\n',
  );
  process.exit(69);
}
const main = join(root, 'dist', 'apps', 'standalone', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`${main} is missing: run npm run build first\n`);
  process.exit(1);
}
const result = spawnSync(process.execPath, [main, 'import', ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
