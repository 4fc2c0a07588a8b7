import type { AnyEvent, DomainEvent } from '@parley/contracts';

/** Who and what caused an append: copied into every event's envelope. */
export interface AppendContext {
  correlationId: string;
  causationId: string | null;
}

/** One atomic append: one document in the store. */
export interface Commit {
  /** `${streamId}@${version}`: unique, and stable across retries. */
  id: string;
  streamId: string;
  /** Stream version of the commit's first event. */
  version: number;
  /** Stream version of its last event. */
  lastVersion: number;
  events: AnyEvent[];
  committedAt: Date;
}

export interface StreamSlice {
  /** The version of the last event, 0 for a stream with no events. */
  version: number;
  events: AnyEvent[];
}

export interface AppendResult {
  /** The stream's version after the append. */
  version: number;
  events: AnyEvent[];
}

/** Somebody else appended to the stream since it was read. */
export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number | undefined,
  ) {
    super(
      `Stream ${streamId} is not at version ${expectedVersion}` +
        (actualVersion === undefined ? '' : ` (it is at ${actualVersion})`),
    );
    this.name = 'ConcurrencyError';
  }
}

/**
 * The append-only log of one service's aggregates. Appends are atomic per commit and
 * optimistic: at a stale expected version exactly one of several racing writers wins.
 */
export interface EventStore {
  /** `/parley/<service>`: the CloudEvents source of everything appended here. */
  readonly source: string;
  /**
   * The stream's events in order and its version; with `after` (a version this stream had),
   * only the events after it: a caller that keeps a stream's state reads only what is new.
   */
  readStream(streamId: string, after?: number): Promise<StreamSlice>;
  /** Appends after `expectedVersion` or rejects with ConcurrencyError. Appending no events is a no-op. */
  append(
    streamId: string,
    expectedVersion: number,
    events: readonly DomainEvent[],
    context: AppendContext,
  ): Promise<AppendResult>;
  /** Commits not yet published, each stream's in version order. */
  readUnpublished(limit: number): Promise<Commit[]>;
  markPublished(commitIds: readonly string[]): Promise<void>;
  /** Called with every commit appended in this process, so the relay publishes it at once. */
  onAppended(listener: (commit: Commit) => void): () => void;
}

export function commitId(streamId: string, version: number): string {
  return `${streamId}@${version}`;
}
