import { mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FOLDER_LOCK_NAME,
  FOLDER_LOCK_STALE_MS,
  FolderInUseError,
  lockFolder,
} from './folder-lock';

describe('lockFolder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second holder, naming the folder, until the first lets go', async () => {
    const data = join(dir, 'data');
    const first = await lockFolder(data);
    const refused = await lockFolder(data).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(FolderInUseError);
    expect((refused as Error).message).toContain(data);
    expect((refused as Error).message).not.toContain('\n');
    await first.release();
    expect(await readdir(data)).toEqual([]);
    const second = await lockFolder(data);
    await second.release();
  });

  it('takes over the lock a killed holder left, once it has gone stale', async () => {
    // What a killed holder leaves: the lock, no longer refreshed.
    await mkdir(join(dir, FOLDER_LOCK_NAME));
    await expect(lockFolder(dir)).rejects.toBeInstanceOf(FolderInUseError);
    const then = new Date(Date.now() - FOLDER_LOCK_STALE_MS - 1000);
    await utimes(join(dir, FOLDER_LOCK_NAME), then, then);
    const held = await lockFolder(dir);
    await expect(lockFolder(dir)).rejects.toBeInstanceOf(FolderInUseError);
    await held.release();
  });
});
