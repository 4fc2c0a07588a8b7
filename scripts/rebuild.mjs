#!/usr/bin/env node
// npm run rebuild -- <service> <projection…|all> [--drop-previous]
// Rebuilds a service's read models from its topics, with the service's environment
// (KAFKA_BROKERS, MONGODB_URI, …), while the service keeps running.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [service, ...args] = process.argv.slice(2);
const services = ['posts', 'comments', 'notifications', 'gateway'];
if (!services.includes(service)) {
  process.stderr.write(
    `usage: npm run rebuild -- <${services.join('|')}> <projection…|all> [--drop-previous]\n`,
  );
  process.exit(64);
}
const main = join(root, 'dist', 'apps', service, 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`${main} is missing: run npm run build first\n`);
  process.exit(1);
}
const result = spawnSync(process.execPath, [main, 'rebuild', ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
