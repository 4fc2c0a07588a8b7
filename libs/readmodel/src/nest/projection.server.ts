import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { TopicEvent, TopicKey } from '@parley/contracts';
import { eventTypesOf } from '@parley/contracts';
import {
  ConsumerProgress,
  decodeEvent,
  type IncomingMessage,
  type MessageBus,
  type MessageConsumer,
  reliable,
} from '@parley/messaging';
import {
  SpanKind,
  contextFromTraceparent,
  inSpan,
  runWithCorrelation,
} from '@parley/observability';
import type { Logger } from 'pino';
import type { LiveReadModels } from '../live-read-models';
import {
  type GenerationDb,
  type Projection,
  type ProjectionContext,
  ProjectionGenerations,
} from '../projection';

export interface ProjectionServerOptions {
  service: string;
  projection: Projection;
  bus: MessageBus;
  readModels: LiveReadModels;
  topicName(key: TopicKey): string;
  logger?: Logger;
  /** What the projection may use besides its collections (the service's person keys). */
  context?: ProjectionContext;
  /** How often to look for a generation switched by a rebuild. */
  generationPollMs?: number;
  onHandled?: (projection: string, ms: number, message: IncomingMessage) => void;
  onDeadLetter?: (message: IncomingMessage, error: unknown) => void;
}

export function projectionGroupId(service: string, projection: string, generation: number): string {
  return `parley-${service}.${projection}.g${generation}`;
}

/**
 * Runs a projection as a Nest microservice: a consumer group per projection generation
 * applies every event of the projection's topics to that generation's collections.
 * When a rebuild switches the generation, the server moves to the new group (which the
 * rebuild left caught up) and the service reads the new collections from then on.
 */
export class ProjectionServer extends Server implements CustomTransportStrategy {
  private consumer: MessageConsumer | undefined;
  private db: GenerationDb | undefined;
  private watcher: NodeJS.Timeout | undefined;
  private switching: Promise<void> = Promise.resolve();
  private readonly generations: ProjectionGenerations;
  private readonly types: ReadonlySet<string>;

  constructor(private readonly options: ProjectionServerOptions) {
    super();
    this.transportId = Symbol(`projection:${options.projection.name}`);
    this.generations = new ProjectionGenerations(options.readModels.store);
    this.types = new Set(options.projection.topics.flatMap((t) => eventTypesOf(t)));
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const generation = this.options.readModels.store.volatile
        ? 1
        : await this.generations.current(this.options.projection.name);
      await this.run(generation);
      if (!this.options.readModels.store.volatile) {
        this.watcher = setInterval(() => {
          this.switching = this.switching
            .then(() => this.followGeneration())
            .catch((error: unknown) => {
              this.options.logger?.warn(
                { err: error, projection: this.options.projection.name },
                'generation check failed',
              );
            });
        }, this.options.generationPollMs ?? 2_000);
        this.watcher.unref();
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.watcher);
    await this.switching;
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  on(): void {
    // Nothing to report through Nest's status events.
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async followGeneration(): Promise<void> {
    const generation = await this.generations.current(this.options.projection.name);
    if (!this.db || generation === this.db.generation) return;
    this.options.logger?.info(
      { projection: this.options.projection.name, generation },
      'switching to rebuilt generation',
    );
    await this.consumer?.stop();
    await this.run(generation);
  }

  private async run(generation: number): Promise<void> {
    const { projection, bus, service } = this.options;
    const db = this.options.readModels.use(projection, generation);
    await db.ensureIndexes();
    this.db = db;
    const groupId = projectionGroupId(service, projection.name, generation);
    const topics = projection.topics.map((t) => this.options.topicName(t));
    const progress = new ConsumerProgress(bus, groupId, topics);
    this.options.readModels.feed(projection.name, progress);
    this.consumer = bus.consumer({
      groupId,
      topics,
      fromBeginning: true,
      volatileOffsets: this.options.readModels.store.volatile,
      handler: progress.track(
        reliable((message) => this.apply(message, db), {
          groupId,
          publisher: bus.publisher(),
          ...(this.options.logger ? { logger: this.options.logger } : {}),
          ...(this.options.onDeadLetter ? { onDeadLetter: this.options.onDeadLetter } : {}),
        }),
      ),
    });
    await this.consumer.start();
    await this.learnPartitions(topics);
  }

  /** Counts the partitions of the topics, so that a wait knows when only this process applies them. */
  private async learnPartitions(topics: readonly string[]): Promise<void> {
    const { readModels, projection } = this.options;
    try {
      const counts = await Promise.all(
        topics.map(
          async (topic) => [topic, (await this.options.bus.topicOffsets(topic)).length] as const,
        ),
      );
      readModels.applied.heldBy(projection.name, () => {
        const held = this.consumer?.assignment() ?? {};
        return counts.every(([topic, count]) => count > 0 && (held[topic]?.length ?? 0) >= count);
      });
    } catch (error) {
      this.options.logger?.warn(
        { err: error, projection: projection.name },
        'could not count the partitions; read-your-writes waits read the documents',
      );
    }
  }

  private async apply(message: IncomingMessage, db: GenerationDb): Promise<void> {
    const event = decodeEvent(message);
    const { name } = this.options.projection;
    if (!this.types.has(event.type)) {
      this.options.readModels.applied.record(name, event.subject, event.streamVersion);
      return;
    }
    const started = performance.now();
    await runWithCorrelation({ correlationId: event.correlationId, causationId: event.id }, () =>
      inSpan(
        `project ${event.type}`,
        SpanKind.CONSUMER,
        contextFromTraceparent(event.traceparent),
        {
          'messaging.destination.name': message.topic,
          'parley.projection': this.options.projection.name,
        },
        () =>
          this.options.projection.apply(event as TopicEvent<TopicKey>, db, {
            ...this.options.context,
            position: message,
          }),
      ),
    );
    if (db === this.db)
      this.options.readModels.applied.record(name, event.subject, event.streamVersion);
    this.options.onHandled?.(this.options.projection.name, performance.now() - started, message);
  }
}
