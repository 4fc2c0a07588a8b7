#!/usr/bin/env node
// npm run export -- wordpress > blog.xml
// Writes the blog as a WordPress export (WXR 1.2) to stdout; progress and the summary go to
// stderr. Embedded: the blog of this folder's data (DATA_DIR; stop npm start on it first).
// With KAFKA_BROKERS or MONGODB_URI set: read through the running services, with the gateway's
// environment (POSTS_URL, COMMENTS_URL, …).
import { builtMain, distributed } from './built-main.mjs';
import { runToStdout } from './stdout-command.mjs';

const args = process.argv.slice(2);
if (args.length !== 1 || args[0] !== 'wordpress') {
  process.stderr.write('usage: npm run export -- wordpress > blog.xml\n');
  process.exit(64);
}
const main = builtMain(distributed ? 'gateway' : 'standalone');
runToStdout({ event: 'export', main, command: 'export', args });
