#!/usr/bin/env node
// npm run export -- wordpress > blog.xml
// Writes the blog as a WordPress export (WXR 1.2) to stdout; progress and the summary go to
// stderr. Embedded: the blog of this folder's data (DATA_DIR; stop npm start on it first).
// With KAFKA_BROKERS or MONGODB_URI set: read through the running services, with the gateway's
// environment (POSTS_URL, COMMENTS_URL, …).
import { spawn } from 'node:child_process';
import { existsSync, fstatSync, ftruncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/**
 * npm writes its banner (`> parley@0.1.0 export …`) to stdout before the script runs, which
 * would put it in front of the XML declaration. When stdout is a file holding exactly that
 * banner, the file is started over and the export written from its first byte.
 */
function bannerOnly() {
  const { npm_package_name: name, npm_package_version: version } = process.env;
  const script = process.env.npm_lifecycle_script;
  if (process.env.npm_lifecycle_event !== 'export' || !name || !script) return false;
  // npm prints the banner as a line of its own, with a blank line after it.
  const banner = `\n> ${name}@${version} export\n> ${script.trim()} ${args.join(' ')}\n\n`;
  try {
    const stdout = fstatSync(1);
    return stdout.isFile() && stdout.size === Buffer.byteLength(banner);
  } catch {
    return false;
  }
}

const rewrite = bannerOnly();
const child = spawn(process.execPath, [main, 'export', ...args], {
  stdio: ['inherit', rewrite ? 'pipe' : 'inherit', 'inherit'],
});
if (rewrite && child.stdout) {
  ftruncateSync(1, 0);
  let position = 0;
  child.stdout.on('data', (chunk) => {
    for (let done = 0; done < chunk.length;)
      done += writeSync(1, chunk, done, chunk.length - done, position + done);
    position += chunk.length;
  });
}
child.once('exit', (code) => process.exit(code ?? 1));
