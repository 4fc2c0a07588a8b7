#!/usr/bin/env node
// npm run privacy -- export <email> > person.json | erase <email> [--remove]
// A person's data: `export` prints it as JSON on stdout (the log goes to stderr); `erase` erases
// the guest of that address and the account registered with it (comments stay as by "Deleted
// reader", or become tombstones with --remove) and prints a summary. Embedded: the
// Parley of this folder's data (DATA_DIR; stop npm start on it first). With KAFKA_BROKERS or
// MONGODB_URI set: the running services, with the gateway's environment (COMMENTS_URL, …).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runToStdout } from './stdout-command.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (args.length === 0) {
  process.stderr.write(
    'usage: npm run privacy -- <command> … (export <email> | erase <email> [--remove])\n',
  );
  process.exit(64);
}
const distributed = Boolean(process.env.KAFKA_BROKERS || process.env.MONGODB_URI);
const main = join(root, 'dist', 'apps', distributed ? 'gateway' : 'standalone', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`${main} is missing: run npm run build first\n`);
  process.exit(1);
}
runToStdout({ event: 'privacy', main, command: 'privacy', args });
