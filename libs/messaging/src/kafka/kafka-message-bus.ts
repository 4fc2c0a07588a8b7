import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  Partitioners,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import type {
  ConsumeOptions,
  IncomingMessage,
  MessageBus,
  MessageConsumer,
  MessagePublisher,
  PartitionOffsets,
  TopicBatch,
  TopicSpec,
} from '../message';
import { backoffMs, retryUntilStopped, sleep } from '../retry';
import { quietIdleKafkaConnections } from './idle-request-queue';

export interface KafkaBusOptions {
  /** Longest time a fetch waits for new data: low values keep end-to-end latency low. */
  consumerMaxWaitMs: number;
  /** Commit handled offsets at least this often while a batch is being worked through. */
  commitIntervalMs?: number;
  logger?: Logger;
  /**
   * Put before every consumer group id. Runs whose topics carry a prefix on a shared cluster
   * give it here too, so that one service's groups in two runs never share members.
   */
  groupPrefix?: string;
}

function headersOf(message: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return headers;
}

/** A consumer group's id on the cluster: the service's id behind the run's prefix, if any. */
export function kafkaGroupId(groupId: string, prefix = ''): string {
  return prefix ? `${prefix}.${groupId}` : groupId;
}

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

/** Kafka through kafkajs: an idempotent producer with acks from all replicas, and consumer groups. */
export class KafkaMessageBus implements MessageBus {
  readonly kind = 'kafka' as const;
  private producer: Promise<Producer> | undefined;
  private admin: Promise<Admin> | undefined;
  private readonly members = new Set<KafkaGroupMember>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaBusOptions,
  ) {
    quietIdleKafkaConnections();
  }

  publisher(): MessagePublisher {
    return {
      publish: async (batches: TopicBatch[]) => {
        if (batches.length === 0) return;
        const session = this.connectedProducer();
        const producer = await session;
        try {
          await producer.sendBatch({
            acks: -1,
            topicMessages: batches.map((b) => ({
              topic: b.topic,
              messages: b.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
            })),
          });
        } catch (error) {
          this.endProducerSession(session, producer);
          throw error;
        }
      },
    };
  }

  consumer(options: ConsumeOptions): MessageConsumer {
    const member = new KafkaGroupMember(
      this.kafka,
      { ...options, groupId: this.groupId(options.groupId) },
      this.options,
      () => this.members.delete(member),
      () => this.connectedAdmin(),
    );
    this.members.add(member);
    return member;
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    if (topics.length === 0) return;
    const admin = await this.connectedAdmin();
    for (let attempt = 1; ; attempt++) {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.name));
      if (missing.length === 0) return;
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({
            topic: t.name,
            numPartitions: t.partitions,
            configEntries: [{ name: 'retention.ms', value: String(t.retentionMs ?? -1) }],
          })),
        });
        return;
      } catch (error) {
        // Another replica created them at the same moment.
        if (String((error as Error).message).includes('already exists')) return;
        // A topic another replica just created is not in every broker's metadata yet: look again.
        const unknown = (error as { type?: unknown }).type === 'UNKNOWN_TOPIC_OR_PARTITION';
        if (!unknown || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const admin = await this.connectedAdmin();
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets
      .map((o) => ({ partition: o.partition, high: o.high }))
      .sort((a, b) => a.partition - b.partition);
  }

  async groupOffsets(groupId: string, topic: string): Promise<PartitionOffsets[]> {
    const admin = await this.connectedAdmin();
    const [result] = await admin.fetchOffsets({ groupId: this.groupId(groupId), topics: [topic] });
    return (result?.partitions ?? [])
      .map((p) => ({ partition: p.partition, high: p.offset }))
      .sort((a, b) => a.partition - b.partition);
  }

  async close(): Promise<void> {
    await Promise.all([...this.members].map((m) => m.stop()));
    const producer = this.producer;
    const admin = this.admin;
    this.producer = undefined;
    this.admin = undefined;
    await (await producer?.catch(() => undefined))?.disconnect();
    await (await admin?.catch(() => undefined))?.disconnect();
  }

  private groupId(groupId: string): string {
    return kafkaGroupId(groupId, this.options.groupPrefix);
  }

  private connectedProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      this.producer = undefined;
      throw error;
    });
    return this.producer;
  }

  /**
   * A send that failed may still have been written by a broker that could not answer (it was
   * stopping): the producer then numbers its next batch as that one, and the broker acks it as
   * a duplicate and drops it. A new session (a new producer id) numbers from zero again; what
   * is sent again may come twice, which every consumer takes as once.
   */
  private endProducerSession(session: Promise<Producer>, producer: Producer): void {
    if (this.producer !== session) return;
    this.producer = undefined;
    void producer.disconnect().catch(() => undefined);
  }

  private connectedAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.admin = undefined;
      throw error;
    });
    return this.admin;
  }
}

/**
 * One member of a consumer group. Each partition's messages are handled in order; an
 * offset is committed after its handler resolved (at the end of every batch, and every
 * `commitIntervalMs` within long ones), so a crash redelivers at most what was in hand.
 */
class KafkaGroupMember implements MessageConsumer {
  private consumer: Consumer | undefined;
  private readonly handled = new Map<
    string,
    { topic: string; partition: number; offset: string }
  >();
  private readonly committed = new Map<string, string>();
  private assigned: Record<string, number[]> = {};
  private lastCommit = Date.now();
  private committing: Promise<void> = Promise.resolve();
  private commitRetry: NodeJS.Timeout | undefined;
  private refusedCommits = 0;
  private running = false;
  private stopping = false;
  private aborting = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ConsumeOptions,
    private readonly busOptions: KafkaBusOptions,
    private readonly onGone: () => void,
    /** The bus's admin client, for a group that starts at a time. */
    private readonly admin: () => Promise<Admin>,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      maxWaitTimeInMs: this.busOptions.consumerMaxWaitMs,
      minBytes: 1,
      sessionTimeout: 10_000,
      rebalanceTimeout: 20_000,
      heartbeatInterval: 1_000,
      allowAutoTopicCreation: false,
    });
    consumer.on(consumer.events.CRASH, (event) => {
      // kafkajs restarts a consumer after a retriable error only; after any other (a group
      // coordinator not found while the broker comes back, say) the member would be gone
      // for good, and its partitions' lag would grow with nobody to notice.
      if (!event.payload.restart && consumer === this.consumer && this.running)
        void this.rejoinAfterCrash(consumer, event.payload.error);
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.assigned = Object.fromEntries(
        Object.entries(event.payload.memberAssignment).map(([topic, partitions]) => [
          topic,
          [...partitions].sort((a, b) => a - b),
        ]),
      );
      // A partition given to another member is its to commit from now on: an offset handled
      // here before is never committed over the new owner's (it would take the group back).
      for (const [key, at] of this.handled)
        if (!this.owns(at.topic, at.partition)) {
          this.handled.delete(key);
          this.committed.delete(key);
        }
    });
    this.consumer = consumer;
    this.running = true;
    if (this.options.fromTime) await this.startAt(this.options.fromTime);
    await consumer.connect();
    await consumer.subscribe({
      topics: this.options.topics,
      fromBeginning: this.options.fromBeginning,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? 4,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  assignment(): Record<string, number[]> {
    return this.running ? this.assigned : {};
  }

  /**
   * Commits, for a group that has committed nothing yet, the offsets of the first messages
   * written at or after `time`: the group then starts there. A group that has committed goes
   * on from its own offsets.
   */
  private async startAt(time: Date): Promise<void> {
    const admin = await this.admin();
    const { groupId, topics } = this.options;
    const committed = await admin.fetchOffsets({ groupId, topics });
    if (committed.some((t) => t.partitions.some((p) => Number(p.offset) >= 0))) return;
    for (const topic of topics) {
      const partitions = await admin.fetchTopicOffsetsByTimestamp(topic, time.getTime());
      await admin.setOffsets({ groupId, topic, partitions });
    }
  }

  /** A new consumer in place of one kafkajs gave up on, tried with backoff until it joins. */
  private async rejoinAfterCrash(crashed: Consumer, error: Error): Promise<void> {
    this.busOptions.logger?.warn(
      { err: error, groupId: this.options.groupId },
      'consumer crashed and was not restarted; joining the group again',
    );
    this.assigned = {};
    await crashed.disconnect().catch(() => undefined);
    for (let attempt = 1; this.running && !this.stopping; attempt++) {
      await sleep(backoffMs(attempt, 1_000, 30_000));
      if (!this.running || this.stopping) return;
      try {
        await this.start();
        return;
      } catch (startError) {
        this.busOptions.logger?.warn(
          { err: startError, groupId: this.options.groupId },
          'could not join the group again yet',
        );
        await this.consumer?.disconnect().catch(() => undefined);
      }
    }
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || this.stopping) return;
    this.stopping = true;
    this.running = false;
    clearTimeout(this.commitRetry);
    // stop() lets the batch in hand finish and commit at its end (the consumer is still ours
    // to commit with), then disconnect() leaves the group so the rebalance starts at once.
    await consumer.stop().catch(() => undefined);
    await this.committing;
    this.consumer = undefined;
    await consumer.disconnect().catch(() => undefined);
    const uncommitted = [...this.handled.entries()].filter(
      ([k, v]) => this.committed.get(k) !== v.offset,
    ).length;
    this.busOptions.logger?.info(
      { groupId: this.options.groupId, uncommitted, aborted: this.aborting },
      'left the consumer group',
    );
    this.assigned = {};
    this.onGone();
  }

  async abort(): Promise<void> {
    this.aborting = true;
    await this.stop();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const key = `${batch.topic}:${batch.partition}`;
    const live = () => this.running && payload.isRunning() && !payload.isStale();
    for (const message of batch.messages) {
      if (!live()) break;
      const incoming: IncomingMessage = {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key ? message.key.toString() : null,
        value: message.value ? message.value.toString() : '',
        headers: headersOf(message),
        timestamp: Number(message.timestamp),
      };
      const done = await retryUntilStopped(
        () => this.options.handler(incoming),
        live,
        this.busOptions.logger,
      );
      // A crash between the effect and the commit: the message comes again after restart.
      if (!done || this.aborting) return;
      payload.resolveOffset(message.offset);
      this.handled.set(key, {
        topic: batch.topic,
        partition: batch.partition,
        offset: nextOffset(message.offset),
      });
      await payload.heartbeat().catch(() => undefined);
      if (Date.now() - this.lastCommit >= (this.busOptions.commitIntervalMs ?? 250))
        await this.commit();
    }
    if (!this.aborting) await this.commit();
  }

  /**
   * Commits handled offsets of the partitions this member owns; serialized, since partitions
   * are worked on concurrently. A refused commit (the broker away, say) is tried again until
   * it is taken: the last offsets handled before an outage would otherwise stay uncommitted
   * until their partition's next message, and the group would show a lag it does not have.
   */
  private commit(): Promise<void> {
    this.committing = this.committing.then(async () => {
      const consumer = this.consumer;
      if (!consumer) return;
      const pending = [...this.handled.entries()].filter(
        ([k, v]) => this.committed.get(k) !== v.offset && this.owns(v.topic, v.partition),
      );
      if (pending.length === 0) return;
      this.lastCommit = Date.now();
      try {
        await consumer.commitOffsets(pending.map(([, v]) => v));
        for (const [k, v] of pending) this.committed.set(k, v.offset);
        this.refusedCommits = 0;
      } catch (error) {
        this.busOptions.logger?.debug(
          { err: error, groupId: this.options.groupId },
          'offset commit refused; trying again',
        );
        this.refusedCommits += 1;
        this.commitAgainLater();
      }
    });
    return this.committing;
  }

  private commitAgainLater(): void {
    if (this.commitRetry !== undefined || !this.running) return;
    this.commitRetry = setTimeout(
      () => {
        this.commitRetry = undefined;
        if (this.running) void this.commit();
      },
      backoffMs(this.refusedCommits, 500, 10_000),
    );
    this.commitRetry.unref();
  }

  private owns(topic: string, partition: number): boolean {
    return this.assigned[topic]?.includes(partition) ?? false;
  }
}
