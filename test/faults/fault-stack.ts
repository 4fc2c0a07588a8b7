import { createInterface } from 'node:readline';
import { type TopicKey, TOPICS, dlqOf, topicName } from '@parley/contracts';
import { KafkaMessageBus } from '@parley/messaging';
import { connectMongo, sharedConsumerGroups } from '@parley/platform';
import { projectionGroupId } from '@parley/readmodel';
import {
  type ServiceProcess,
  eventually,
  levelAtLeast,
  restartablePort,
  spawnServiceProcess,
} from '@parley/testing';
import { Kafka, logLevel } from 'kafkajs';
import { ACCOUNTS_DIRECTORY } from '../../apps/gateway/src/identity/accounts.projection';
import { definitionOf } from '../ops/consumer-groups';

export type App = 'gateway' | 'posts' | 'comments' | 'notifications';
export const APPS: readonly App[] = ['posts', 'comments', 'notifications', 'gateway'];
export const TOPIC_KEYS = Object.keys(TOPICS) as TopicKey[];

/** Links in mail point here; the driver follows them on the gateway. */
export const PUBLIC_BASE_URL = 'https://blog.example';
const JWT_SECRET = 'fault-injection-jwt-secret-0123456789abcdef';
const TOKEN_SECRET = 'fault-injection-link-secret-0123456789abcdef';

export interface DeadLetter {
  group: string;
  type: string;
  subject: string;
  error: string;
}

export interface FaultStackOptions {
  kafkaBrokers: string[];
  /** A connection string for a database of its own; called once per app (restarts keep it). */
  mongoUri(label: string): string;
  smtpUrl: string;
  topicPrefix: string;
  /** Extra environment of one app. */
  env?: Partial<Record<App, Record<string, string>>>;
}

/**
 * The four services as operators run them, each its own OS process on fixed ports (so a
 * restarted one is found where it was), sharing one topic prefix. The faults are done to
 * the processes: SIGKILL and restart, SIGSTOP / SIGCONT.
 */
export class FaultStack {
  private readonly processes = new Map<App, ServiceProcess>();
  private readonly logTail = new Map<App, string[]>();
  readonly bus: KafkaMessageBus;
  private readonly kafka: Kafka;
  private readers = 0;
  /** SIGKILLs and SIGSTOPs done to the processes. */
  readonly signals: { kill: number; stop: number } = { kill: 0, stop: 0 };

  private constructor(
    readonly options: FaultStackOptions,
    private readonly envs: Record<App, Record<string, string>>,
    readonly url: string,
    /** The gateway's internal listener, where an account's sealed address and name open. */
    readonly identityUrl: string,
  ) {
    this.kafka = new Kafka({
      clientId: 'fault-tests',
      brokers: options.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    this.bus = new KafkaMessageBus(this.kafka, {
      consumerMaxWaitMs: 20,
      groupPrefix: options.topicPrefix,
    });
  }

  static async start(options: FaultStackOptions): Promise<FaultStack> {
    const ports = Object.fromEntries(
      await Promise.all(APPS.map(async (app) => [app, await restartablePort()] as const)),
    ) as Record<App, number>;
    const at = (app: App) => `http://127.0.0.1:${ports[app]}`;
    // The gateway's internal listener, where the services open an account's sealed address and name.
    const internalPort = await restartablePort();
    const identityUrl = `http://127.0.0.1:${internalPort}`;
    const common = (app: App): Record<string, string> => ({
      HOST: '127.0.0.1',
      PORT: String(ports[app]),
      KAFKA_BROKERS: options.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: options.topicPrefix,
      KAFKA_TOPIC_PARTITIONS: '3',
      MONGODB_URI: options.mongoUri(`faults_${app}`),
      SHUTDOWN_GRACE_MS: '4000',
    });
    const envs: Record<App, Record<string, string>> = {
      posts: { ...common('posts'), IDENTITY_URL: identityUrl, ...options.env?.posts },
      comments: { ...common('comments'), IDENTITY_URL: identityUrl, ...options.env?.comments },
      notifications: {
        ...common('notifications'),
        IDENTITY_URL: identityUrl,
        // Guests' sealed names and addresses are opened by the comments service.
        COMMENTS_URL: at('comments'),
        SMTP_URL: options.smtpUrl,
        TOKEN_SECRET,
        PUBLIC_BASE_URL,
        MAIL_FROM: 'Parley <notifications@blog.example>',
        // A mail the SMTP server refused for now is tried again within seconds, not a minute.
        DELIVERY_RETRY_BASE_MS: '1000',
        ...options.env?.notifications,
      },
      gateway: {
        ...common('gateway'),
        POSTS_URL: at('posts'),
        COMMENTS_URL: at('comments'),
        NOTIFICATIONS_URL: at('notifications'),
        INTERNAL_PORT: String(internalPort),
        SERVICE_TIMEOUT_MS: '4000',
        JWT_SECRET,
        SMTP_URL: options.smtpUrl,
        PUBLIC_BASE_URL,
        MAIL_FROM: 'Parley <accounts@blog.example>',
        ACCESS_TOKEN_TTL_SECONDS: '3600',
        RATE_LIMIT_PER_MINUTE: '100000',
        RATE_LIMIT_WRITES_PER_MINUTE: '100000',
        ...options.env?.gateway,
      },
    };
    const stack = new FaultStack(options, envs, at('gateway'), identityUrl);
    try {
      // The services need nothing of each other to start; the gateway only their addresses.
      await Promise.all(APPS.map((app) => stack.spawn(app)));
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** The database an app keeps its event store and read models in. */
  mongoUri(app: App): string {
    const uri = this.envs[app].MONGODB_URI;
    if (!uri) throw new Error(`${app} has no database`);
    return uri;
  }

  process(app: App): ServiceProcess {
    const running = this.processes.get(app);
    if (!running) throw new Error(`${app} is not running`);
    return running;
  }

  /** kill -9: no drain, no offset commit, no relay flush. */
  async kill(app: App): Promise<void> {
    this.signals.kill += 1;
    await this.process(app).kill();
    this.processes.delete(app);
  }

  /** Starts the app again with the same environment, port and database. */
  async restart(app: App): Promise<void> {
    await this.spawn(app);
  }

  /** SIGSTOP: the process keeps its connections and sockets but does nothing until resumed. */
  pause(app: App): void {
    this.signals.stop += 1;
    this.process(app).child.kill('SIGSTOP');
  }

  resume(app: App): void {
    this.process(app).child.kill('SIGCONT');
  }

  /** Fails if a process died by itself (a fault test must see crashes it did not cause). */
  assertAlive(): void {
    for (const [app, running] of this.processes) {
      if (running.child.exitCode !== null || running.child.signalCode !== null)
        throw new Error(
          `${app} exited by itself (${running.child.exitCode ?? running.child.signalCode}):\n${this.logs(app).slice(-30).join('\n')}`,
        );
    }
  }

  /** The last lines an app logged (across restarts). */
  logs(app: App): string[] {
    return this.logTail.get(app) ?? [];
  }

  /** Errors the apps logged, each once, with the first lines of their stack. */
  errors(): string[] {
    const seen = new Set<string>();
    for (const app of APPS) {
      for (const line of this.logs(app)) {
        try {
          const entry = JSON.parse(line) as {
            level?: string;
            msg?: string;
            err?: { stack?: string };
          };
          if (!levelAtLeast(entry.level, 'error')) continue;
          const stack = (entry.err?.stack ?? '').split('\n').slice(0, 8).join('\n    ');
          seen.add(`${app}: ${entry.msg ?? '?'}\n    ${stack}`);
        } catch {
          // Not a log line.
        }
      }
    }
    return [...seen].slice(0, 10);
  }

  /** Warnings and errors the apps logged, as `app: msg` once each, with how often. */
  problems(): string[] {
    const counts = new Map<string, number>();
    for (const app of APPS) {
      for (const line of this.logs(app)) {
        try {
          const entry = JSON.parse(line) as { level?: string; msg?: string };
          if (!levelAtLeast(entry.level, 'warn')) continue;
          const key = `${app}: ${entry.msg ?? '?'}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        } catch {
          // Not a log line.
        }
      }
    }
    return [...counts].map(([key, n]) => `${key} (${n}×)`);
  }

  topic(key: TopicKey): string {
    return topicName(key, this.options.topicPrefix);
  }

  /** Messages on each topic (the end offsets, summed over partitions). */
  async topicSizes(topics: readonly string[]): Promise<Record<string, number>> {
    const sizes: Record<string, number> = {};
    for (const topic of topics) {
      const ends = await this.bus.topicOffsets(topic);
      sizes[topic] = ends.reduce((sum, p) => sum + Number(p.high), 0);
    }
    return sizes;
  }

  async eventCount(): Promise<number> {
    const sizes = await this.topicSizes(TOPIC_KEYS.map((k) => this.topic(k)));
    return Object.values(sizes).reduce((a, b) => a + b, 0);
  }

  /** Dead-lettered messages per DLQ topic, only those that hold any. */
  async deadLetters(): Promise<Record<string, number>> {
    const sizes = await this.topicSizes(TOPIC_KEYS.map((k) => dlqOf(this.topic(k))));
    return Object.fromEntries(Object.entries(sizes).filter(([, n]) => n > 0));
  }

  /** Every dead-lettered message: the group that gave up on it, its type, subject and error. */
  async deadLettered(): Promise<DeadLetter[]> {
    const sizes = await this.deadLetters();
    const expected = Object.values(sizes).reduce((a, b) => a + b, 0);
    const found: DeadLetter[] = [];
    if (expected === 0) return found;
    this.readers += 1;
    const consumer = this.kafka.consumer({
      groupId: `${this.options.topicPrefix}.dlq-reader-${this.readers}`,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: Object.keys(sizes), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const header = (name: string) => message.headers?.[name]?.toString() ?? '?';
          found.push({
            group: header('x-dlq-consumer-group'),
            type: header('ce_type'),
            subject: header('ce_subject'),
            error: header('x-dlq-error'),
          });
        },
      });
      await eventually(() => (found.length >= expected ? true : undefined), {
        timeoutMs: 20_000,
        message: 'the dead-lettered messages',
      });
    } finally {
      await consumer.disconnect();
    }
    return found;
  }

  /** Per shared consumer group: messages on its topics that it has not committed yet. */
  async lag(): Promise<Record<string, number>> {
    const lags: Record<string, number> = {};
    for (const [groupId, partitions] of Object.entries(await this.lagByPartition()))
      lags[groupId] = Object.values(partitions).reduce((sum, n) => sum + n, 0);
    return lags;
  }

  /** Per shared consumer group, its uncommitted messages by `topic:partition`. */
  async lagByPartition(): Promise<Record<string, Record<string, number>>> {
    const lags: Record<string, Record<string, number>> = {};
    const groups = [
      {
        groupId: projectionGroupId('gateway', ACCOUNTS_DIRECTORY.name, 1),
        topics: ACCOUNTS_DIRECTORY.topics,
      },
      ...(['posts', 'comments', 'notifications'] as const).flatMap((app) =>
        sharedConsumerGroups(definitionOf(app)),
      ),
    ];
    for (const group of groups) {
      const partitions: Record<string, number> = {};
      for (const key of group.topics) {
        const topic = this.topic(key);
        const [ends, committed] = await Promise.all([
          this.bus.topicOffsets(topic),
          this.bus.groupOffsets(group.groupId, topic),
        ]);
        for (const end of ends) {
          const at = Number(committed.find((c) => c.partition === end.partition)?.high ?? -1);
          partitions[`${topic}:${end.partition}`] = Number(end.high) - Math.max(0, at);
        }
      }
      lags[group.groupId] = partitions;
    }
    return lags;
  }

  /**
   * Waits until every group has handled everything on its topics and nothing new arrived
   * for a while: the relays have published what was appended and the consumers caught up.
   */
  async quiesce(timeoutMs = 60_000, quietMs = 1_500): Promise<void> {
    let last = '';
    let since = Date.now();
    await eventually(
      async () => {
        this.assertAlive();
        const lags = await this.lagByPartition();
        const ends = JSON.stringify(await this.topicSizes(TOPIC_KEYS.map((k) => this.topic(k))));
        // Which partitions of which group: a member that stopped and a commit that never came
        // look alike in a total.
        const behind = Object.entries(lags).flatMap(([group, partitions]) => {
          const late = Object.entries(partitions).filter(([, n]) => n > 0);
          return late.length > 0 ? [[group, Object.fromEntries(late)] as const] : [];
        });
        if (ends !== last || behind.length > 0) {
          last = ends;
          since = Date.now();
          if (behind.length > 0) throw new Error(`consumers behind: ${JSON.stringify(behind)}`);
          return undefined;
        }
        return Date.now() - since >= quietMs ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, message: 'the platform to go quiet' },
    );
  }

  /** Drops the services' databases (a private server keeps its data between runs otherwise). */
  async dropDatabases(): Promise<void> {
    for (const app of APPS) {
      const connection = await connectMongo(this.mongoUri(app));
      await connection.dropDatabase().finally(() => connection.close());
    }
  }

  async stop(): Promise<void> {
    // The gateway first, as a rollout would; SIGTERM, then SIGKILL if the drain hangs.
    for (const app of [...APPS].reverse()) {
      const running = this.processes.get(app);
      if (!running) continue;
      running.child.kill('SIGCONT');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        running.stop(),
        new Promise<void>((resolve) => {
          timer = setTimeout(() => void running.kill().then(resolve), 8_000);
        }),
      ]);
      clearTimeout(timer);
      this.processes.delete(app);
    }
    await this.bus.close();
  }

  private async spawn(app: App): Promise<void> {
    const running = await spawnServiceProcess(app, this.envs[app], 90_000);
    const tail = this.logTail.get(app) ?? [];
    this.logTail.set(app, tail);
    if (running.child.stdout)
      createInterface({ input: running.child.stdout }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 5_000) tail.splice(0, tail.length - 5_000);
      });
    // A test worker that dies must not leave services behind.
    const reap = () => running.child.kill('SIGKILL');
    process.once('exit', reap);
    running.child.once('exit', () => process.removeListener('exit', reap));
    this.processes.set(app, running);
  }
}
