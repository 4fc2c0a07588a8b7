import type {
  Actor,
  InboxResponse,
  MailboxResponse,
  NotificationWhy,
  PausedView,
  SubscriptionView,
} from '@parley/contracts';
import { MemoryMailbox } from '@parley/mail';
import { type ServiceHarness, eventually, startServiceHarness } from '@parley/testing';
import { notificationsService } from './notifications.service';
import { Blog } from './testing/blog';

jest.setTimeout(60_000);

const actor = (accountId: string): Actor => ({
  accountId,
  displayName: accountId,
  roles: ['reader'],
});

describe('the notifications service embedded, mailing into its in-memory mailbox', () => {
  let harness: ServiceHarness;
  let blog: Blog;

  beforeAll(async () => {
    harness = await startServiceHarness(
      notificationsService({
        mailer: new MemoryMailbox(),
        from: 'Parley <notifications@parley.localhost>',
        tokenSecret: 'embedded-token-secret-0123456789',
        publicBaseUrl: 'http://localhost:3000',
      }),
      'embedded',
    );
    blog = new Blog(harness.infra.bus, (key) => harness.infra.topicName(key));
  });

  afterAll(async () => {
    await harness?.close();
  });

  const mailbox = async () =>
    (await harness.request<MailboxResponse>('GET', '/v1/dev/mailbox')).body.messages;

  it('lists what was sent for /dev/mailbox: a guest subscribing gets the confirmation mail', async () => {
    const subscribed = await harness.request<SubscriptionView>('POST', '/v1/subscriptions', {
      kind: 'blog',
      email: 'Reader@Example.org',
    });
    expect(subscribed.status).toBe(201);
    expect(subscribed.body.status).toBe('pending-confirmation');
    const confirmation = await eventually(async () =>
      (await mailbox()).find((m) => m.to === 'reader@example.org'),
    );
    expect(confirmation.subject).toBe('Confirm your subscription');
    expect(confirmation.text).toContain(
      'http://localhost:3000/api/v1/subscriptions/confirm?token=',
    );

    // A second request within the cool-down sends no second confirmation.
    await harness.request('POST', '/v1/subscriptions', {
      kind: 'blog',
      email: 'reader@example.org',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await mailbox()).filter((m) => m.to === 'reader@example.org')).toHaveLength(1);
  });

  it('pauses an account: the inbox still shows the notification, no mail goes out, and the ledger says why', async () => {
    const author = `pa-${Date.now().toString(36)}`;
    const reader = `pr-${Date.now().toString(36)}`;
    await blog.account(author);
    await blog.account(reader);
    const post = blog.id('post');
    await blog.publishPost(post, author);

    const paused = await harness.request<PausedView>(
      'POST',
      '/v1/subscriptions/pause',
      { days: 2 },
      actor(author),
    );
    expect(paused.status).toBe(200);
    expect(paused.body.pausedUntil).not.toBeNull();

    const comment = await blog.comment({ postId: post, author: { accountId: reader } });
    const item = await eventually(async () => {
      const inbox = await harness.request<InboxResponse>(
        'GET',
        '/v1/notifications',
        undefined,
        actor(author),
      );
      return inbox.body.items.find(
        (i) => i.subject.kind === 'comment' && i.subject.commentId === comment.id,
      );
    });
    expect(item.reason).toBe('post-author');
    const email = await eventually(async () => {
      const why = await harness.request<NotificationWhy>(
        'GET',
        `/v1/notifications/${item.id}/why`,
        undefined,
        actor(author),
      );
      const channel = why.body.channels.find((c) => c.channel === 'email');
      return channel?.state === 'suppressed' ? channel : undefined;
    });
    expect(email.reason).toBe('paused');
    expect((await mailbox()).filter((m) => m.to === `${author}@example.com`)).toEqual([]);

    const resumed = await harness.request<PausedView>(
      'POST',
      '/v1/subscriptions/resume',
      undefined,
      actor(author),
    );
    expect(resumed.body.pausedUntil).toBeNull();
    const next = await blog.comment({ postId: post, author: { accountId: reader } });
    await eventually(async () =>
      (await mailbox()).find(
        (m) => m.to === `${author}@example.com` && m.text.includes(`#comment-${next.id}`),
      ),
    );
  });
});
