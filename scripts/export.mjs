#!/usr/bin/env node
// npm run export -- wordpress > blog.xml
// Writes the blog as a WordPress export (WXR 1.2) to stdout; progress and the summary go to
// stderr. Embedded: the blog of this folder's data (DATA_DIR; stop npm start on it first).
// With KAFKA_BROKERS or MONGODB_URI set: read through the running services, with the gateway's
// environment (POSTS_URL, COMMENTS_URL, …).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runToStdout } from './stdout-command.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (args.length !== 1 || args[0] !== 'wordpress') {
  process.stderr.write('usage: npm run export -- wordpress > blog.xml\n');
  process.exit(64);
}
const distributed = Boolean(process.env.KAFKA_BROKERS || process.env.MONGODB_URI);
const main = distributed
  ? join(root, 'dist', 'apps', 'gateway', 'src', 'main.js')
  : join(root, 'dist', 'apps', 'standalone', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`${main} is missing: run npm run build first\n`);
  process.exit(1);
}
runToStdout({ event: 'export', main, command: 'export', args });
