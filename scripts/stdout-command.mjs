// Runs `<main> <args…>` for an npm script whose output is data on stdout (an export's XML, a
// person's JSON), so that `npm run <script> -- … > file` writes that data alone.
import { spawn } from 'node:child_process';
import { fstatSync, ftruncateSync, writeSync } from 'node:fs';

/**
 * npm writes its banner (`> parley@0.1.0 export …`) to stdout before the script runs, which
 * would put it in front of the data. When stdout is a file holding exactly that banner, the
 * file is started over and the data written from its first byte.
 */
function bannerOnly(event, args) {
  const { npm_package_name: name, npm_package_version: version } = process.env;
  const script = process.env.npm_lifecycle_script;
  if (process.env.npm_lifecycle_event !== event || !name || !script) return false;
  // npm prints the banner as a line of its own, with a blank line after it.
  const banner = `\n> ${name}@${version} ${event}\n> ${script.trim()} ${args.join(' ')}\n\n`;
  try {
    const stdout = fstatSync(1);
    return stdout.isFile() && stdout.size === Buffer.byteLength(banner);
  } catch {
    return false;
  }
}

/** Spawns `node <main> <command> <args…>` and exits with its code. */
export function runToStdout({ event, main, command, args }) {
  const rewrite = bannerOnly(event, args);
  const child = spawn(process.execPath, [main, command, ...args], {
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
}
