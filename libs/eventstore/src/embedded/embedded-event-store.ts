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
import { AppendLog, type LinePlace } from '@parley/files';
import { type CopyableEventLog, LogMismatchError, assertContinues, sameCommit } from '../log-copy';

type LogRecord =
  | { t: 'commit'; c: Omit<Commit, 'committedAt'> & { committedAt: string } }
  | { t: 'published'; ids: string[] };

/** A commit of the log: held in memory (a log without a file), or placed in the file. */
interface Entry {
  streamId: string;
  version: number;
  lastVersion: number;
  commit?: Commit;
  place?: LinePlace;
}

/** Commits decoded from the file and kept for the next read (the streams in use). */
const DECODED_COMMITS = 4_096;

/**
 * How a commit line begins, as this store writes it: its place in its stream is read without
 * decoding the line (a line that begins otherwise is decoded whole).
 */
const COMMIT_LINE =
  /^\{"t":"commit","c":\{"id":"(?:[^"\\]|\\.)*","streamId":"((?:[^"\\]|\\.)*)","version":(\d+),"lastVersion":(\d+),/;

/**
 * The event store of embedded mode: every commit is a line of a JSON-lines file, synced to
 * disk before the append resolves. Memory holds where each stream's commits lie in the file,
 * and the commits read last; a commit is read back from the file when its stream is.
 * Without a path it keeps nothing on disk and every commit in memory (fast unit tests).
 */
export class EmbeddedEventStore implements EventStore, CopyableEventLog {
  private readonly streams = new Map<string, Entry[]>();
  /** Every commit in append order, for a copy of the whole log. */
  private readonly appended: Entry[] = [];
  /** Durable commits waiting for the relay, in append order. */
  private readonly unpublished = new Map<string, Entry>();
  private readonly decoded = new Map<Entry, Commit>();
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
    const found: { entry: Entry; id: string }[] = [];
    const published: string[][] = [];
    const log = await AppendLog.scan(path, (line, place) => {
      const placed = placeOf(line, place);
      if (placed === null) return false;
      if ('entry' in placed) found.push(placed);
      else published.push(placed.ids);
      return true;
    });
    const store = new EmbeddedEventStore(source, log, clock);
    for (const { entry, id } of found) {
      store.remember(entry);
      store.unpublished.set(id, entry);
    }
    for (const ids of published) for (const id of ids) store.unpublished.delete(id);
    return store;
  }

  async readStream(streamId: string, after = 0): Promise<StreamSlice> {
    const entries = this.streams.get(streamId) ?? [];
    // The new commits are the last ones: looked for from the end.
    let first = entries.length;
    while (first > 0 && entries[first - 1]!.lastVersion > after) first--;
    const commits = await Promise.all(entries.slice(first).map((e) => this.commitOf(e)));
    return {
      version: entries.at(-1)?.lastVersion ?? 0,
      events: commits.flatMap((c) =>
        c.events.filter((e) => e.streamVersion > after).map(reviveEnvelope),
      ),
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
    await this.write(commit);
    return { version: commit.lastVersion, events: envelopes };
  }

  async readUnpublished(limit: number): Promise<Commit[]> {
    const entries: Entry[] = [];
    for (const entry of this.unpublished.values()) {
      if (entries.length >= limit) break;
      entries.push(entry);
    }
    return Promise.all(entries.map((e) => this.commitOf(e)));
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
    for (const entry of [...this.appended]) yield await this.commitOf(entry);
  }

  async importCommit(commit: Commit): Promise<'written' | 'present'> {
    const entries = this.streams.get(commit.streamId) ?? [];
    const held = entries.find((e) => e.version === commit.version);
    if (held) {
      if (sameCommit(await this.commitOf(held), commit)) return 'present';
      throw new LogMismatchError(`the target holds another commit ${commit.id}`);
    }
    assertContinues(commit, entries.at(-1)?.lastVersion ?? 0);
    await this.write(commit);
    return 'written';
  }

  async close(): Promise<void> {
    await this.log?.close();
  }

  /** Remembers the commit at once (its stream's new version), then writes it and tells the relay. */
  private async write(commit: Commit): Promise<void> {
    const entry: Entry = {
      streamId: commit.streamId,
      version: commit.version,
      lastVersion: commit.lastVersion,
    };
    if (this.log) {
      const { place, written } = this.log.appendPlaced({
        t: 'commit',
        c: { ...commit, committedAt: commit.committedAt.toISOString() },
      });
      entry.place = place;
      this.keepDecoded(entry, commit);
      this.remember(entry);
      await written;
    } else {
      entry.commit = commit;
      this.remember(entry);
    }
    this.unpublished.set(commit.id, entry);
    for (const listener of this.listeners) listener(commit);
  }

  private remember(entry: Entry): void {
    this.appended.push(entry);
    const entries = this.streams.get(entry.streamId);
    if (entries) entries.push(entry);
    else this.streams.set(entry.streamId, [entry]);
  }

  private async commitOf(entry: Entry): Promise<Commit> {
    if (entry.commit) return entry.commit;
    const kept = this.decoded.get(entry);
    if (kept) {
      this.decoded.delete(entry);
      this.decoded.set(entry, kept);
      return kept;
    }
    if (!this.log || !entry.place) throw new Error(`The commit of ${entry.streamId} is lost`);
    const record = JSON.parse(await this.log.read(entry.place)) as LogRecord;
    if (record.t !== 'commit') throw new Error(`No commit of ${entry.streamId} at its place`);
    const commit: Commit = { ...record.c, committedAt: new Date(record.c.committedAt) };
    this.keepDecoded(entry, commit);
    return commit;
  }

  private keepDecoded(entry: Entry, commit: Commit): void {
    this.decoded.set(entry, commit);
    if (this.decoded.size > DECODED_COMMITS) {
      const oldest = this.decoded.keys().next().value;
      if (oldest !== undefined) this.decoded.delete(oldest);
    }
  }
}

/** Bytes of a commit line enough for its beginning (`COMMIT_LINE`) with any stream id Parley makes. */
const COMMIT_HEAD_BYTES = 512;
const CLOSING_BRACE = 0x7d;

/** A line of the log as opening it needs it: a commit's place, or the ids published; null for no record. */
function placeOf(
  line: Buffer,
  place: LinePlace,
): { entry: Entry; id: string } | { ids: string[] } | null {
  const begins = COMMIT_LINE.exec(line.toString('utf8', 0, COMMIT_HEAD_BYTES));
  if (begins && line[line.length - 1] === CLOSING_BRACE) {
    const streamId = JSON.parse(`"${begins[1]}"`) as string;
    const version = Number(begins[2]);
    return {
      entry: { streamId, version, lastVersion: Number(begins[3]), place },
      id: commitId(streamId, version),
    };
  }
  let record: LogRecord;
  try {
    record = JSON.parse(line.toString('utf8')) as LogRecord;
  } catch {
    return null;
  }
  if (record.t === 'published') return { ids: record.ids };
  const { streamId, version, lastVersion, id } = record.c;
  return { entry: { streamId, version, lastVersion, place }, id };
}
