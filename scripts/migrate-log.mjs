#!/usr/bin/env node
// npm run migrate-log -- --service <name> --to <database>      (with the service's environment)
// npm run migrate-log -- --to <new data folder>                 (standalone, DATA_DIR; Parley stopped)
// Copies a service's event log (standalone: every service's, with the folder's keys and secrets)
// into a new store with the personal data written in plaintext before sealing now sealed, and
// prints what it copied. Running it again finishes an interrupted copy; a target holding
// another log is refused. See the README, "Migrating a log written before sealing".
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const services = ['posts', 'comments', 'notifications', 'gateway'];
const usage = () => {
  process.stderr.write(
    `usage: npm run migrate-log -- --service <${services.join('|')}> --to <database> (distributed)\n` +
      '       npm run migrate-log -- --to <data folder> (standalone)\n',
  );
  process.exit(64);
};
const distributed = Boolean(process.env.KAFKA_BROKERS || process.env.MONGODB_URI);
const at = args.indexOf('--service');
const service = at >= 0 ? args[at + 1] : undefined;
if (!args.includes('--to')) usage();
if (distributed && !services.includes(service ?? '')) usage();
const app = distributed ? service : 'standalone';
const main = join(root, 'dist', 'apps', app, 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`${main} is missing: run npm run build first\n`);
  process.exit(1);
}
const result = spawnSync(process.execPath, [main, 'migrate-log', ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
