import { access } from 'node:fs/promises';
import type { Clock } from '@parley/platform';
import { type DocumentCollection, DuplicateKeyError } from '@parley/readmodel';
import {
  type ImportHold,
  type Recovery,
  UNFINISHED_STATES,
  isAbandoned,
  recoveryOf,
} from './import-recovery';

/** An import's record as far as its hold goes. */
export interface HeldImport extends ImportHold {
  _id: string;
  /** Where the upload waits for its import (absent on imports recorded before). */
  file?: string | null;
  /** How many times it was taken over: the key of the next take-over's claim. */
  takeovers?: number;
}

/** One take-over of an import: its id is unique, so of two replicas inserting it one succeeds. */
export interface ImportClaim {
  _id: string;
  importId: string;
  by: string;
  at: string;
}

async function isThere(file: string | null | undefined): Promise<boolean> {
  if (!file) return false;
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * The holds of one gateway process on the imports it works on, kept in the imports' own
 * records: renewed while it runs, let go when it stops, and taken over from processes that are
 * gone. A take-over is claimed by inserting a document keyed by the import and its count of
 * take-overs, which one replica alone can do: an update conditional on the hold it read is not
 * enough, as a Mongo-compatible server without transactions (FerretDB) lets two such updates
 * both match.
 */
export class ImportHolds<T extends HeldImport> {
  constructor(
    private readonly jobs: DocumentCollection<T>,
    private readonly claims: DocumentCollection<ImportClaim>,
    readonly runner: string,
    private readonly options: { clock: Clock; holdMs: number; exclusive: boolean },
  ) {}

  /** The fields that make an import held here. */
  hold(): { heldBy: string; heldUntil: string } {
    const until = this.options.clock().getTime() + this.options.holdMs;
    return { heldBy: this.runner, heldUntil: new Date(until).toISOString() };
  }

  async renew(): Promise<void> {
    await this.jobs.updateMany(
      { heldBy: this.runner, state: { $in: [...UNFINISHED_STATES] } },
      { $set: { heldUntil: this.hold().heldUntil } },
    );
  }

  /** Lets go of the imports waiting or running here; one still uploading stays until it ends. */
  async release(): Promise<void> {
    await this.jobs.updateMany(
      { heldBy: this.runner, state: { $in: ['queued', 'importing'] } },
      { $set: { heldBy: null, heldUntil: null } },
    );
  }

  /** Takes over each import of a process that is gone, and what is to become of it. */
  async takeOver(): Promise<{ job: T; recovery: Recovery }[]> {
    const observer = {
      runner: this.runner,
      now: this.options.clock(),
      exclusive: this.options.exclusive,
    };
    const taken: { job: T; recovery: Recovery }[] = [];
    for (const job of await this.jobs.find({ state: { $in: [...UNFINISHED_STATES] } })) {
      if (!isAbandoned(job, observer)) continue;
      const takeovers = job.takeovers ?? 0;
      try {
        await this.claims.insertOne({
          _id: `${job._id}#${takeovers}`,
          importId: job._id,
          by: this.runner,
          at: observer.now.toISOString(),
        });
      } catch (error) {
        // Another replica took it first.
        if (error instanceof DuplicateKeyError) continue;
        throw error;
      }
      const held = await this.jobs.updateOne(
        { _id: job._id, state: { $in: [...UNFINISHED_STATES] } },
        { $set: { ...this.hold(), takeovers: takeovers + 1 } },
      );
      if (held === 0) continue;
      taken.push({ job, recovery: recoveryOf(job, await isThere(job.file)) });
    }
    return taken;
  }
}
