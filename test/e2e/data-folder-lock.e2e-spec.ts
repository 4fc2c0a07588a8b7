import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FOLDER_LOCK_STALE_MS } from '@parley/files';
import { runEntryPoint, sleep } from '@parley/testing';
import { sharedFixture } from '../support/shared-fixtures';
import { type StandaloneProcess, startStandalone, stopStandalone } from './standalone-process';

const FIXTURE = sharedFixture('wordpress', 'themeunittestdata.wordpress.xml');

/** The embedded entry point with these arguments (none: `npm start`), run to its end. */
const runMain = (dataDir: string, args: string[]) =>
  runEntryPoint('standalone', args, {
    env: { HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    // A second `npm start` that was let in would keep running: it is stopped, and the test fails.
    timeoutMs: 60_000,
  });

describe('one process at a time on a data folder (npm start, npm run import)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-locked-'));
  let parley: StandaloneProcess | undefined;

  afterAll(async () => {
    if (parley) await stopStandalone(parley.child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a second start and an import while Parley runs, and takes the folder back from a killed one', async () => {
    parley = await startStandalone(dataDir);
    const inUse = `The data folder ${dataDir} is in use by another Parley process`;

    const second = await runMain(dataDir, []);
    expect(second.code).toBe(75);
    expect(second.output.trim()).toContain(inUse);
    expect(second.output.trim().split('\n')).toHaveLength(1);

    const importing = await runMain(dataDir, ['import', 'wordpress', FIXTURE, '--dry-run']);
    expect({ code: importing.code, output: importing.output }).toMatchObject({ code: 75 });
    expect(importing.output).toContain(inUse);
    expect(importing.output).not.toContain('posts:');

    // Killed outright, it cannot let go: the lock goes stale and the next start takes it over.
    parley.child.kill('SIGKILL');
    await new Promise((resolve) => parley!.child.once('exit', resolve));
    parley = undefined;
    await sleep(FOLDER_LOCK_STALE_MS + 500);
    parley = await startStandalone(dataDir);
    expect(await stopStandalone(parley.child)).toBe(0);
    parley = undefined;

    // Stopped cleanly, it lets go at once.
    const after = await runMain(dataDir, ['import', 'wordpress', FIXTURE, '--dry-run']);
    expect({ code: after.code, output: after.output }).toMatchObject({ code: 0 });
    expect(after.output).toContain('would import (dry run, nothing written)');
  }, 240_000);
});
