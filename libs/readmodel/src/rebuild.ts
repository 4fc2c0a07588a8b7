import type { TopicEvent, TopicKey } from '@parley/contracts';
import { eventTypesOf } from '@parley/contracts';
import { classifyFailure, decodeEventAlone, type MessageBus } from '@parley/messaging';
import type { DocumentStore } from './document-store.port';
import { projectionGroupId } from './nest/projection.server';
import {
  GenerationDb,
  type Projection,
  type ProjectionContext,
  ProjectionGenerations,
} from './projection';
import { SettledLater } from './settle';

export interface RebuildOptions {
  service: string;
  projection: Projection;
  bus: MessageBus;
  store: DocumentStore;
  topicName(key: TopicKey): string;
  onProgress?: (done: number, total: number) => void;
  /** Drop the previous generation's collections once the new one is live. */
  dropPrevious?: boolean;
  clock?: () => Date;
  /** What the projection may use besides its collections (the service's person keys). */
  context?: ProjectionContext;
}

export interface RebuildResult {
  generation: number;
  previous: number;
  events: number;
  /** Messages that could not be applied (malformed); the live projection dead-lettered them. */
  skipped: number;
  /** Figures (counts, listings) set once at the end rather than after each event that moved them. */
  settled: number;
  ms: number;
}

/**
 * Replays a projection's topics from the beginning into a fresh generation of its
 * collections, then makes that generation the live one. Readers keep the old
 * generation until the switch; the running services follow it within seconds.
 */
export async function rebuildProjection(options: RebuildOptions): Promise<RebuildResult> {
  const started = Date.now();
  const generations = new ProjectionGenerations(options.store);
  const previous = await generations.current(options.projection.name);
  const generation = previous + 1;
  const db = new GenerationDb(options.store, options.projection, generation);
  await db.drop();
  await db.ensureIndexes();

  const topics = options.projection.topics.map((t) => options.topicName(t));
  const targets = new Map<string, bigint>();
  let total = 0;
  for (const topic of topics) {
    for (const { partition, high } of await options.bus.topicOffsets(topic)) {
      targets.set(`${topic}:${partition}`, BigInt(high));
      total += Number(high);
    }
  }
  // The partitions whose messages up to their target are not all applied yet.
  const behind = new Set([...targets].filter(([, high]) => high > 0n).map(([key]) => key));
  const types = new Set(options.projection.topics.flatMap((t) => eventTypesOf(t)));
  const caughtUp = () => behind.size === 0;

  let done = 0;
  let skipped = 0;
  // Nothing reads the new generation before the switch: each figure is set once, at the end.
  const settled = new SettledLater();
  const context: ProjectionContext = { ...options.context, settleLater: settled.add };
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const consumer = options.bus.consumer({
    groupId: projectionGroupId(options.service, options.projection.name, generation),
    topics,
    fromBeginning: true,
    volatileOffsets: options.store.volatile,
    handler: async (message) => {
      try {
        // Live consumers read the topics' ends, not their history: no one shares these decodings.
        const event = decodeEventAlone(message);
        if (types.has(event.type))
          await options.projection.apply(event as TopicEvent<TopicKey>, db, {
            ...context,
            position: message,
          });
      } catch (error) {
        // A message no attempt can apply was dead-lettered by the live projection too: skip it.
        if (classifyFailure(error) !== 'permanent') throw error;
        skipped += 1;
      }
      const key = `${message.topic}:${message.partition}`;
      if (behind.has(key) && BigInt(message.offset) + 1n >= (targets.get(key) ?? 0n))
        behind.delete(key);
      done += 1;
      options.onProgress?.(done, total);
      if (caughtUp()) finish();
    },
  });
  await consumer.start();
  if (caughtUp()) finish();
  await finished;
  await consumer.stop();
  const figures = await settled.run();

  await generations.switchTo(
    options.projection.name,
    generation,
    (options.clock ?? (() => new Date()))(),
  );
  if (options.dropPrevious)
    await new GenerationDb(options.store, options.projection, previous).drop();
  return {
    generation,
    previous,
    events: done,
    skipped,
    settled: figures,
    ms: Date.now() - started,
  };
}
