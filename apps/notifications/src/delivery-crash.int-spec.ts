import type { Actor, InboxResponse, NotificationWhy } from '@parley/contracts';
import { topicName } from '@parley/contracts';
import { KafkaMessageBus } from '@parley/messaging';
import {
  MailCatcher,
  type ServiceProcess,
  describeInfra,
  eventually,
  sleep,
  spawnServiceProcess,
  testInfra,
  uniqueName,
} from '@parley/testing';
import { Kafka, logLevel } from 'kafkajs';
import { Blog } from './testing/blog';

jest.setTimeout(180_000);

const DELIVERY_GROUP = 'parley-notifications.delivery';

describeInfra('a crash of the notifications process between SMTP and the offset commit', () => {
  let smtp: MailCatcher;
  let bus: KafkaMessageBus;
  let service: ServiceProcess | undefined;
  let env: Record<string, string>;
  let prefix: string;

  beforeAll(async () => {
    smtp = await new MailCatcher().start();
    prefix = uniqueName('crash').replace(/[^a-zA-Z0-9._-]/g, '-');
    env = {
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      MONGODB_URI: testInfra().mongoUri('notifications_crash'),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_TOPIC_PARTITIONS: '3',
      SMTP_URL: smtp.url,
      TOKEN_SECRET: 'crash-test-token-secret-0123456789',
      // No comments service runs: the comment events here carry plaintext, which needs no opening.
      COMMENTS_URL: 'http://127.0.0.1:9',
      // Nor does a gateway: the account events here carry plaintext too.
      IDENTITY_URL: 'http://127.0.0.1:9',
      PUBLIC_BASE_URL: 'https://blog.example',
      PORT: '0',
      HOST: '127.0.0.1',
    };
    bus = new KafkaMessageBus(
      new Kafka({
        clientId: 'crash-test',
        brokers: testInfra().kafkaBrokers,
        logLevel: logLevel.NOTHING,
      }),
      // Group ids carry the topic prefix, as the service's own bus gives them.
      { consumerMaxWaitMs: 20, groupPrefix: prefix },
    );
  });

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await smtp?.stop();
  });

  /** Per partition: how far the delivery group has committed, against the end of the topic. */
  async function deliveryLag(): Promise<number> {
    if (service && service.child.exitCode !== null)
      throw new Error(`the notifications process exited with ${service.child.exitCode}`);
    const topic = topicName('notifications', prefix);
    const [ends, committed] = await Promise.all([
      bus.topicOffsets(topic),
      bus.groupOffsets(DELIVERY_GROUP, topic),
    ]);
    return ends.reduce((lag, end) => {
      const at = committed.find((c) => c.partition === end.partition)?.high ?? '-1';
      return lag + Number(end.high) - Math.max(0, Number(at));
    }, 0);
  }

  it('sends no second mail after a restart, and later notifications still arrive', async () => {
    service = await spawnServiceProcess('notifications', env);
    const blog = new Blog(bus, (key) => topicName(key, prefix));
    const author = `e-${Date.now().toString(36)}`;
    const reader = `a-${Date.now().toString(36)}`;
    await blog.account(author);
    await blog.account(reader);
    const post = blog.id('post');
    await blog.publishPost(post, author);
    const authorMail = `${author}@example.com`;

    const warmUp = await blog.comment({ postId: post, author: { accountId: reader } });
    await eventually(() => (smtp.about(warmUp.id).length === 1 ? true : undefined), {
      timeoutMs: 60_000,
    });

    // The SMTP server has accepted the mail (its 250 is on the wire): the process dies right there.
    const running = service;
    smtp.onAccepted = () => {
      smtp.onAccepted = undefined;
      running.child.kill('SIGKILL');
    };
    const crashed = await blog.comment({ postId: post, author: { accountId: reader } });
    await eventually(() => (running.child.signalCode === 'SIGKILL' ? true : undefined), {
      timeoutMs: 60_000,
    });
    expect(smtp.about(crashed.id).map((m) => m.to)).toEqual([[authorMail]]);
    // Its offset was not committed: the restarted process is handed the notification again.
    expect(await deliveryLag()).toBeGreaterThan(0);

    service = await spawnServiceProcess('notifications', env);
    await eventually(async () => ((await deliveryLag()) === 0 ? true : undefined), {
      timeoutMs: 90_000,
      intervalMs: 500,
    });
    await sleep(1_000);
    expect(smtp.about(crashed.id)).toHaveLength(1);

    const later = await blog.comment({ postId: post, author: { accountId: reader } });
    await eventually(() => (smtp.about(later.id).length === 1 ? true : undefined), {
      timeoutMs: 60_000,
    });
    expect(smtp.about(crashed.id)).toHaveLength(1);

    // The ledger tells the recipient what happened to the interrupted mail.
    const as: Actor = { accountId: author, displayName: author, roles: ['author'] };
    const headers = { 'x-parley-actor': Buffer.from(JSON.stringify(as)).toString('base64url') };
    const inbox = (await (
      await fetch(`${service.url}/v1/notifications`, { headers })
    ).json()) as InboxResponse;
    const item = inbox.items.find(
      (i) => i.subject.kind === 'comment' && i.subject.commentId === crashed.id,
    );
    const why = (await (
      await fetch(`${service.url}/v1/notifications/${item?.id}/why`, { headers })
    ).json()) as NotificationWhy;
    const email = why.channels.find((c) => c.channel === 'email');
    expect(['sent', 'failed']).toContain(email?.state);
    if (email?.state === 'failed') expect(email.reason).toContain('not sent again');
  });
});
