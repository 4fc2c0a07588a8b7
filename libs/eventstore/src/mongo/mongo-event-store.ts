import type { AnyEvent, DomainEvent } from '@parley/contracts';
import type { Connection, Model, Schema } from 'mongoose';
import { reviveEnvelope, toEnvelopes } from '../envelopes';
import {
  type AppendContext,
  type AppendResult,
  type Commit,
  ConcurrencyError,
  type EventStore,
  type StreamSlice,
  commitId,
} from '../event-store.port';
import { type CopyableEventLog, LogMismatchError, assertContinues, sameCommit } from '../log-copy';

interface CommitDocument {
  _id: string;
  streamId: string;
  version: number;
  lastVersion: number;
  events: AnyEvent[];
  committedAt: Date;
  published: boolean;
  publishedAt?: Date;
}

/** Made with the connection's own mongoose: this module does not load mongoose itself. */
function commitSchema(connection: Connection): Schema<CommitDocument> {
  const { Schema } = connection.base;
  const schema = new Schema<CommitDocument>(
    {
      _id: { type: String, required: true },
      streamId: { type: String, required: true },
      version: { type: Number, required: true },
      lastVersion: { type: Number, required: true },
      events: { type: Schema.Types.Mixed, required: true },
      committedAt: { type: Date, required: true },
      published: { type: Boolean, required: true },
      publishedAt: { type: Date },
    },
    { versionKey: false, minimize: false },
  );
  // One document per commit: two writers at the same version collide on this index.
  schema.index({ streamId: 1, version: 1 }, { unique: true });
  schema.index({ streamId: 1, lastVersion: 1 });
  schema.index({ published: 1, streamId: 1, version: 1 });
  return schema;
}

/** A stored commit as the port hands it out, without the relay's bookkeeping. */
function commitOf(d: CommitDocument): Commit {
  return {
    id: d._id,
    streamId: d.streamId,
    version: d.version,
    lastVersion: d.lastVersion,
    events: d.events,
    committedAt: d.committedAt,
  };
}

const DUPLICATE_KEY = 11000;

function isDuplicateKey(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === DUPLICATE_KEY
  );
}

/**
 * The event store on MongoDB (or FerretDB): atomic appends without transactions,
 * because each commit is one document and the unique index arbitrates races.
 */
export class MongoEventStore implements EventStore, CopyableEventLog {
  private readonly commits: Model<CommitDocument>;
  private readonly listeners = new Set<(commit: Commit) => void>();

  constructor(
    connection: Connection,
    readonly source: string,
    collection = 'commits',
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.commits =
      (connection.models[collection] as Model<CommitDocument> | undefined) ??
      connection.model<CommitDocument>(collection, commitSchema(connection), collection);
  }

  async init(): Promise<void> {
    await this.commits.createIndexes();
  }

  async readStream(streamId: string, after = 0): Promise<StreamSlice> {
    const docs = await this.commits
      .find(after > 0 ? { streamId, lastVersion: { $gt: after } } : { streamId })
      .sort({ version: 1 })
      .lean()
      .exec();
    const events = docs.flatMap((d) =>
      d.events.filter((e) => e.streamVersion > after).map(reviveEnvelope),
    );
    const last = docs.at(-1);
    return { version: last ? last.lastVersion : after, events };
  }

  async append(
    streamId: string,
    expectedVersion: number,
    events: readonly DomainEvent[],
    context: AppendContext,
  ): Promise<AppendResult> {
    if (events.length === 0) return { version: expectedVersion, events: [] };
    if (expectedVersion > 0) {
      // The expected version must be the end of a commit that exists; the unique index catches the rest.
      const head = await this.commits.exists({ streamId, lastVersion: expectedVersion }).exec();
      if (!head)
        throw new ConcurrencyError(streamId, expectedVersion, await this.currentVersion(streamId));
    }
    const version = expectedVersion + 1;
    const committedAt = this.clock();
    const envelopes = toEnvelopes(this.source, streamId, version, events, context, committedAt);
    const commit: Commit = {
      id: commitId(streamId, version),
      streamId,
      version,
      lastVersion: expectedVersion + events.length,
      events: envelopes,
      committedAt,
    };
    try {
      await this.commits.insertOne({
        _id: commit.id,
        streamId,
        version,
        lastVersion: commit.lastVersion,
        events: envelopes,
        committedAt,
        published: false,
      });
    } catch (error) {
      if (isDuplicateKey(error)) {
        throw new ConcurrencyError(streamId, expectedVersion, await this.currentVersion(streamId));
      }
      throw error;
    }
    for (const listener of this.listeners) listener(commit);
    return { version: commit.lastVersion, events: envelopes };
  }

  async readUnpublished(limit: number): Promise<Commit[]> {
    const docs = await this.commits
      .find({ published: false })
      .sort({ streamId: 1, version: 1 })
      .limit(limit)
      .lean()
      .exec();
    return docs.map(commitOf);
  }

  async markPublished(commitIds: readonly string[]): Promise<void> {
    if (commitIds.length === 0) return;
    await this.commits
      .updateMany(
        { _id: { $in: commitIds } },
        { $set: { published: true, publishedAt: this.clock() } },
      )
      .exec();
  }

  async *allCommits(): AsyncIterable<Commit> {
    const cursor = this.commits
      .find({})
      .sort({ committedAt: 1, streamId: 1, version: 1 })
      .lean()
      .cursor();
    for await (const d of cursor) yield commitOf(d);
  }

  async importCommit(commit: Commit): Promise<'written' | 'present'> {
    const held = await this.commits.findOne({ _id: commit.id }).lean().exec();
    if (held) {
      if (sameCommit({ ...held, id: held._id }, commit)) return 'present';
      throw new LogMismatchError(`the target holds another commit ${commit.id}`);
    }
    assertContinues(commit, await this.currentVersion(commit.streamId));
    try {
      await this.commits.insertOne({
        _id: commit.id,
        streamId: commit.streamId,
        version: commit.version,
        lastVersion: commit.lastVersion,
        events: commit.events,
        committedAt: commit.committedAt,
        published: false,
      });
    } catch (error) {
      // Another copy wrote it meanwhile: the same one, or refused like any other.
      if (isDuplicateKey(error)) return this.importCommit(commit);
      throw error;
    }
    return 'written';
  }

  onAppended(listener: (commit: Commit) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async currentVersion(streamId: string): Promise<number> {
    const last = await this.commits.findOne({ streamId }).sort({ version: -1 }).lean().exec();
    return last ? last.lastVersion : 0;
  }
}
