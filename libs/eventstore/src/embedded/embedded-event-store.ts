import type { AnyEvent, DomainEvent } from '@parley/contracts';
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
import { AppendLog } from '@parley/files';
import { type CopyableEventLog, LogMismatchError, assertContinues, sameCommit } from '../log-copy';

type LogRecord =
  | { t: 'commit'; c: Omit<Commit, 'committedAt'> & { committedAt: string } }
  | { t: 'published'; ids: string[] };

/**
 * The event store of embedded mode: every commit is a line of a JSON-lines file,
 * synced to disk before the append resolves, and the whole log is held in memory.
 * Without a path it keeps nothing on disk (fast unit tests).
 */
export class EmbeddedEventStore implements EventStore, CopyableEventLog {
  private readonly streams = new Map<string, Commit[]>();
  /** Every commit in append order, for a copy of the whole log. */
  private readonly appended: Commit[] = [];
  /** Durable commits waiting for the relay, in append order. */
  private readonly unpublished = new Map<string, Commit>();
  private readonly listeners = new Set<(commit: Commit) => void>();

  private constructor(
    readonly source: string,
    private readonly log: AppendLog | undefined,
    private readonly clock: () => Date,
  ) {}

  static async open(
    source: string,
    path?: string,
    clock: () => Date = () => new Date(),
  ): Promise<EmbeddedEventStore> {
    if (!path) return new EmbeddedEventStore(source, undefined, clock);
    const { log, records } = await AppendLog.open<LogRecord>(path);
    const store = new EmbeddedEventStore(source, log, clock);
    for (const record of records) {
      if (record.t === 'commit') {
        const commit: Commit = { ...record.c, committedAt: new Date(record.c.committedAt) };
        store.remember(commit);
        store.unpublished.set(commit.id, commit);
      } else {
        for (const id of record.ids) store.unpublished.delete(id);
      }
    }
    return store;
  }

  async readStream(streamId: string, after = 0): Promise<StreamSlice> {
    const commits = this.streams.get(streamId) ?? [];
    // The new commits are the last ones: looked for from the end.
    let first = commits.length;
    while (first > 0 && commits[first - 1]!.lastVersion > after) first--;
    return {
      version: commits.at(-1)?.lastVersion ?? 0,
      events: commits
        .slice(first)
        .flatMap((c) => c.events.filter((e) => e.streamVersion > after).map(reviveEnvelope)),
    };
  }

  async append(
    streamId: string,
    expectedVersion: number,
    events: readonly DomainEvent[],
    context: AppendContext,
  ): Promise<AppendResult> {
    if (events.length === 0) return { version: expectedVersion, events: [] };
    const current = this.streams.get(streamId)?.at(-1)?.lastVersion ?? 0;
    if (current !== expectedVersion) throw new ConcurrencyError(streamId, expectedVersion, current);
    const version = expectedVersion + 1;
    const committedAt = this.clock();
    const envelopes: AnyEvent[] = toEnvelopes(
      this.source,
      streamId,
      version,
      events,
      context,
      committedAt,
    );
    const commit: Commit = {
      id: commitId(streamId, version),
      streamId,
      version,
      lastVersion: expectedVersion + events.length,
      events: envelopes,
      committedAt,
    };
    // Claimed synchronously so a racing append sees the new version; a failed write stops the log for good.
    this.remember(commit);
    await this.log?.append({
      t: 'commit',
      c: { ...commit, committedAt: committedAt.toISOString() },
    });
    this.unpublished.set(commit.id, commit);
    for (const listener of this.listeners) listener(commit);
    return { version: commit.lastVersion, events: envelopes };
  }

  async readUnpublished(limit: number): Promise<Commit[]> {
    const result: Commit[] = [];
    for (const commit of this.unpublished.values()) {
      if (result.length >= limit) break;
      result.push(commit);
    }
    return result;
  }

  async markPublished(commitIds: readonly string[]): Promise<void> {
    if (commitIds.length === 0) return;
    await this.log?.append({ t: 'published', ids: commitIds });
    for (const id of commitIds) this.unpublished.delete(id);
  }

  onAppended(listener: (commit: Commit) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async *allCommits(): AsyncIterable<Commit> {
    yield* [...this.appended];
  }

  async importCommit(commit: Commit): Promise<'written' | 'present'> {
    const commits = this.streams.get(commit.streamId) ?? [];
    const held = commits.find((c) => c.version === commit.version);
    if (held) {
      if (sameCommit(held, commit)) return 'present';
      throw new LogMismatchError(`the target holds another commit ${commit.id}`);
    }
    assertContinues(commit, commits.at(-1)?.lastVersion ?? 0);
    this.remember(commit);
    await this.log?.append({
      t: 'commit',
      c: { ...commit, committedAt: commit.committedAt.toISOString() },
    });
    this.unpublished.set(commit.id, commit);
    for (const listener of this.listeners) listener(commit);
    return 'written';
  }

  async close(): Promise<void> {
    await this.log?.close();
  }

  private remember(commit: Commit): void {
    this.appended.push(commit);
    const commits = this.streams.get(commit.streamId);
    if (commits) commits.push(commit);
    else this.streams.set(commit.streamId, [commit]);
  }
}
