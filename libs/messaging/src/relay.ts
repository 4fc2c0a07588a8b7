import { randomUUID } from 'node:crypto';
import type { AnyEvent } from '@parley/contracts';
import type { Commit, EventStore, LeaseStore } from '@parley/eventstore';
import type { Logger } from 'pino';
import { eventToMessage } from './event-codec';
import type { MessagePublisher, OutgoingMessage, TopicBatch } from './message';

export interface RelayOptions {
  /** Lease name: one relay per store publishes at a time. */
  name: string;
  /** The topic an event type is published on; undefined keeps it in the store (private events). */
  topicFor(type: string): string | undefined;
  /** Fallback poll, for commits appended by other processes. */
  pollMs: number;
  batchSize?: number;
  leaseTtlMs?: number;
  owner?: string;
  logger?: Logger;
  clock?: () => Date;
  /** Adds headers to each outgoing message (trace context). */
  decorate?: (event: AnyEvent, headers: Record<string, string>) => void;
  /** Told after every batch published: how many events, and the age of the oldest commit. */
  onPublished?: (events: number, lagMs: number) => void;
}

export interface RelayStats {
  commitsPublished: number;
  eventsPublished: number;
  failures: number;
  leader: boolean;
  /** Age of the oldest commit published in the last batch, in ms. */
  lastLagMs: number;
}

/**
 * Publishes committed events to Kafka (or the embedded bus) in stream order, at least once.
 *
 * Commits appended in this process reach the relay with the append itself and are
 * published at once, without a query, when the stream's previous commit is known to be
 * published (or the commit starts the stream). Everything else (commits of other
 * processes, gaps, failures) is found by the fallback scan of unpublished commits.
 * "Published" marks are written in batches off the latency path. A lease makes one relay
 * per store the publisher, so two never publish one commit together.
 */
export class Relay {
  private readonly owner: string;
  private readonly ttlMs: number;
  private readonly batchSize: number;
  private readonly clock: () => Date;
  private leaseUntil = 0;
  private lastAttempt = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private scanDue = true;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private fastQueue: Commit[] = [];
  /** Last version published per stream (bounded), to keep the fast path in stream order. */
  private readonly publishedVersion = new Map<string, number>();
  /** Published commits whose mark is not written yet: the scan must not publish them again. */
  private readonly unmarked = new Set<string>();
  private marking: Promise<void> = Promise.resolve();
  private markTimer: NodeJS.Timeout | undefined;
  private readonly counters: RelayStats = {
    commitsPublished: 0,
    eventsPublished: 0,
    failures: 0,
    leader: false,
    lastLagMs: 0,
  };

  constructor(
    private readonly store: EventStore,
    private readonly publisher: MessagePublisher,
    private readonly leases: LeaseStore,
    private readonly options: RelayOptions,
  ) {
    this.owner = options.owner ?? randomUUID();
    this.ttlMs = options.leaseTtlMs ?? 10_000;
    this.batchSize = options.batchSize ?? 200;
    this.clock = options.clock ?? (() => new Date());
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.store.onAppended((commit) => {
      this.fastQueue.push(commit);
      this.wake();
    });
    this.timer = setInterval(() => {
      this.scanDue = true;
      this.wake();
    }, this.options.pollMs);
    this.timer.unref();
    this.scanDue = true;
    this.wake();
  }

  /**
   * Publishes what this process appended and is still queued, writes the marks, and hands
   * the lease back. It does not scan the store: a commit left unpublished (after a gap or a
   * failure) stays in it for the next leader's scan, so stopping costs no query over the
   * outbox however busy the database is.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.running;
    try {
      // Appends that arrived while the last pass ran: the loop starts no new pass once stopped.
      if (this.fastQueue.length > 0 && (await this.holdLease())) await this.publishFast();
    } catch (error) {
      this.options.logger?.warn(
        { err: error, relay: this.options.name },
        'relay could not publish before stopping; the next leader will',
      );
    }
    await this.flushMarks();
    if (this.counters.leader) {
      await this.leases.release(this.options.name, this.owner).catch(() => undefined);
      this.counters.leader = false;
      this.leaseUntil = 0;
    }
  }

  stats(): RelayStats {
    return { ...this.counters };
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.publishPending();
      } catch (error) {
        this.counters.failures += 1;
        this.scanDue = true;
        this.options.logger?.warn(
          { err: error, relay: this.options.name },
          'relay could not publish; will retry',
        );
      }
    } while (this.again && !this.stopped);
  }

  private async publishPending(): Promise<void> {
    if (!(await this.holdLease())) {
      // Not the publisher: the leader finds these commits with its scan.
      this.fastQueue = [];
      return;
    }
    await this.publishFast();
    if (!this.scanDue) return;
    this.scanDue = false;
    for (;;) {
      if (!(await this.holdLease())) return;
      const found = await this.store.readUnpublished(this.batchSize);
      // Sorted by stream and version, and complete up to the batch limit: publishable as it comes.
      const fresh = found.filter((c) => !this.unmarked.has(c.id) && !this.alreadyPublished(c));
      if (fresh.length > 0) await this.publish(fresh);
      if (found.length < this.batchSize || fresh.length === 0) return;
    }
  }

  /** Publishes the commits handed over by appends, each stream's in order; the rest waits for the scan. */
  private async publishFast(): Promise<void> {
    while (this.fastQueue.length > 0) {
      const queued = this.fastQueue;
      this.fastQueue = [];
      const blocked = new Set<string>();
      const ready: Commit[] = [];
      for (const commit of queued) {
        if (this.unmarked.has(commit.id) || this.alreadyPublished(commit)) continue;
        if (!blocked.has(commit.streamId) && this.follows(commit, ready)) ready.push(commit);
        else {
          blocked.add(commit.streamId);
          this.scanDue = true;
        }
      }
      if (ready.length > 0) await this.publish(ready);
    }
  }

  private alreadyPublished(commit: Commit): boolean {
    return (this.publishedVersion.get(commit.streamId) ?? 0) >= commit.lastVersion;
  }

  /** True when the commit starts its stream or comes right after the last one published. */
  private follows(commit: Commit, before: readonly Commit[] = []): boolean {
    if (commit.version === 1) return true;
    const earlier = [...before].reverse().find((c) => c.streamId === commit.streamId);
    const last = earlier ? earlier.lastVersion : this.publishedVersion.get(commit.streamId);
    return last === commit.version - 1;
  }

  private async publish(commits: Commit[]): Promise<void> {
    const batches = this.toBatches(commits);
    if (batches.length > 0) await this.publisher.publish(batches);
    for (const commit of commits) {
      this.publishedVersion.delete(commit.streamId);
      this.publishedVersion.set(commit.streamId, commit.lastVersion);
      this.unmarked.add(commit.id);
    }
    while (this.publishedVersion.size > 50_000) {
      const oldest = this.publishedVersion.keys().next().value;
      if (oldest === undefined) break;
      this.publishedVersion.delete(oldest);
    }
    this.record(commits);
    this.scheduleMarks();
  }

  private scheduleMarks(): void {
    if (this.unmarked.size >= 500) {
      void this.flushMarks();
      return;
    }
    if (this.markTimer) return;
    this.markTimer = setTimeout(() => {
      this.markTimer = undefined;
      void this.flushMarks();
    }, 100);
  }

  private flushMarks(): Promise<void> {
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    this.marking = this.marking.then(async () => {
      const ids = [...this.unmarked];
      if (ids.length === 0) return;
      try {
        await this.store.markPublished(ids);
        for (const id of ids) this.unmarked.delete(id);
      } catch (error) {
        // Kept in `unmarked`: the next flush tries again; a restart republishes them (at least once).
        this.options.logger?.warn(
          { err: error, relay: this.options.name },
          'relay could not mark commits published',
        );
        this.scheduleMarks();
      }
    });
    return this.marking;
  }

  private async holdLease(): Promise<boolean> {
    const now = this.clock().getTime();
    // Renew well before expiry, so a batch in flight never outlives the lease.
    if (now < this.leaseUntil - (this.ttlMs * 2) / 3) return true;
    if (!this.counters.leader && now - this.lastAttempt < this.ttlMs / 4) return false;
    this.lastAttempt = now;
    const acquired = await this.leases.tryAcquire(this.options.name, this.owner, this.ttlMs);
    if (acquired && !this.counters.leader) {
      this.options.logger?.info({ relay: this.options.name }, 'relay leads');
      // Another relay may have published in between: trust only the store from here on.
      this.publishedVersion.clear();
      this.scanDue = true;
    }
    this.counters.leader = acquired;
    this.leaseUntil = acquired ? now + this.ttlMs : 0;
    return acquired;
  }

  private toBatches(commits: Commit[]): TopicBatch[] {
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const commit of commits) {
      for (const event of commit.events) {
        const topic = this.options.topicFor(event.type);
        if (!topic) continue;
        const message = eventToMessage(event);
        this.options.decorate?.(event, message.headers);
        const list = byTopic.get(topic);
        if (list) list.push(message);
        else byTopic.set(topic, [message]);
      }
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }

  private record(commits: Commit[]): void {
    const now = this.clock().getTime();
    this.counters.commitsPublished += commits.length;
    this.counters.eventsPublished += commits.reduce((n, c) => n + c.events.length, 0);
    this.counters.lastLagMs = Math.max(...commits.map((c) => now - c.committedAt.getTime()));
    this.options.onPublished?.(
      commits.reduce((n, c) => n + c.events.length, 0),
      this.counters.lastLagMs,
    );
  }
}
