import { topicName } from '@parley/contracts';
import { KafkaMessageBus, kafkaGroupId } from '@parley/messaging';
import { sharedConsumerGroups } from '@parley/platform';
import {
  MailCatcher,
  type ServiceProcess,
  describeInfra,
  eventually,
  levelAtLeast,
  sleep,
  spawnServiceProcess,
  testInfra,
  uniqueName,
} from '@parley/testing';
import { type Admin, AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { createInterface } from 'node:readline';
import { Blog } from '../../apps/notifications/src/testing/blog';
import { definitionOf } from './consumer-groups';

jest.setTimeout(240_000);

const PARTITIONS = 6;
/** As deployed (k8s/base): the drain must fit in it even on a busy machine. */
const GRACE_MS = 20_000;
const REPLIES = 30;
const TERMINATE_AFTER = 10;

interface LogLine {
  msg?: string;
  groupId?: string;
  uncommitted?: number;
  aborted?: boolean;
  /** The level's label, as the services log it. */
  level?: string;
  err?: { message?: string };
}

/** The JSON log lines a child process writes, as they come. */
function collectLogs(process: ServiceProcess): LogLine[] {
  const lines: LogLine[] = [];
  createInterface({ input: process.child.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // Not a log line.
    }
  });
  return lines;
}

/** Values of a Prometheus series whose labels include the given ones. */
function valuesOf(text: string, name: string, labels: Record<string, string>): number[] {
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith(`${name}{`) &&
        Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)),
    )
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
}

describeInfra('scale-in of the notifications service: SIGTERM to one of two replicas', () => {
  let smtp: MailCatcher;
  let bus: KafkaMessageBus;
  let admin: Admin;
  let prefix: string;
  let env: Record<string, string>;
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    smtp = await new MailCatcher().start();
    prefix = uniqueName('scale-in').replace(/[^a-zA-Z0-9._-]/g, '-');
    env = {
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      MONGODB_URI: testInfra().mongoUri('notifications_scale_in'),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      SMTP_URL: smtp.url,
      TOKEN_SECRET: 'scale-in-test-token-secret-0123456789',
      // No comments service runs: the comment events here carry plaintext, which needs no opening.
      COMMENTS_URL: 'http://127.0.0.1:9',
      // Nor does a gateway: the account events here carry plaintext too.
      IDENTITY_URL: 'http://127.0.0.1:9',
      PUBLIC_BASE_URL: 'https://blog.example',
      PORT: '0',
      HOST: '127.0.0.1',
    };
    const kafka = new Kafka({
      clientId: 'scale-in-test',
      brokers: testInfra().kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    bus = new KafkaMessageBus(kafka, { consumerMaxWaitMs: 20, groupPrefix: prefix });
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await admin?.disconnect();
    await bus?.close();
    await smtp?.stop();
  });

  /** Every shared group of the service, as the cluster names it, with its topics. */
  const groups = () =>
    sharedConsumerGroups(definitionOf('notifications')).map((g) => ({
      groupId: kafkaGroupId(g.groupId, prefix),
      topics: g.topics.map((t) => topicName(t, prefix)),
    }));

  /** Per group: the partitions each member holds, as `topic:partition` lists. */
  async function memberships(): Promise<Map<string, string[][]>> {
    const { groups: described } = await admin.describeGroups(groups().map((g) => g.groupId));
    return new Map(
      described.map((group) => [
        group.groupId,
        group.state === 'Stable'
          ? group.members.map((member) => {
              const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
              return Object.entries(decoded?.assignment ?? {}).flatMap(([topic, partitions]) =>
                partitions.map((p) => `${topic}:${p}`),
              );
            })
          : [],
      ]),
    );
  }

  /** Mail about exactly this comment (`about` would also match ids it is a prefix of). */
  const mailsAbout = (commentId: string) =>
    smtp.about(commentId).filter((m) => new RegExp(`#comment-${commentId}(?![\\w-])`).test(m.text));

  async function deliveryLag(): Promise<number> {
    const topic = topicName('notifications', prefix);
    const [ends, committed] = await Promise.all([
      bus.topicOffsets(topic),
      bus.groupOffsets('parley-notifications.delivery', topic),
    ]);
    return ends.reduce((lag, end) => {
      const at = committed.find((c) => c.partition === end.partition)?.high ?? '-1';
      return lag + Number(end.high) - Math.max(0, Number(at));
    }, 0);
  }

  it('drains the leaving replica, sends every mail once and hands its partitions to the survivor', async () => {
    const leaving = await spawnServiceProcess('notifications', env);
    processes.push(leaving);
    const leavingLogs = collectLogs(leaving);
    const survivor = await spawnServiceProcess('notifications', env);
    processes.push(survivor);

    // Both replicas hold a share of every group before the stream starts.
    await eventually(
      async () => {
        const now = await memberships();
        return groups().every(
          (g) => now.get(g.groupId)?.length === 2 && now.get(g.groupId)!.every((m) => m.length > 0),
        )
          ? true
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, message: 'two members in every group' },
    );

    const blog = new Blog(bus, (key) => topicName(key, prefix));
    const author = `e-${Date.now().toString(36)}`;
    const reader = `r-${Date.now().toString(36)}`;
    await blog.account(author);
    await blog.account(reader);
    const post = blog.id('post');
    await blog.publishPost(post, author);
    const root = await blog.comment({ postId: post, author: { accountId: author } });

    let terminatedAt = 0;
    let firstNotReadyAt = 0;
    // 'close' rather than 'exit': by then every line the process wrote has been read.
    const exit = new Promise<{ code: number | null; at: number }>((resolve) =>
      leaving.child.once('close', (code) => resolve({ code, at: Date.now() })),
    );
    /** Polls the leaving replica's readiness until its listener closes. */
    const watchReadiness = async (): Promise<number[]> => {
      const statuses: number[] = [];
      for (;;) {
        try {
          const response = await fetch(`${leaving.url}/health/ready`);
          statuses.push(response.status);
          if (response.status === 503 && !firstNotReadyAt) firstNotReadyAt = Date.now();
        } catch {
          return statuses;
        }
        await sleep(50);
      }
    };

    const replies: string[] = [];
    let readiness: Promise<number[]> | undefined;
    for (let i = 0; i < REPLIES; i += 1) {
      const reply = await blog.comment({
        postId: post,
        parent: root,
        author: { accountId: reader },
      });
      replies.push(reply.id);
      if (i === TERMINATE_AFTER - 1) {
        // Mid-stream, with mails of earlier replies still on their way.
        terminatedAt = Date.now();
        leaving.child.kill('SIGTERM');
        readiness = watchReadiness();
      }
      await sleep(200);
    }

    const { code, at: exitedAt } = await exit;
    const statuses = await readiness!;
    // Errors the leaving replica logged explain an unclean exit.
    const errors = leavingLogs
      .filter((l) => levelAtLeast(l.level, 'error'))
      .map((l) => `${l.msg ?? ''}${l.err?.message ? `: ${l.err.message}` : ''}`);
    // An error thrown outside the logger (an uncaught one) only shows on stderr.
    if (leaving.stderr().trim()) errors.push(leaving.stderr().trim());
    expect({ code, errors }).toEqual({ code: 0, errors: [] });
    expect(exitedAt - terminatedAt).toBeLessThan(GRACE_MS);
    // Readiness went 503 before the process let go of anything.
    expect(statuses).toContain(503);
    expect(firstNotReadyAt).toBeGreaterThan(terminatedAt);
    expect(firstNotReadyAt).toBeLessThan(exitedAt);
    // Each consumer finished its batch, committed and left its group.
    const left = leavingLogs.filter((l) => l.msg === 'left the consumer group');
    expect(left.map((l) => l.groupId).sort()).toEqual(
      groups()
        .map((g) => g.groupId)
        .sort(),
    );
    expect(left.every((l) => l.uncommitted === 0 && l.aborted === false)).toBe(true);
    expect(leavingLogs.some((l) => l.msg === 'shut down cleanly')).toBe(true);

    const authorMail = `${author}@example.com`;
    await eventually(() => (replies.every((id) => mailsAbout(id).length > 0) ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 250,
      message: 'a mail for every reply',
    });
    await eventually(async () => ((await deliveryLag()) === 0 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    // A duplicate would come from a redelivery, right after the hand-over: give it a moment.
    await sleep(1_000);
    for (const id of replies) expect(mailsAbout(id).map((m) => m.to)).toEqual([[authorMail]]);

    // The survivor alone holds every partition of every group.
    const after = await eventually(
      async () => {
        const now = await memberships();
        return groups().every((g) => now.get(g.groupId)?.length === 1) ? now : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'one member in every group' },
    );
    for (const group of groups()) {
      const expected = group.topics
        .flatMap((topic) => Array.from({ length: PARTITIONS }, (_, p) => `${topic}:${p}`))
        .sort();
      expect(after.get(group.groupId)?.[0]?.sort()).toEqual(expected);
    }
    expect(survivor.child.exitCode).toBeNull();
    expect((await fetch(`${survivor.url}/health/ready`)).status).toBe(200);

    // The survivor's metrics tell the same story, per channel and per topic.
    const notificationsTopic = topicName('notifications', prefix);
    const scrape = async () => (await fetch(`${survivor.metricsUrl}/metrics`)).text();
    const sent = valuesOf(await scrape(), 'parley_notifications_total', {
      channel: 'email',
      outcome: 'sent',
    });
    expect(sent.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const text = await eventually(
      async () => {
        const now = await scrape();
        // Lag is sampled every 15 s.
        return valuesOf(now, 'parley_consumer_lag_messages', { topic: notificationsTopic }).length >
          0
          ? now
          : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 1_000, message: 'a consumer lag sample' },
    );
    expect(
      valuesOf(text, 'parley_consumer_processing_ms_count', { topic: notificationsTopic }).some(
        (v) => v > 0,
      ),
    ).toBe(true);
    // The survivor's relay takes over publishing once the leaving replica's lease is gone: a
    // reply written now is handled, recorded and published by the survivor alone.
    const last = await blog.comment({ postId: post, parent: root, author: { accountId: reader } });
    await eventually(() => (mailsAbout(last.id).length > 0 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
      message: 'a mail for the reply written after the hand-over',
    });
    expect(mailsAbout(last.id).map((m) => m.to)).toEqual([[authorMail]]);
    await eventually(
      async () =>
        valuesOf(await scrape(), 'parley_relay_lag_ms', { service: 'notifications' }).length === 1
          ? true
          : undefined,
      { timeoutMs: 45_000, intervalMs: 1_000, message: "the survivor's relay publishing" },
    );
    expect(
      valuesOf(text, 'parley_events_appended_total', {
        type: 'parley.notification.delivered.v1',
      }),
    ).toEqual([expect.any(Number)]);
    expect(valuesOf(text, 'parley_http_request_duration_ms_count', {}).length).toBeGreaterThan(0);
    expect(text).toContain('# TYPE parley_dead_letters_total counter');
  });
});
