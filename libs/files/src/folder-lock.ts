import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { lock } from 'proper-lockfile';

/** A holder refreshes its lock every half of this; a lock left older is a killed holder's. */
export const FOLDER_LOCK_STALE_MS = 10_000;

/** The name of the lock inside the folder it keeps (a directory, made and removed atomically). */
export const FOLDER_LOCK_NAME = 'parley.lock';

/** Another process holds the folder: one line for a person, naming the folder. */
export class FolderInUseError extends Error {
  readonly code = 'FOLDER_IN_USE';

  constructor(readonly folder: string) {
    super(
      `The data folder ${folder} is in use by another Parley process (npm start or npm run import); stop it first, or use another DATA_DIR.`,
    );
    this.name = 'FolderInUseError';
  }
}

export interface FolderLock {
  readonly folder: string;
  release(): Promise<void>;
}

/**
 * Keeps one process at a time on a folder. A second one is refused at once with a
 * FolderInUseError; a lock whose holder was killed goes stale after FOLDER_LOCK_STALE_MS and
 * is then taken over. A holder whose lock was taken over meanwhile (its event loop stalled
 * past the stale time) is told through `onLost` and must stop writing.
 */
export async function lockFolder(
  folder: string,
  onLost: (error: Error) => void = (error) => {
    throw error;
  },
): Promise<FolderLock> {
  const path = resolve(folder);
  await mkdir(path, { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lock(path, {
      lockfilePath: join(path, FOLDER_LOCK_NAME),
      stale: FOLDER_LOCK_STALE_MS,
      onCompromised: onLost,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new FolderInUseError(path);
    throw error;
  }
  let released: Promise<void> | undefined;
  return { folder: path, release: () => (released ??= release()) };
}
