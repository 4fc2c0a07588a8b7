// The built entry points that the npm scripts run (`npm run build` makes them under dist/).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Whether the environment names the distributed stack rather than this folder's data. */
export const distributed = Boolean(process.env.KAFKA_BROKERS || process.env.MONGODB_URI);

/** An app's built main.js; when it is missing, the process stops, saying so. */
export function builtMain(app) {
  const main = join(root, 'dist', 'apps', app, 'src', 'main.js');
  if (!existsSync(main)) {
    process.stderr.write(`${main} is missing: run npm run build first\n`);
    process.exit(1);
  }
  return main;
}

/** Runs `node <main> <command> <args…>` on this terminal and exits with its code. */
export function runAndExit(main, command, args) {
  const result = spawnSync(process.execPath, [main, command, ...args], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
