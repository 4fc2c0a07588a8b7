#!/usr/bin/env node
// npm run privacy -- export <email> > person.json | erase <email> [--remove]
// A person's data: `export` prints it as JSON on stdout (the log goes to stderr); `erase` erases
// the guest of that address and the account registered with it (comments stay as by "Deleted
// reader", or become tombstones with --remove) and prints a summary. Embedded: the
// Parley of this folder's data (DATA_DIR; stop npm start on it first). With KAFKA_BROKERS or
// MONGODB_URI set: the running services, with the gateway's environment (COMMENTS_URL, …).
import { builtMain, distributed } from './built-main.mjs';
import { runToStdout } from './stdout-command.mjs';

const args = process.argv.slice(2);
if (args.length === 0) {
  process.stderr.write(
    'usage: npm run privacy -- <command> … (export <email> | erase <email> [--remove])\n',
  );
  process.exit(64);
}
const main = builtMain(distributed ? 'gateway' : 'standalone');
runToStdout({ event: 'privacy', main, command: 'privacy', args });
