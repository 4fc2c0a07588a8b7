import type { AnyEvent } from '@parley/contracts';
import { reviveEnvelope } from './envelopes';
import type { Commit } from './event-store.port';

/** An event store whose commits can be read whole and written again as they were: what copying a log needs. */
export interface CopyableEventLog {
  /** `/parley/<service>`, as in every event's source. */
  readonly source: string;
  /** Every commit, in the order they were appended (each stream's in version order). */
  allCommits(): AsyncIterable<Commit>;
  /**
   * Writes the commit as given (its id, versions, time and events' ids), unpublished, so the relay
   * publishes it. 'present' when the same commit (the same event ids) is there already; throws
   * LogMismatchError when another one is, or when the stream does not end just before it.
   */
  importCommit(commit: Commit): Promise<'written' | 'present'>;
}

/** The log being written to holds something else than a copy of the one being read. */
export class LogMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogMismatchError';
  }
}

/** Whether two commits at one place are the same commit: the same events, by id. */
export function sameCommit(a: Commit, b: Commit): boolean {
  return (
    a.id === b.id &&
    a.lastVersion === b.lastVersion &&
    a.events.length === b.events.length &&
    a.events.every((event, i) => event.id === b.events[i]?.id)
  );
}

/** Refuses a commit that would not continue its stream where the target's copy of it ends. */
export function assertContinues(commit: Commit, head: number): void {
  if (head !== commit.version - 1)
    throw new LogMismatchError(
      `stream ${commit.streamId} ends at version ${head} in the target, not ${commit.version - 1}`,
    );
}

/**
 * What a copy does to one event (already upcast to its newest version), knowing every event of
 * its stream: the event to write, and how many personal data fields it sealed.
 */
export type EventRewrite = (
  event: AnyEvent,
  stream: readonly AnyEvent[],
) => Promise<{ event: AnyEvent; sealed: number }>;

export interface LogCopySummary {
  streams: number;
  commits: number;
  events: number;
  /** Commits written by this run; the others were there from an earlier run. */
  written: number;
  /** Personal data fields sealed by this run. */
  sealed: number;
}

/** The ids of the commits the target holds, all of them copies of these; refuses any other. */
async function heldCopy(commits: readonly Commit[], to: CopyableEventLog): Promise<Set<string>> {
  const byId = new Map(commits.map((c) => [c.id, c]));
  const present = new Set<string>();
  for await (const held of to.allCommits()) {
    const own = byId.get(held.id);
    if (!own || !sameCommit(own, held))
      throw new LogMismatchError(
        `the target already holds another log (commit ${held.id} is not one of this log's)`,
      );
    present.add(held.id);
  }
  return present;
}

/** Refuses a target holding anything but (part of) a copy of the source, before a copy writes. */
export async function assertCopyTarget(
  from: CopyableEventLog,
  to: CopyableEventLog,
): Promise<void> {
  const commits: Commit[] = [];
  for await (const commit of from.allCommits()) commits.push(commit);
  await heldCopy(commits, to);
}

const unchanged: EventRewrite = async (event) => ({ event, sealed: 0 });

/**
 * Copies every commit of a log into another one, keeping streams, versions, event ids, times and
 * correlation, each event upcast and rewritten. Resumable: commits already in the target are
 * left as they are; a target holding any commit the source does not hold is refused before
 * anything is written.
 */
export async function copyEventLog(options: {
  from: CopyableEventLog;
  to: CopyableEventLog;
  rewrite?: EventRewrite;
  onCommit?: (done: number, total: number) => void;
}): Promise<LogCopySummary> {
  const { from, to } = options;
  const rewrite = options.rewrite ?? unchanged;
  const commits: Commit[] = [];
  const streams = new Map<string, AnyEvent[]>();
  for await (const commit of from.allCommits()) {
    const events = commit.events.map(reviveEnvelope);
    commits.push({ ...commit, events });
    const stream = streams.get(commit.streamId);
    if (stream) stream.push(...events);
    else streams.set(commit.streamId, [...events]);
  }
  const present = await heldCopy(commits, to);
  const summary: LogCopySummary = {
    streams: streams.size,
    commits: commits.length,
    events: 0,
    written: 0,
    sealed: 0,
  };
  for (const commit of commits) {
    summary.events += commit.events.length;
    if (!present.has(commit.id)) {
      const stream = streams.get(commit.streamId) ?? [];
      const events: AnyEvent[] = [];
      for (const event of commit.events) {
        const result = await rewrite(event, stream);
        // Checked again: a rewrite that breaks its event's schema must never reach the new log.
        events.push(reviveEnvelope({ ...result.event, id: event.id }));
        summary.sealed += result.sealed;
      }
      await to.importCommit({ ...commit, events });
      summary.written += 1;
    }
    options.onCommit?.(summary.written + present.size, commits.length);
  }
  return summary;
}
