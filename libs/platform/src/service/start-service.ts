import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { dlqOf, type TopicKey } from '@parley/contracts';
import { EventBusServer, type IncomingMessage, type MessageBus } from '@parley/messaging';
import { metrics } from '@parley/observability';
import {
  type Projection,
  type ProjectionContext,
  ProjectionServer,
  projectionGroupId,
} from '@parley/readmodel';
import { createHttpApp, listen } from '../bootstrap/http-app';
import { type MetricsServer, startMetricsServer } from '../bootstrap/metrics-server';
import type { Resealers } from '../migration/log-migration';
import type { ServiceInfrastructure } from './service-infrastructure';
import type { PersonalDataOpener } from '../http/personal-data.client';

/** What a service's projections may use besides their collections. */
export function projectionContext(
  definition: Pick<ServiceDefinition, 'personalData'>,
  infra: ServiceInfrastructure,
): ProjectionContext {
  return {
    personKeys: infra.personKeys,
    ...(definition.personalData ? { personalData: definition.personalData(infra) } : {}),
  };
}

/** A group of `@OnEvent` handlers that share one consumer group (a policy, a live feed). */
export interface ConsumerGroupDefinition {
  name: string;
  transportId: symbol;
  topics: readonly TopicKey[];
  /** New groups start at the oldest event (true) or only see new ones (false). */
  fromBeginning?: boolean;
  /** Instead: new groups start at the first event written at or after this time, asked at start. */
  fromTime?: () => Date;
  /** Each process of the service gets every event (a live feed), not a share of them. */
  perInstance?: boolean;
}

/** What a service is made of, for both modes. */
export interface ServiceDefinition {
  name: string;
  produces: readonly TopicKey[];
  projections: readonly Projection[];
  consumers: readonly ConsumerGroupDefinition[];
  module(infra: ServiceInfrastructure): DynamicModule;
  bodyLimit?: number;
  /** Proxies in front of the service that are believed about the client and the scheme. */
  trustProxy?: boolean | number | string[];
  /** What seals the plaintext personal data of its events written before sealing, when its log is migrated. */
  resealers?: Resealers;
  /**
   * What its projections open the sealed personal data of the events they read with (see
   * ProjectionContext.personalData); without it, only values written in plaintext read.
   */
  personalData?(infra: ServiceInfrastructure): PersonalDataOpener;
  /** Last touches to the app before it listens (HTTP plugins, documentation). */
  configure?(app: NestFastifyApplication, infra: ServiceInfrastructure): Promise<void>;
}

/** A started service, whether it listens on a port or answers only callers in its process. */
export interface StartedService {
  app: NestFastifyApplication;
  infra: ServiceInfrastructure;
  /** Consumer groups of this instance, with their topics (for lag and operations). */
  groups: { groupId: string; topics: string[] }[];
  /** Where Prometheus scrapes this process (`<metricsUrl>/metrics`), when it was asked to serve them. */
  metricsUrl?: string;
}

/** A service that listens: other processes reach it at its URL. */
export interface RunningService extends StartedService {
  url: string;
}

function recorder(service: string, groupId: string) {
  return {
    onHandled: (_subject: unknown, ms: number, message: IncomingMessage) => {
      const labels = { service, group: groupId, topic: message.topic };
      metrics.consumerProcessing.observe(labels, ms);
      metrics.consumerDelay.observe(labels, Math.max(0, Date.now() - message.timestamp));
    },
    onDeadLetter: (message: IncomingMessage) => {
      metrics.deadLetters.inc({ service, group: groupId, topic: message.topic });
    },
  };
}

/** Samples each group's lag (messages not yet handled) every 15 s into the consumer-lag gauge. */
function monitorLag(
  service: string,
  bus: MessageBus,
  groups: RunningService['groups'],
): NodeJS.Timeout {
  const timer = setInterval(() => {
    void (async () => {
      for (const { groupId, topics } of groups) {
        for (const topic of topics) {
          try {
            const [ends, committed] = await Promise.all([
              bus.topicOffsets(topic),
              bus.groupOffsets(groupId, topic),
            ]);
            const lag = ends.reduce(
              (sum, end, i) =>
                sum + Math.max(0, Number(end.high) - Math.max(0, Number(committed[i]?.high ?? 0))),
              0,
            );
            metrics.consumerLag.set({ service, group: groupId, topic }, lag);
          } catch {
            // The broker may be away for a moment; the next sample will tell.
          }
        }
      }
    })();
  }, 15_000);
  timer.unref();
  return timer;
}

/** A consumer group that the replicas of a service share, each taking some of its partitions. */
export interface SharedConsumerGroup {
  /** The id before any topic prefix (the bus adds it on the cluster). */
  groupId: string;
  topics: readonly TopicKey[];
}

function consumerGroupId(definition: ServiceDefinition, group: ConsumerGroupDefinition): string {
  return `parley-${definition.name}.${group.name}`;
}

/**
 * The groups whose partitions the replicas of a service divide among themselves: one per
 * projection and per policy consumer. Live feeds (`perInstance`) are not among them. The
 * autoscaler reads the lag of exactly these groups (k8s/README.md).
 */
export function sharedConsumerGroups(definition: ServiceDefinition): SharedConsumerGroup[] {
  return [
    ...definition.projections.map((projection) => ({
      groupId: projectionGroupId(definition.name, projection.name, 1),
      topics: projection.topics,
    })),
    ...definition.consumers
      .filter((group) => !group.perInstance)
      .map((group) => ({ groupId: consumerGroupId(definition, group), topics: group.topics })),
  ];
}

/** A consumer group that feeds read models, with the topics it reads. */
export interface ReadModelFeed {
  readonly groupId: string;
  readonly topics: string[];
}

/** The group of each projection of a service (its live generation), with the topics it reads. */
export function projectionFeeds(
  definition: Pick<ServiceDefinition, 'name' | 'projections'>,
  infra: Pick<ServiceInfrastructure, 'topicName'>,
): (ReadModelFeed & { projection: Projection })[] {
  return definition.projections.map((projection) => ({
    projection,
    groupId: projectionGroupId(definition.name, projection.name, 1),
    topics: projection.topics.map((key) => infra.topicName(key)),
  }));
}

function topicsOf(definition: ServiceDefinition): TopicKey[] {
  return [
    ...new Set<TopicKey>([
      ...definition.produces,
      ...definition.projections.flatMap((p) => p.topics),
      ...definition.consumers.flatMap((c) => c.topics),
    ]),
  ];
}

let instanceCounter = 0;

/**
 * Boots a service: creates the topics it touches, builds its Nest app, connects its
 * projections and consumer groups as microservices, starts them and listens.
 */
export interface ServiceListener {
  host: string;
  port: number;
  /** Serves the process's metrics on this port, apart from the HTTP port; 0 picks a free one. */
  metricsPort?: number;
}

/** Callers in the same process reach the service through its app (an in-process transport). */
export const IN_PROCESS = 'in-process';

export async function startService(
  definition: ServiceDefinition,
  infra: ServiceInfrastructure,
  http: ServiceListener,
): Promise<RunningService>;
export async function startService(
  definition: ServiceDefinition,
  infra: ServiceInfrastructure,
  http: typeof IN_PROCESS,
): Promise<StartedService>;
export async function startService(
  definition: ServiceDefinition,
  infra: ServiceInfrastructure,
  http: ServiceListener | typeof IN_PROCESS,
): Promise<StartedService & { url?: string }> {
  const listener = http === IN_PROCESS ? undefined : http;
  const topics = topicsOf(definition).flatMap((key) => {
    const name = infra.topicName(key);
    return [
      { name, partitions: infra.partitions, retentionMs: -1 },
      { name: dlqOf(name), partitions: 1, retentionMs: -1 },
    ];
  });
  await infra.bus.ensureTopics(topics);

  const app = await createHttpApp(definition.module(infra), {
    service: definition.name,
    logger: infra.logger,
    ...(definition.bodyLimit ? { bodyLimit: definition.bodyLimit } : {}),
    ...(definition.trustProxy === undefined ? {} : { trustProxy: definition.trustProxy }),
  });
  const groups: RunningService['groups'] = [];
  for (const { projection, groupId, topics } of projectionFeeds(definition, infra)) {
    groups.push({ groupId, topics });
    app.connectMicroservice(
      {
        strategy: new ProjectionServer({
          ...recorder(definition.name, groupId),
          service: definition.name,
          projection,
          bus: infra.bus,
          readModels: infra.readModels,
          context: projectionContext(definition, infra),
          topicName: (key) => infra.topicName(key),
          logger: infra.logger,
        }),
      },
      { inheritAppConfig: true },
    );
  }
  for (const group of definition.consumers) {
    instanceCounter += 1;
    const groupId = group.perInstance
      ? `parley-${definition.name}.${group.name}.${process.pid}-${instanceCounter}-${Date.now().toString(36)}`
      : consumerGroupId(definition, group);
    groups.push({ groupId, topics: group.topics.map((key) => infra.topicName(key)) });
    app.connectMicroservice(
      {
        strategy: new EventBusServer({
          ...recorder(definition.name, groupId),
          transportId: group.transportId,
          groupId,
          topics: group.topics.map((key) => infra.topicName(key)),
          bus: infra.bus,
          fromBeginning: group.fromBeginning ?? true,
          ...(group.fromTime ? { fromTime: group.fromTime() } : {}),
          ...(group.perInstance ? { volatileOffsets: true } : {}),
          logger: infra.logger,
        }),
      },
      { inheritAppConfig: true },
    );
  }
  let url: string | undefined;
  let metricsServer: MetricsServer | undefined;
  const lagTimer = monitorLag(definition.name, infra.bus, groups);
  // Fastify's own close, which runs whether or not the app listened.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onClose', async () => {
      clearInterval(lagTimer);
      await metricsServer?.close();
    });
  try {
    await definition.configure?.(app, infra);
    await app.startAllMicroservices();
    if (listener?.metricsPort !== undefined)
      metricsServer = await startMetricsServer(listener.host, listener.metricsPort);
    if (listener) url = (await listen(app, listener.host, listener.port)).url;
    else await app.init();
  } catch (error) {
    // Consumers that did join leave again, so that a new attempt starts from nothing.
    await app.close().catch(() => undefined);
    await metricsServer?.close();
    throw error;
  }
  return {
    app,
    ...(url !== undefined ? { url } : {}),
    infra,
    groups,
    ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
  };
}
