#!/usr/bin/env node
// npm run migrate-log -- --service <name> --to <database>      (with the service's environment)
// npm run migrate-log -- --to <new data folder>                 (standalone, DATA_DIR; Parley stopped)
// Copies a service's event log (standalone: every service's, with the folder's keys and secrets)
// into a new store with the personal data written in plaintext before sealing now sealed, and
// prints what it copied. Running it again finishes an interrupted copy; a target holding
// another log is refused. See the README, "Migrating a log written before sealing".
import { builtMain, distributed, runAndExit } from './built-main.mjs';

const args = process.argv.slice(2);
const services = ['posts', 'comments', 'notifications', 'gateway'];
const usage = () => {
  process.stderr.write(
    `usage: npm run migrate-log -- --service <${services.join('|')}> --to <database> (distributed)\n` +
      '       npm run migrate-log -- --to <data folder> (standalone)\n',
  );
  process.exit(64);
};
const at = args.indexOf('--service');
const service = at >= 0 ? args[at + 1] : undefined;
if (!args.includes('--to')) usage();
if (distributed && !services.includes(service ?? '')) usage();
runAndExit(builtMain(distributed ? service : 'standalone'), 'migrate-log', args);
