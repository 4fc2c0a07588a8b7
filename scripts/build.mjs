// Compiles apps/ and libs/ to dist/ with swc, copies static assets, and makes the
// @parley/* libraries resolvable from dist/ the way Node resolves any package.
// `--out=<dir>` builds into another directory (test helpers build a private copy there).
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv.find((arg) => arg.startsWith('--out='))?.slice('--out='.length);
const dist = out ? resolve(out) : join(root, 'dist');
const swc = join(root, 'node_modules', '.bin', 'swc');

rmSync(dist, { recursive: true, force: true });
const result = spawnSync(
  swc,
  [
    'apps',
    'libs',
    'bench',
    '-d',
    dist,
    '--config-file',
    '.swcrc',
    '--ignore',
    '**/*.spec.ts,**/*.int-spec.ts,**/*.e2e-spec.ts,**/testing/**,libs/testing/**',
    '--quiet',
  ],
  { cwd: root, stdio: 'inherit' },
);
if (result.status !== 0) process.exit(result.status ?? 1);

const assetExtensions = new Set([
  '.html',
  '.css',
  '.hbs',
  '.txt',
  '.svg',
  '.json',
  '.md',
  '.js',
  '.ico',
  '.png',
]);
function copyAssets(dir) {
  for (const entry of readdirSync(dir)) {
    const from = join(dir, entry);
    if (statSync(from).isDirectory()) {
      copyAssets(from);
      continue;
    }
    const dot = entry.lastIndexOf('.');
    const ext = dot >= 0 ? entry.slice(dot) : '';
    if (!assetExtensions.has(ext) || from.endsWith('.ts')) continue;
    const to = join(dist, relative(root, from));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to);
  }
}
for (const top of ['apps', 'libs']) {
  for (const project of readdirSync(join(root, top))) {
    const assets = join(root, top, project, 'assets');
    if (existsSync(assets)) copyAssets(assets);
  }
}

for (const lib of readdirSync(join(root, 'libs'))) {
  const shim = join(dist, 'node_modules', '@parley', lib);
  mkdirSync(shim, { recursive: true });
  writeFileSync(
    join(shim, 'package.json'),
    JSON.stringify(
      { name: `@parley/${lib}`, private: true, main: `../../../libs/${lib}/src/index.js` },
      null,
      2,
    ),
  );
}
