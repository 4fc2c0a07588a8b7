import { join } from 'node:path';
import type { BaseConfig } from '@parley/config';
import { type TopicKey, topicName } from '@parley/contracts';
import {
  EmbeddedEventStore,
  EmbeddedLeaseStore,
  type EventStore,
  type LeaseStore,
  MongoEventStore,
  MongoLeaseStore,
} from '@parley/eventstore';
import { lockFolder } from '@parley/files';
import { EmbeddedMessageBus, KafkaMessageBus, type MessageBus } from '@parley/messaging';
import { EmbeddedPersonKeyStore, MongoPersonKeyStore, type PersonKeyStore } from '@parley/privacy';
import {
  type DocumentStore,
  LiveReadModels,
  MemoryDocumentStore,
  MongoDocumentStore,
} from '@parley/readmodel';
import type { Logger } from 'pino';
import type { ReadinessCheck } from '../health/readiness.service';
import { createKafka, kafkaReadiness } from '../infra/kafka';
import { DatabaseCommandMonitor } from '../infra/database-commands';
import { MongoWatchdog, connectMongo, mongoConnectionProbe, mongoReadiness } from '../infra/mongo';

export type Clock = () => Date;

/** Everything a service needs from the outside world, the same shape in both modes. */
export interface ServiceInfrastructure {
  readonly mode: 'distributed' | 'embedded';
  readonly service: string;
  readonly eventStore: EventStore;
  readonly leases: LeaseStore;
  readonly bus: MessageBus;
  readonly documents: DocumentStore;
  readonly readModels: LiveReadModels;
  /** The keys of the personal data this service keeps, apart from its events. */
  readonly personKeys: PersonKeyStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly partitions: number;
  readonly relayPollMs: number;
  readonly readiness: ReadinessCheck[];
  /** The round trips to the database (distributed mode; embedded read models make none). */
  readonly databaseCommands?: DatabaseCommandMonitor;
  topicName(key: TopicKey): string;
  close(): Promise<void>;
}

/** Kafka and MongoDB: a service running as its own process. */
export async function createDistributedInfrastructure(
  config: BaseConfig,
  logger: Logger,
  clock: Clock = () => new Date(),
  service: string = config.app,
): Promise<ServiceInfrastructure> {
  const mongo = await connectMongo(config.mongo.uri);
  const databaseCommands = new DatabaseCommandMonitor(service).watch(mongo);
  const watchdog = new MongoWatchdog(mongoConnectionProbe(mongo, config.mongo.uri), logger, {
    intervalMs: 5_000,
    wedgedAfterMs: 30_000,
  }).start();
  const kafkaOptions = { clientId: config.kafka.clientId, brokers: config.kafka.brokers };
  const kafka = createKafka(kafkaOptions, logger);
  const eventStore = new MongoEventStore(mongo, `/parley/${service}`, 'commits', clock);
  await eventStore.init();
  const personKeys = new MongoPersonKeyStore(mongo);
  await personKeys.init();
  const bus = new KafkaMessageBus(kafka, {
    consumerMaxWaitMs: config.kafka.consumerMaxWaitMs,
    logger,
    groupPrefix: config.kafka.topicPrefix,
  });
  const documents = new MongoDocumentStore(mongo);
  const kafkaCheck = kafkaReadiness(kafkaOptions, logger);
  return {
    mode: 'distributed',
    service,
    eventStore,
    leases: new MongoLeaseStore(mongo, clock),
    bus,
    documents,
    readModels: new LiveReadModels(documents),
    personKeys,
    clock,
    logger,
    partitions: config.kafka.partitions,
    relayPollMs: config.relay.pollMs,
    readiness: [mongoReadiness(mongo), kafkaCheck],
    databaseCommands,
    topicName: (key) => topicName(key, config.kafka.topicPrefix),
    async close() {
      await watchdog.stop();
      await bus.close();
      await kafkaCheck.close();
      await mongo.close();
    },
  };
}

/** What the services of one embedded process share: the bus and the leases. */
export interface EmbeddedPlatform {
  bus: EmbeddedMessageBus;
  leases: EmbeddedLeaseStore;
  /** Where event logs and topics are kept; undefined keeps everything in memory. */
  dataDir: string | undefined;
  partitions: number;
  clock: Clock;
  close(): Promise<void>;
}

/**
 * Opens the shared part of an embedded process. A data folder is held by one process at a time
 * (two would interleave their event logs): a second one is refused with a FolderInUseError.
 */
export async function openEmbeddedPlatform(
  options: { dataDir?: string; partitions?: number; clock?: Clock; logger?: Logger } = {},
): Promise<EmbeddedPlatform> {
  const { logger } = options;
  const held = options.dataDir
    ? await lockFolder(options.dataDir, (error) => {
        logger?.fatal({ err: error }, 'the data folder lock was taken over; stopping');
        throw error;
      })
    : undefined;
  let bus: EmbeddedMessageBus;
  try {
    bus = await EmbeddedMessageBus.open({
      ...(options.dataDir ? { dir: join(options.dataDir, 'bus') } : {}),
      ...(logger ? { logger } : {}),
    });
  } catch (error) {
    await held?.release();
    throw error;
  }
  const clock = options.clock ?? (() => new Date());
  return {
    bus,
    leases: new EmbeddedLeaseStore(clock),
    dataDir: options.dataDir,
    partitions: options.partitions ?? 8,
    clock,
    async close() {
      try {
        await bus.close();
      } finally {
        await held?.release();
      }
    },
  };
}

/**
 * One service of an embedded process: its own event log on disk, read models in memory, and its
 * durable records (not read models) kept in the data folder.
 */
export async function createEmbeddedInfrastructure(
  platform: EmbeddedPlatform,
  service: string,
  logger: Logger,
): Promise<ServiceInfrastructure> {
  const eventStore = await EmbeddedEventStore.open(
    `/parley/${service}`,
    platform.dataDir ? join(platform.dataDir, service, 'events.jsonl') : undefined,
    platform.clock,
  );
  const personKeys = await EmbeddedPersonKeyStore.open(
    platform.dataDir ? join(platform.dataDir, service, 'person-keys.json') : undefined,
  );
  const documents = new MemoryDocumentStore(
    platform.dataDir ? { dir: join(platform.dataDir, service, 'documents') } : {},
  );
  return {
    mode: 'embedded',
    service,
    eventStore,
    leases: platform.leases,
    bus: platform.bus,
    documents,
    readModels: new LiveReadModels(documents),
    personKeys,
    clock: platform.clock,
    logger,
    partitions: platform.partitions,
    relayPollMs: 250,
    readiness: [],
    topicName: (key) => topicName(key),
    close: async () => {
      await eventStore.close();
      await personKeys.close();
    },
  };
}
