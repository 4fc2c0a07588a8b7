#!/usr/bin/env node
// npm run privacy -- erase <email> [--remove]
// Personal data on request. `erase` erases the guest of that address and the account registered
// with it: their comments stay as by "Deleted reader" (or become tombstones with --remove),
// their keys are destroyed, their subscriptions end. The summary goes to stdout as JSON.
// Embedded: the Parley of this folder's data (DATA_DIR; stop npm start on it first).
// With KAFKA_BROKERS or MONGODB_URI set: through the running services, with the gateway's
// environment (MONGODB_URI, COMMENTS_URL, NOTIFICATIONS_URL, …).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const distributed = Boolean(process.env.KAFKA_BROKERS || process.env.MONGODB_URI);
const main = distributed
  ? join(root, 'dist', 'apps', 'gateway', 'src', 'main.js')
  : join(root, 'dist', 'apps', 'standalone', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`${main} is missing: run npm run build first\n`);
  process.exit(1);
}
const child = spawn(process.execPath, [main, 'privacy', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
child.once('exit', (code) => process.exit(code ?? 1));
