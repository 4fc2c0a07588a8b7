import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..');

/**
 * A file of the fixtures shared beside the repository (`../shared/fixtures/…` from its root, as
 * CI's clone sees it); a checkout kept one folder deeper finds them one level further up.
 */
export function sharedFixture(...parts: string[]): string {
  for (let dir = dirname(REPO_ROOT); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'fixtures', ...parts);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir)
      throw new Error(
        `${join('..', 'shared', 'fixtures', ...parts)} is missing beside ${REPO_ROOT}`,
      );
  }
}
