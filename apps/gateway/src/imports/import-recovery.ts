import type { ImportState } from '@parley/contracts';

/** The states of an import that a process is still working on. */
export const UNFINISHED_STATES = [
  'queued',
  'checking',
  'importing',
] as const satisfies readonly ImportState[];

/** The reasons an import left behind by a process that is gone ends with. */
export const INTERRUPTED = {
  upload: 'Interrupted while the file was being uploaded; upload the file again',
  fileGone: 'Interrupted, and its uploaded file is no longer there; upload the file again',
} as const;

/** Who works on an import, as its record says. */
export interface ImportHold {
  state: ImportState;
  /** The process that holds the import (absent on imports recorded before holds were). */
  heldBy?: string | null;
  /** Until when its hold counts without being renewed (ISO time). */
  heldUntil?: string | null;
}

export interface Observer {
  /** This process. */
  runner: string;
  now: Date;
  /**
   * No other process can hold an import (embedded mode, whose data folder one process holds): a
   * hold by another runner is a previous run of this one, gone however long its hold had left.
   */
  exclusive: boolean;
}

/** Whether an import is left by a process that is gone, so that another may take it over. */
export function isAbandoned(job: ImportHold, { runner, now, exclusive }: Observer): boolean {
  if (!(UNFINISHED_STATES as readonly ImportState[]).includes(job.state)) return false;
  if (job.heldBy === runner) return false;
  if (!job.heldBy || !job.heldUntil || exclusive) return true;
  return Date.parse(job.heldUntil) < now.getTime();
}

export type Recovery = { action: 'resume' } | { action: 'fail'; reason: string };

/**
 * What becomes of an abandoned import once taken over. The import is idempotent (keyed by the
 * source site and the WordPress ids), so running the whole file again finishes it; a file cut off
 * in its upload, or no longer there, cannot be.
 */
export function recoveryOf(job: ImportHold, fileThere: boolean): Recovery {
  if (job.state === 'checking') return { action: 'fail', reason: INTERRUPTED.upload };
  return fileThere ? { action: 'resume' } : { action: 'fail', reason: INTERRUPTED.fileGone };
}
