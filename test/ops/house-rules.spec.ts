import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const depcruise = join(root, 'node_modules', '.bin', 'depcruise');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** The rules of .dependency-cruiser.cjs over `dirs`, read from `cwd`: what they find. */
function violations(cwd: string, dirs: string[]): Violation[] {
  let output: string;
  try {
    output = execFileSync(
      depcruise,
      [...dirs, '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'json'],
      { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (error) {
    // depcruise exits non-zero when it finds violations; its report is still on stdout.
    output = (error as { stdout: string }).stdout;
  }
  return (JSON.parse(output) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('the house rules (dependency-cruiser, run by npm run lint)', () => {
  jest.setTimeout(120_000);

  it('catch an app importing another app, an import cycle between libraries, person keys kept with the events and an impure domain or client', () => {
    const found = violations(join(root, 'test', 'fixtures', 'house-rules'), ['apps', 'libs']);
    expect(found.map((v) => [v.rule.name, v.from, v.to]).sort()).toEqual([
      ['client-over-contracts-only', 'libs/client/src/client.ts', 'libs/one/src/one.ts'],
      ['domain-stays-pure', 'libs/domain/src/rule.ts', 'libs/one/src/one.ts'],
      ['no-cross-app-import', 'apps/alpha/src/alpha.ts', 'apps/beta/src/beta.ts'],
      ['no-cycle', 'libs/one/src/one.ts', 'libs/two/src/two.ts'],
      [
        'privacy-keys-apart-from-events',
        'libs/privacy/src/keys.ts',
        'libs/eventstore/src/store.ts',
      ],
    ]);
  });

  it('hold for the whole tree', () => {
    expect(violations(root, ['apps', 'libs', 'test', 'bench'])).toEqual([]);
  });
});
