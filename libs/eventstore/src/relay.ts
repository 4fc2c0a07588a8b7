import { randomUUID } from 'node:crypto';
import { type AnyEvent, envelopeToHeaders } from '@parley/contracts';
import type { MessagePublisher, OutgoingMessage, TopicBatch } from '@parley/messaging';
import type { Logger } from 'pino';
import type { Commit, EventStore } from './event-store.port';
import type { LeaseStore } from './lease.port';

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
}

export interface RelayStats {
  commitsPublished: number;
  eventsPublished: number;
  failures: number;
  leader: boolean;
  /** Age of the oldest commit published in the last batch, in ms. */
  lastLagMs: number;
}

export function eventToMessage(event: AnyEvent): OutgoingMessage {
  return {
    key: event.subject,
    value: JSON.stringify(event.data),
    headers: envelopeToHeaders(event),
  };
}

/**
 * Publishes committed events to Kafka (or the embedded bus) in stream order,
 * at least once. Appends in this process wake it at once; the poll picks up the rest.
 * A lease makes one relay per store the publisher, so two never publish one commit together.
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
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
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
    this.unsubscribe = this.store.onAppended(() => this.wake());
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Publishes what is pending, then stops and hands the lease back. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.running;
    if (this.counters.leader) {
      await this.leases.release(this.options.name, this.owner).catch(() => undefined);
      this.counters.leader = false;
      this.leaseUntil = 0;
    }
  }

  stats(): RelayStats {
    return { ...this.counters };
  }

  /** Runs until nothing is left to publish (for shutdown and tests). */
  async flush(): Promise<void> {
    await this.running;
    this.lastAttempt = 0;
    await this.publishPending();
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
        this.options.logger?.warn(
          { err: error, relay: this.options.name },
          'relay could not publish; will retry',
        );
      }
    } while (this.again && !this.stopped);
  }

  private async publishPending(): Promise<void> {
    for (;;) {
      if (!(await this.holdLease())) return;
      const commits = await this.store.readUnpublished(this.batchSize);
      if (commits.length === 0) return;
      const batches = this.toBatches(commits);
      if (batches.length > 0) await this.publisher.publish(batches);
      await this.store.markPublished(commits.map((c) => c.id));
      this.record(commits);
      if (commits.length < this.batchSize) return;
    }
  }

  private async holdLease(): Promise<boolean> {
    const now = this.clock().getTime();
    // Renew well before expiry, so a batch in flight never outlives the lease.
    if (now < this.leaseUntil - (this.ttlMs * 2) / 3) return true;
    if (!this.counters.leader && now - this.lastAttempt < this.ttlMs / 4) return false;
    this.lastAttempt = now;
    const acquired = await this.leases.tryAcquire(this.options.name, this.owner, this.ttlMs);
    if (acquired && !this.counters.leader)
      this.options.logger?.info({ relay: this.options.name }, 'relay leads');
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
  }
}
