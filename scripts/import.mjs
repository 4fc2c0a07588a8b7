#!/usr/bin/env node
// npm run import -- wordpress <file.xml> [--dry-run]
// Imports a WordPress export into the Parley of this folder's data (DATA_DIR, as npm start
// uses it), with the same services and rules; stop npm start on that folder first. With the
// gateway's environment (KAFKA_BROKERS, MONGODB_URI, POSTS_URL, COMMENTS_URL, …) it goes to
// the running services of that Parley instead, through their import routes.
import { builtMain, distributed, runAndExit } from './built-main.mjs';

const args = process.argv.slice(2);
if (args[0] !== 'wordpress') {
  process.stderr.write('usage: npm run import -- wordpress <file.xml> [--dry-run]\n');
  process.exit(64);
}
runAndExit(builtMain(distributed ? 'gateway' : 'standalone'), 'import', args);
