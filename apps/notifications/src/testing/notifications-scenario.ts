import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Actor,
  type ChannelLedger,
  COMMENT_PERSONAL_FIELDS,
  ERASED_PERSON_NAME,
  type WebhookCreated,
  type WebhookList,
  type InboxResponse,
  type NotificationsPersonalData,
  type NotificationView,
  type NotificationWhy,
  OPEN_PERSONAL_DATA_PATH,
  type OpenPersonalDataRequest,
  type SubscriptionList,
  type SubscriptionView,
} from '@parley/contracts';
import type { EventStore } from '@parley/eventstore';
import { SmtpMailer } from '@parley/mail';
import { EVENT_STORE } from '@parley/platform';
import { EmbeddedPersonKeyStore, guestPerson, PersonalDataCipher } from '@parley/privacy';
import {
  type CaughtMail,
  type HarnessMode,
  MailCatcher,
  type ServiceHarness,
  eventually as eventuallyWithin,
  sleep,
  startServiceHarness,
  storedEventBytes,
} from '@parley/testing';
import { DeliveryService } from '../delivery/delivery.service';
import { notificationsService } from '../notifications.service';
import { INBOX, type NotificationEntry } from '../inbox/inbox.projection';
import { accountSubscriberId, guestSubscriberId } from '../shared/ids';
import { SUBSCRIPTIONS, type SubscriberEntry } from '../subscriptions/subscriptions.projection';
import { Blog, type CommentRef } from './blog';

const actor = (accountId: string): Actor => ({
  accountId,
  displayName: accountId,
  roles: ['reader'],
});
const email = (accountId: string) => `${accountId}@example.com`;
const admin: Actor = { accountId: 'root', displayName: 'Root', roles: ['admin'] };

/** How long to keep watching for a mail that must not come. */
const QUIET_MS = 1_500;
/** Waits through the broker, generous for a loaded machine. */
const SLOW = { timeoutMs: 60_000 };

/**
 * Waits for a mail or a record that goes through the broker and the store: never less than
 * 60 s, since a test machine running the fault scenarios beside this one took more than 20 s
 * at times.
 */
function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: Parameters<typeof eventuallyWithin>[1] = {},
): Promise<T> {
  return eventuallyWithin(probe, {
    ...options,
    timeoutMs: Math.max(60_000, options.timeoutMs ?? 0),
  });
}

/** A receiver the operator allowed (an intranet one); every other loopback address is refused. */
const ALLOWED_RECEIVER_HOST = '127.0.0.2';
/** Host names of the scenario's resolver: one of them points at this machine. */
const HOSTS: Record<string, string[]> = { 'rebinding.example': ['127.0.0.1'] };

interface ReceivedRequest {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An HTTP receiver on a loopback address that counts what it is sent. */
async function receiver(
  host: string,
  answer: (received: number) => { status: number; headers?: Record<string, string> },
) {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      const { status, headers } = answer(received.length);
      response.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    received,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A webhook delivery is signed with the HMAC of its timestamp and body under the hook's secret. */
function expectSigned(delivery: ReceivedRequest, secret: string) {
  const timestamp = String(delivery.headers['x-parley-webhook-timestamp']);
  const expected = createHmac('sha256', secret)
    .update(`${timestamp}.${delivery.body}`)
    .digest('hex');
  expect(delivery.headers['x-parley-webhook-signature']).toBe(`v1=${expected}`);
}

/**
 * The comments service as far as notifications needs it: its guests' keys, and its route that
 * opens the sealed values of its events.
 */
async function commentsKeeper() {
  const keys = await EmbeddedPersonKeyStore.open();
  const cipher = new PersonalDataCipher(keys);
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== OPEN_PERSONAL_DATA_PATH) {
        response.writeHead(404).end();
        return;
      }
      const { values } = JSON.parse(body) as OpenPersonalDataRequest;
      void cipher.openStoredAll(values).then((opened) =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            values: opened.map((o) =>
              o.status === 'plain' ? { status: 'plain', value: o.value } : { status: o.status },
            ),
          }),
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** A guest author as the comments service's events carry them: name and address sealed. */
    async sealedGuest(name: string, email: string) {
      const sealed = await cipher.sealAll(guestPerson(email), {
        [COMMENT_PERSONAL_FIELDS.authorName]: name,
        [COMMENT_PERSONAL_FIELDS.authorEmail]: email,
      });
      return {
        guestId: `g-sealed-${email.split('@')[0]}`,
        name: sealed[COMMENT_PERSONAL_FIELDS.authorName],
        email: sealed[COMMENT_PERSONAL_FIELDS.authorEmail],
      };
    },
    /** The comments service's erasure of a guest: their key destroyed. */
    erase: (email: string) => keys.destroy(guestPerson(email)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The notifications service on a bus, a store and a real SMTP server: who is mailed for a
 * reply, held comments, double opt-in, one-click unsubscribe, digests, retries, the inbox.
 */
export function notificationsScenario(mode: HarnessMode): void {
  describe(`notifications (${mode})`, () => {
    let smtp: MailCatcher;
    let comments: Awaited<ReturnType<typeof commentsKeeper>>;
    let harness: ServiceHarness;
    let blog: Blog;
    let dataDir: string | undefined;
    let offsetMs = 0;
    const clock = () => new Date(Date.now() + offsetMs);

    beforeAll(async () => {
      smtp = await new MailCatcher().start();
      comments = await commentsKeeper();
      if (mode === 'embedded') dataDir = await mkdtemp(join(tmpdir(), 'parley-notifications-'));
      harness = await startServiceHarness(
        notificationsService({
          commentsUrl: comments.url,
          mailer: new SmtpMailer(smtp.url, 'blog.example'),
          from: 'Parley <notifications@blog.example>',
          tokenSecret: 'scenario-token-secret-0123456789',
          publicBaseUrl: 'https://blog.example',
          delivery: { schedulerIntervalMs: 150, retryBaseDelayMs: 200, maxAttempts: 4 },
          webhooks: {
            allowedNetworks: [`${ALLOWED_RECEIVER_HOST}/32`],
            resolve: (hostname) => {
              const addresses = HOSTS[hostname];
              return addresses
                ? Promise.resolve(addresses)
                : Promise.reject(new Error(`getaddrinfo ENOTFOUND ${hostname}`));
            },
          },
        }),
        mode,
        { clock, ...(dataDir ? { dataDir } : {}) },
      );
      blog = new Blog(harness.infra.bus, (key) => harness.infra.topicName(key));
    });

    afterAll(async () => {
      await harness?.close();
      await smtp?.stop();
      await comments?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    const storedBytes = () => storedEventBytes({ dataDir, mongoUri: harness.mongoUri });

    const subscribe = async (who: string, body: Record<string, unknown>) => {
      const response = await harness.request<SubscriptionView>(
        'POST',
        '/v1/subscriptions',
        body,
        actor(who),
      );
      expect(response.status).toBe(201);
      return response.body;
    };
    const subscriptionsOf = (who: string) =>
      harness.request<SubscriptionList>('GET', '/v1/subscriptions', undefined, actor(who));
    /** Waits until the policy's read model lists the subscription. */
    const listed = (who: string, id: string) =>
      eventually(async () => (await subscriptionsOf(who)).body.items.find((s) => s.id === id));
    /** Turns the webhook channel on for the account's replies and waits until it is listed on. */
    const repliesByWebhook = async (who: string) => {
      const replies = (await subscriptionsOf(who)).body.items.find((s) => s.kind === 'replies');
      const changed = await harness.request<SubscriptionView>(
        'PATCH',
        `/v1/subscriptions/${replies?.id}`,
        { channels: ['in-app', 'webhook'] },
        actor(who),
      );
      expect(changed.status).toBe(200);
      await eventually(async () =>
        (await subscriptionsOf(who)).body.items.some(
          (s) => s.id === replies?.id && s.channels.includes('webhook'),
        )
          ? true
          : undefined,
      );
    };
    /** Follows the link of a double opt-in mail. */
    const confirmFrom = (mail: CaughtMail) => {
      const token = /subscriptions\/confirm\?token=(\S+)/.exec(mail.text)?.[1];
      return harness.request('GET', `/v1/subscriptions/confirm?token=${token}`);
    };
    const subscriberEntry = (subscriberId: string) =>
      harness.infra.readModels
        .db(SUBSCRIPTIONS)
        .collection<SubscriberEntry>('subscribers')
        .findOne({ _id: subscriberId });

    /** A comment by an account on the scenario's post. */
    const commentBy = (
      accountId: string,
      more: Omit<Parameters<Blog['comment']>[0], 'postId' | 'author'> = {},
    ) => blog.comment({ postId: post, author: { accountId }, ...more });

    const mailsTo = (account: string, comment: CommentRef) =>
      smtp.about(comment.id).filter((m) => m.to.includes(email(account)));
    const recipientsOf = (comment: CommentRef) =>
      smtp
        .about(comment.id)
        .flatMap((m) => m.to)
        .sort();
    /** Waits until the account has been mailed once about each of the comments. */
    const mailedOnce = (account: string, ...about: CommentRef[]) =>
      eventually(() => (about.every((c) => mailsTo(account, c).length === 1) ? true : undefined));
    /** Waits until at least `count` readers have been mailed about the comment. */
    const mailedToAtLeast = (comment: CommentRef, count: number) =>
      eventually(() => (recipientsOf(comment).length >= count ? true : undefined), {
        timeoutMs: 15_000,
      });
    const digestsTo = (account: string) =>
      smtp.to(email(account)).filter((m) => m.headers.subject?.includes('digest'));

    const inboxOf = (who: string, query = '') =>
      harness.request<InboxResponse>('GET', `/v1/notifications${query}`, undefined, actor(who));
    const isAbout = (comment: CommentRef) => (item: NotificationView) =>
      item.subject.kind === 'comment' && item.subject.commentId === comment.id;
    /** Waits until the account's inbox holds the notification of the comment. */
    const notificationOf = (
      who: string,
      comment: CommentRef,
      options: { timeoutMs?: number } = {},
    ) => eventually(async () => (await inboxOf(who)).body.items.find(isAbout(comment)), options);
    /** The comment's author as the account's inbox names them. */
    const authorNameShownTo = async (who: string, comment: CommentRef) =>
      (await inboxOf(who)).body.items.find(isAbout(comment))?.subject.authorName;
    const whyOf = (who: string, notificationId: string | undefined) =>
      harness.request<NotificationWhy>(
        'GET',
        `/v1/notifications/${notificationId}/why`,
        undefined,
        actor(who),
      );
    /** Waits until the notification's delivery on the channel is in one of the states. */
    const deliveryIn = (
      who: string,
      notificationId: string,
      channel: ChannelLedger['channel'],
      states: ChannelLedger['state'][],
      options: { timeoutMs?: number } = {},
    ) =>
      eventually(async () => {
        const delivery = (await whyOf(who, notificationId)).body.channels.find(
          (c) => c.channel === channel,
        );
        return delivery && states.includes(delivery.state) ? delivery : undefined;
      }, options);

    let post: string;
    const people = ['a', 'b', 'c', 'd', 'e', 'm'].map((p) => `${p}-${Date.now().toString(36)}`);
    const [A, B, C, D, E, M] = people as [string, string, string, string, string, string];
    let c1: CommentRef;
    let c2: CommentRef;
    let c3: CommentRef;

    it('(a) mails exactly the parent author, the post follower and the post author after a reply, once each', async () => {
      for (const person of [A, B, C, D, E]) await blog.account(person);
      await blog.account(M, { roles: ['moderator'] });
      post = blog.id('post');
      await blog.publishPost(post, E, 'Reply notifications');
      const follow = await subscribe(D, { kind: 'post', targetId: post });
      await listed(D, follow.id);

      c1 = await commentBy(A);
      c2 = await commentBy(B, { parent: c1 });
      await mailedOnce(A, c2);
      c3 = await commentBy(C, { parent: c2, body: 'C answers B' });

      await mailedToAtLeast(c3, 3);
      await sleep(QUIET_MS);
      expect(recipientsOf(c3)).toEqual([email(B), email(D), email(E)].sort());

      const toB = mailsTo(B, c3)[0] as CaughtMail;
      expect(toB.headers.subject).toContain('replied to your comment');
      expect(toB.text).toContain('C answers B');
      expect(toB.text).toContain(`https://blog.example/posts/${post}?replyTo=${c3.id}#respond`);
      expect(toB.headers['list-unsubscribe']).toMatch(
        /^<https:\/\/blog\.example\/api\/v1\/unsubscribe\?token=.+>$/,
      );
      expect(toB.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      expect(toB.headers['in-reply-to']).toBe(`<post-${post}@blog.example>`);
      expect(toB.headers['message-id']).toMatch(/^<ntf-[0-9a-f]{32}@blog\.example>$/);
      expect(toB.raw).toContain('Content-Type: text/html');
    });

    it('(a) mails the root author of the thread as well once they follow the branch', async () => {
      const branch = await subscribe(A, { kind: 'branch', targetId: c1.id });
      await listed(A, branch.id);
      const c4 = await commentBy(D, { parent: c2 });
      await mailedToAtLeast(c4, 3);
      await sleep(QUIET_MS);
      expect(recipientsOf(c4)).toEqual([email(A), email(B), email(E)].sort());
      expect(mailsTo(A, c4)[0]?.headers.subject).toContain('in a thread you follow');
    });

    it('shows the notification in the inbox, says why it was sent, and marks it read', async () => {
      const inbox = await eventually(async () => {
        const r = await inboxOf(B);
        return r.body.items.some(isAbout(c3)) ? r.body : undefined;
      });
      const item = inbox.items.find(isAbout(c3));
      expect(item?.reason).toBe('reply');
      expect(inbox.unreadCount).toBeGreaterThanOrEqual(1);

      const why = await whyOf(B, item?.id);
      expect(why.status).toBe(200);
      expect(why.body.subscription?.kind).toBe('replies');
      expect(why.body.channels.find((c) => c.channel === 'email')).toMatchObject({
        state: 'sent',
        attempts: 1,
      });
      expect(why.body.channels.find((c) => c.channel === 'in-app')?.state).toBe('sent');
      const stranger = await whyOf(C, item?.id);
      expect(stranger.status).toBe(404);

      expect(
        (await harness.request('POST', `/v1/notifications/${item?.id}/read`, undefined, actor(B)))
          .status,
      ).toBe(204);
      await eventually(async () =>
        (await inboxOf(B, '?unread=true')).body.items.every((i) => i.id !== item?.id)
          ? true
          : undefined,
      );
      const all = await harness.request<{ marked: number }>(
        'POST',
        '/v1/notifications/read-all',
        undefined,
        actor(B),
      );
      expect(all.status).toBe(200);
      await eventually(async () => ((await inboxOf(B)).body.unreadCount === 0 ? true : undefined));
    });

    it('(b) mails nobody for a held reply until it is approved, then once, even when the approval comes twice', async () => {
      const held = await commentBy(C, { parent: c1, status: 'pending' });
      const moderation = await notificationOf(M, held);
      expect(moderation.reason).toBe('moderation');
      await sleep(QUIET_MS);
      expect(recipientsOf(held)).toEqual([]);

      const approval = blog.approvedMessages(held);
      await blog.send('comments', approval);
      await mailedToAtLeast(held, 3);
      await blog.send('comments', approval);
      await sleep(QUIET_MS);
      expect(recipientsOf(held)).toEqual([email(A), email(D), email(E)].sort());
    });

    it('tells nobody of comments and posts imported from another blog, held or visible', async () => {
      const from = (id: string) => ({
        system: 'wordpress' as const,
        site: 'https://old.example',
        id,
      });
      const follower = `f-${Date.now().toString(36)}`;
      await blog.account(follower);
      await listed(follower, (await subscribe(follower, { kind: 'blog' })).id);
      const importedPost = blog.id('post');
      await blog.publishPost(importedPost, E, 'From the old blog', from('1'));
      const visible = await blog.comment({
        postId: post,
        author: { guest: { name: 'Old Guest', email: `old-${A}@example.com` } },
        parent: c1,
        notify: 'all',
        imported: from('2'),
      });
      const held = await commentBy(B, { parent: c1, status: 'pending', imported: from('3') });
      // A reply written here afterwards still reaches the parent's author: the policy ran.
      const written = await commentBy(C, { parent: c1 });
      const writtenPost = blog.id('post');
      await blog.publishPost(writtenPost, E, 'Written here');
      await mailedOnce(A, written);
      const postsIn = async (who: string) => {
        const inbox = await inboxOf(who);
        return inbox.body.items.flatMap((i) =>
          i.subject.kind === 'post' ? [i.subject.postId] : [],
        );
      };
      await eventually(async () =>
        (await postsIn(follower)).includes(writtenPost) ? true : undefined,
      );
      await sleep(QUIET_MS);
      expect(recipientsOf(visible)).toEqual([]);
      expect(recipientsOf(held)).toEqual([]);
      const inbox = await inboxOf(M);
      expect(
        inbox.body.items.filter(
          (i) =>
            (i.subject.kind === 'comment' && [visible.id, held.id].includes(i.subject.commentId)) ||
            (i.subject.kind === 'post' && i.subject.postId === importedPost),
        ),
      ).toEqual([]);
      expect(await postsIn(follower)).toEqual([writtenPost]);
      expect(smtp.to(email(follower)).filter((m) => m.text.includes(importedPost))).toEqual([]);
    });

    it('(b) tells no reader of a spam reply, nor of a held one a moderator trashed or marked spam', async () => {
      const spam = await commentBy(C, { parent: c1, status: 'spam' });
      const trashed = await commentBy(C, { parent: c1, status: 'pending' });
      const markedSpam = await commentBy(C, { parent: c1, status: 'pending' });
      await blog.send('comments', blog.moderatedMessages(trashed, 'parley.comment.trashed.v1'));
      await blog.send(
        'comments',
        blog.moderatedMessages(markedSpam, 'parley.comment.marked-spam.v1'),
      );
      // A later, visible reply in the same thread reaches its readers: the ones before it were seen.
      const visible = await commentBy(C, { parent: c1 });
      await eventually(() => (recipientsOf(visible).length > 0 ? true : undefined));
      await sleep(QUIET_MS);
      for (const hidden of [spam, trashed, markedSpam]) {
        expect(recipientsOf(hidden)).toEqual([]);
        for (const reader of [A, B, D, E]) {
          const inbox = await inboxOf(reader);
          // The post's author may moderate it and is told it awaits moderation; nothing else.
          expect(
            inbox.body.items.filter(
              (i) =>
                i.subject.kind === 'comment' &&
                i.subject.commentId === hidden.id &&
                i.reason !== 'moderation',
            ),
          ).toEqual([]);
        }
      }
    });

    let guestOfD = '';
    it('(d) sends a guest who never confirmed nothing but the confirmation', async () => {
      const guest = `gus-${Date.now().toString(36)}@example.net`;
      guestOfD = guest;
      const g1 = await blog.comment({
        postId: post,
        author: { guest: { name: 'Gus', email: guest } },
        parent: c1,
        notify: 'all',
      });
      const confirmation = await eventually(() => smtp.to(guest)[0]);
      expect(confirmation.headers.subject).toBe('Confirm your subscription');

      const replyToGuest = await commentBy(B, { parent: g1 });
      const another = await commentBy(C);
      await mailedOnce(E, another, replyToGuest);
      await sleep(QUIET_MS);
      expect(smtp.to(guest)).toHaveLength(1);

      const link = /https:\/\/blog\.example\/api\/v1\/subscriptions\/confirm\?token=(\S+)/.exec(
        confirmation.text,
      );
      const confirmed = await harness.request(
        'GET',
        `/v1/subscriptions/confirm?token=${link?.[1]}`,
      );
      expect(confirmed.status).toBe(200);
      const afterConfirming = await commentBy(C, { parent: g1 });
      await eventually(() =>
        smtp.about(afterConfirming.id).some((m) => m.to.includes(guest)) ? true : undefined,
      );
      expect(smtp.to(guest)).toHaveLength(2);
    });

    const personalData = (query: string, as: Actor | null) =>
      harness.request<NotificationsPersonalData>(
        'GET',
        `/v1/personal-data?${query}`,
        undefined,
        as,
      );

    it("gives a subscriber's subscriptions, notifications and deliveries to that account or an admin, and to nobody else", async () => {
      const own = await personalData(`accountId=${B}`, actor(B));
      expect(own.status).toBe(200);
      const aboutC3 = own.body.notifications.find((n) => n.subject.commentId === c3.id);
      expect(aboutC3).toMatchObject({
        reason: 'reply',
        subject: { kind: 'comment', postId: post },
      });
      expect(aboutC3?.deliveries.find((d) => d.channel === 'email')).toMatchObject({
        state: 'sent',
        attempts: 1,
      });
      // Another reader's name and words are theirs, not B's.
      expect(JSON.stringify(own.body)).not.toContain('C answers B');
      expect(JSON.stringify(own.body)).not.toContain(C);
      const followerOfPost = await personalData(`accountId=${D}`, admin);
      expect(followerOfPost.body.subscriber).toMatchObject({
        id: accountSubscriberId(D),
        kind: 'account',
      });
      expect(followerOfPost.body.subscriptions).toEqual([
        expect.objectContaining({ kind: 'post', targetId: post, active: true }),
      ]);
      expect((await personalData(`accountId=${B}`, null)).status).toBe(401);
      expect((await personalData(`accountId=${B}`, actor(C))).status).toBe(403);
      expect((await personalData(`email=${email(B)}`, actor(B))).status).toBe(403);
    });

    it("gives a guest's subscriptions and notifications by their address, to an admin", async () => {
      const guests = await personalData(
        `email=${encodeURIComponent(guestOfD.toUpperCase())}`,
        admin,
      );
      expect(guests.status).toBe(200);
      expect(guests.body.subscriber).toMatchObject({
        id: guestSubscriberId(guestOfD),
        kind: 'guest',
        email: guestOfD,
        confirmed: true,
      });
      expect(guests.body.subscriptions.length).toBeGreaterThan(0);
      expect(
        guests.body.notifications.some((n) =>
          n.deliveries.some((d) => d.channel === 'email' && d.state === 'sent'),
        ),
      ).toBe(true);
    });

    it('erases a guest: subscriptions end, a reply to their comment notifies nobody, and nothing is mailed to them again', async () => {
      const hal = `hal-${Date.now().toString(36)}@example.net`;
      const h1 = await blog.comment({
        postId: post,
        author: { guest: { name: 'Hal', email: hal } },
        notify: 'all',
      });
      const confirmation = await eventually(() => smtp.to(hal)[0]);
      expect((await confirmFrom(confirmation)).status).toBe(200);
      const before = await commentBy(B, { parent: h1 });
      await eventually(() =>
        smtp.about(before.id).some((m) => m.to.includes(hal)) ? true : undefined,
      );
      const mailed = smtp.to(hal).length;

      const admin: Actor = { accountId: 'root', displayName: 'Root', roles: ['admin'] };
      const erase = (body: Record<string, unknown>, as: Actor) =>
        harness.request<{ subscriptions: number }>('POST', '/v1/personal-data/erasures', body, as);
      expect((await erase({ email: hal }, actor(B))).status).toBe(403);
      const erased = await erase({ email: hal.toUpperCase() }, admin);
      expect(erased.status).toBe(200);
      expect(erased.body.subscriptions).toBe(2);
      expect((await erase({ email: hal }, admin)).body.subscriptions).toBe(0);
      await blog.eraseAuthor(h1, { guestId: `g-${hal}` });

      const after = await commentBy(C, { parent: h1 });
      const again = await blog.comment({
        postId: post,
        author: { guest: { name: 'Hal', email: hal } },
        notify: 'all',
      });
      await mailedOnce(E, after, again);
      await sleep(QUIET_MS);
      expect(smtp.to(hal)).toHaveLength(mailed);
      expect(recipientsOf(after)).not.toContain(hal);
    });

    it("stores neither a guest subscriber's address nor a guest author's name in clear, yet mails the address and shows the name until the author is erased", async () => {
      const run = Date.now().toString(36);
      const gus = `gus-${run}@example.org`;
      const name = `Gus Sealed ${run}`;
      const g1 = await blog.comment({
        postId: post,
        author: { guest: await comments.sealedGuest(name, gus) },
        parent: c1,
        notify: 'replies',
      });
      const confirmation = await eventually(() => smtp.to(gus)[0], SLOW);
      expect((await confirmFrom(confirmation)).status).toBe(200);
      const toA = await eventually(() => mailsTo(A, g1)[0], SLOW);
      expect(toA.headers.subject).toContain(name);
      const reply = await commentBy(B, { parent: g1 });
      await eventually(() => (recipientsOf(reply).includes(gus) ? true : undefined), SLOW);

      const stored = (await storedBytes()).toString('utf8');
      expect(stored).toContain(g1.id);
      expect(stored).not.toContain(gus);
      expect(stored).not.toContain(name);

      expect(await eventually(() => authorNameShownTo(A, g1))).toBe(name);
      await comments.erase(gus);
      expect(await authorNameShownTo(A, g1)).toBe(ERASED_PERSON_NAME);
    });

    it("names an account's comment by id: mail and the inbox show the account's current name, which no notification stores, and a deleted reader once it is erased", async () => {
      const run = Date.now().toString(36);
      const P = `p-${run}`;
      const name = `Pia Named ${run}`;
      await blog.account(P, { name });
      const p1 = await commentBy(P, { parent: c1 });
      const toA = await eventually(() => mailsTo(A, p1)[0], SLOW);
      expect(toA.headers.subject).toBe(`${name} replied to your comment on "Reply notifications"`);

      expect(await eventually(() => authorNameShownTo(A, p1))).toBe(name);
      const stored = (await storedBytes()).toString('utf8');
      expect(stored).toContain(p1.id);
      // Checked where the store holds the service's events alone: the embedded data folder also
      // keeps the accounts topic, whose events this blog writes with the name in clear.
      expect(mode === 'distributed' ? stored : '').not.toContain(name);

      await blog.renameAccount(P, `Pia Renamed ${run}`);
      await eventually(async () =>
        (await authorNameShownTo(A, p1)) === `Pia Renamed ${run}` ? true : undefined,
      );
      await blog.eraseAccount(P);
      await eventually(async () =>
        (await authorNameShownTo(A, p1)) === ERASED_PERSON_NAME ? true : undefined,
      );
    });

    it('(e) stops the next notification after a one-click unsubscribe by POST', async () => {
      const toD = mailsTo(D, c3)[0] as CaughtMail;
      const url = /^<https:\/\/blog\.example\/api(\/v1\/unsubscribe\?token=.+)>$/.exec(
        toD.headers['list-unsubscribe'] ?? '',
      )?.[1];
      const page = await fetch(`${harness.url}${url}`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<form method="post">');
      // A link scanner's GETs show what would stop and change nothing.
      const preview = await fetch(`${harness.url}${url}`);
      expect(await preview.json()).toMatchObject({ unsubscribed: false });
      const stillFollowed = await commentBy(C);
      await mailedOnce(D, stillFollowed);

      const oneClick = await fetch(`${harness.url}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(oneClick.status).toBe(200);
      expect(((await oneClick.json()) as { unsubscribed: boolean }).unsubscribed).toBe(true);

      const next = await commentBy(C);
      await mailedOnce(E, next);
      await sleep(QUIET_MS);
      expect(mailsTo(D, next)).toEqual([]);
      const forged = await fetch(`${harness.url}${url?.slice(0, -3)}abc`, { method: 'POST' });
      expect(forged.status).toBe(403);
    });

    /** Waits until `count` mails wait in the account's digest, before its period ends. */
    const digestWaiting = (account: string, count: number) =>
      eventually(async () => {
        const waiting = await harness.infra.readModels
          .db(INBOX)
          .collection<NotificationEntry>('notifications')
          .count({ subscriberId: accountSubscriberId(account), digestDueAt: { $ne: null } });
        return waiting === count ? true : undefined;
      });

    it('batches an hourly subscription into one digest mail per period', async () => {
      const hourly = await subscribe(C, { kind: 'post', targetId: post, frequency: 'hourly' });
      await listed(C, hourly.id);
      const first = await commentBy(A, { body: 'first of the hour' });
      const second = await commentBy(B, { body: 'second of the hour' });
      await mailedOnce(E, first, second);
      await sleep(QUIET_MS);
      expect(digestsTo(C)).toEqual([]);
      await digestWaiting(C, 2);

      offsetMs += 3_600_000;
      const digest = await eventually(() => digestsTo(C)[0], { timeoutMs: 15_000 });
      expect(digest.headers.subject).toBe('Your hourly digest: 2 new notifications');
      expect(digest.text).toContain(`#comment-${first.id}`);
      expect(digest.text).toContain(`#comment-${second.id}`);
      expect(digest.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      await sleep(QUIET_MS);
      expect(digestsTo(C)).toHaveLength(1);
    });

    it('gathers a daily subscription into one digest mail when its day is over', async () => {
      const F = `f-${Date.now().toString(36)}`;
      await blog.account(F);
      const daily = await subscribe(F, { kind: 'post', targetId: post, frequency: 'daily' });
      await listed(F, daily.id);
      const morning = await commentBy(A);
      const evening = await commentBy(B);
      await mailedOnce(E, morning, evening);
      await sleep(QUIET_MS);
      expect(digestsTo(F)).toEqual([]);
      expect(mailsTo(F, morning)).toEqual([]);
      await digestWaiting(F, 2);

      offsetMs += 24 * 3_600_000;
      const digest = await eventually(() => digestsTo(F)[0], { timeoutMs: 15_000 });
      expect(digest.headers.subject).toBe('Your daily digest: 2 new notifications');
      expect(digest.text).toContain(`#comment-${morning.id}`);
      expect(digest.text).toContain(`#comment-${evening.id}`);
      await sleep(QUIET_MS);
      expect(digestsTo(F)).toHaveLength(1);
    });

    it('retries a refused mail (4xx) with backoff and records a permanent refusal (5xx) without retrying', async () => {
      smtp.refuseWith = 451;
      const retried = await commentBy(A, { body: 'greylisted' });
      const waiting = await notificationOf(E, retried);
      const failedOnce = await deliveryIn(E, waiting.id, 'email', ['retrying']);
      expect(failedOnce.reason).toContain('451');
      smtp.refuseWith = undefined;
      await mailedOnce(E, retried);
      await sleep(QUIET_MS);
      expect(mailsTo(E, retried)).toHaveLength(1);

      smtp.refuseWith = 550;
      const refused = await commentBy(A, { body: 'refused' });
      const inbox = await notificationOf(E, refused);
      const why = await deliveryIn(E, inbox.id, 'email', ['failed']);
      expect(why.reason).toContain('550');
      expect(why.attempts).toBe(1);
      smtp.refuseWith = undefined;
      await sleep(QUIET_MS);
      expect(mailsTo(E, refused)).toEqual([]);
    });

    it('sends a mail once, and records it sent, when the store took its start but failed to answer, then failed to take its outcome twice', async () => {
      const store = harness.running.app.get<EventStore>(EVENT_STORE);
      const append = store.append.bind(store);
      const startsCut = new Set<string>();
      const outcomesRefused = new Map<string, number>();
      store.append = async (streamId, expectedVersion, events, context) => {
        const event = events[0];
        if (
          event?.type === 'parley.notification.delivery-started.v1' &&
          event.data.channel === 'email' &&
          !startsCut.has(streamId)
        ) {
          startsCut.add(streamId);
          await append(streamId, expectedVersion, events, context);
          throw Object.assign(new Error('Topology is closed'), {
            name: 'MongoTopologyClosedError',
          });
        }
        if (event?.type === 'parley.notification.delivered.v1') {
          const refused = outcomesRefused.get(streamId) ?? 0;
          if (refused < 2) {
            outcomesRefused.set(streamId, refused + 1);
            throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
          }
        }
        return append(streamId, expectedVersion, events, context);
      };
      try {
        const cutOff = await commentBy(A, { body: 'the store went away' });
        const inbox = await notificationOf(E, cutOff);
        const why = await deliveryIn(E, inbox.id, 'email', ['sent', 'failed']);
        expect(why.state).toBe('sent');
        expect(why.attempts).toBe(1);
        await sleep(QUIET_MS);
        expect(mailsTo(E, cutOff)).toHaveLength(1);
        expect(startsCut.size).toBeGreaterThanOrEqual(1);
        expect([...outcomesRefused.values()]).toContain(2);
      } finally {
        store.append = append;
      }
    });

    it("sends a guest's confirmation mail once the mail server accepts it again (4xx for a while)", async () => {
      const guest = `gia-${Date.now().toString(36)}@example.net`;
      smtp.refuseWith = 451;
      const refusals = () => smtp.refused.filter((to) => to.includes(guest)).length;
      await blog.comment({
        postId: post,
        author: { guest: { name: 'Gia', email: guest } },
        parent: c1,
        notify: 'replies',
      });
      // Refused, then sent again by the scheduler with backoff, refused again…
      // The backoff grows with each refusal: a loaded machine needs more than 20 s for four.
      await eventually(() => (refusals() >= 4 ? true : undefined), { timeoutMs: 40_000 });
      expect(smtp.to(guest)).toEqual([]);
      smtp.refuseWith = undefined;
      const confirmation = await eventually(() => smtp.to(guest)[0], { timeoutMs: 30_000 });
      expect(confirmation.headers.subject).toBe('Confirm your subscription');
      await sleep(QUIET_MS);
      expect(smtp.to(guest)).toHaveLength(1);
    });

    it('sends a confirmation mail once when the consumer and the scheduler reach it together', async () => {
      const guest = `gil-${Date.now().toString(36)}@example.net`;
      smtp.refuseWith = 451;
      await blog.comment({
        postId: post,
        author: { guest: { name: 'Gil', email: guest } },
        parent: c1,
        notify: 'replies',
      });
      const subscriberId = guestSubscriberId(guest);
      const owed = await eventually(
        async () => (await subscriberEntry(subscriberId))?.confirmationDue ?? undefined,
      );
      await eventually(() => (smtp.refused.some((to) => to.includes(guest)) ? true : undefined));
      smtp.refuseWith = undefined;
      // Three senders at once (besides the scheduler's own passes): one mail.
      const delivery = harness.running.app.get(DeliveryService);
      const data = { subscriberId, email: guest, requestedAt: owed };
      const outcomes = await Promise.all([1, 2, 3].map(() => delivery.mailConfirmation({ data })));
      expect(outcomes.filter((o) => o === 'mailed').length).toBeLessThanOrEqual(1);
      await eventually(() => smtp.to(guest)[0], { timeoutMs: 20_000 });
      await sleep(QUIET_MS);
      expect(smtp.to(guest)).toHaveLength(1);
    });

    it('mails an address that keeps being subscribed a confirmation at most every 15 minutes and 3 times a day, answering the same each time', async () => {
      const guest = `gem-${Date.now().toString(36)}@example.net`;
      smtp.refuseWith = undefined;
      const answers: { status: number; body: unknown }[] = [];
      const subscribeGuest = async () => {
        const r = await harness.request('POST', '/v1/subscriptions', {
          kind: 'blog',
          email: guest,
        });
        answers.push({ status: r.status, body: r.body });
      };
      const subscriberId = guestSubscriberId(guest);
      // The mail is recorded as sent before the clock moves on: a jump of minutes would end the
      // sender's claim on it while it is still recording.
      const mailed = async (n: number) => {
        await eventually(() => (smtp.to(guest).length === n ? true : undefined), SLOW);
        await eventually(
          async () =>
            (await subscriberEntry(subscriberId))?.confirmationDue === null ? true : undefined,
          SLOW,
        );
      };
      const minutes = (n: number) => (offsetMs += n * 60_000);

      await subscribeGuest();
      await mailed(1);
      await subscribeGuest();
      await subscribeGuest();
      minutes(16);
      await subscribeGuest();
      await mailed(2);
      minutes(16);
      await subscribeGuest();
      await mailed(3);
      // The day's allowance is spent: later requests mail nothing, long after the cool-down too.
      for (const wait of [16, 60, 600]) {
        minutes(wait);
        await subscribeGuest();
      }
      await sleep(QUIET_MS);
      expect(smtp.to(guest)).toHaveLength(3);
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
      expect(answers[0]).toMatchObject({ status: 201, body: { status: 'pending-confirmation' } });

      minutes(24 * 60);
      await subscribeGuest();
      await mailed(4);
      expect(smtp.to(guest).every((m) => m.headers.subject === 'Confirm your subscription')).toBe(
        true,
      );
    }, 300_000);

    it('posts a signed webhook to an account that turned the webhook channel on', async () => {
      const hooks = await receiver(ALLOWED_RECEIVER_HOST, (n) => ({ status: n === 1 ? 503 : 204 }));
      const received = hooks.received;
      try {
        const url = `http://${ALLOWED_RECEIVER_HOST}:${hooks.port}/hook`;
        const hook = await harness.request<WebhookCreated>(
          'POST',
          '/v1/webhooks',
          { url },
          actor(B),
        );
        expect(hook.status).toBe(201);
        await repliesByWebhook(B);

        const reply = await commentBy(C, { parent: c2 });
        // The first delivery is answered 503: it is tried again, with the same id, and signed anew.
        // A reply's way to a webhook crosses the broker twice and a retry: a loaded machine takes its time.
        await eventually(() => (received.length >= 2 ? true : undefined), SLOW);
        const delivery = received[1]!;
        expectSigned(delivery, hook.body.secret);
        expect(delivery.headers['x-parley-webhook-id']).toBe(
          received[0]?.headers['x-parley-webhook-id'],
        );
        const payload = JSON.parse(delivery.body) as {
          notification: { subject: { commentId: string }; reason: string };
        };
        expect(payload.notification.subject.commentId).toBe(reply.id);
        expect(payload.notification.reason).toBe('reply');
        await sleep(QUIET_MS);
        expect(received).toHaveLength(2);
        expect(mailsTo(B, reply)).toEqual([]);
      } finally {
        await hooks.close();
      }
    });

    it('uses a webhook registered for the subscriptions at once: a reply reaches it, and new subscriptions offer it', async () => {
      const V = `v-${Date.now().toString(36)}`;
      await blog.account(V);
      const hooks = await receiver(ALLOWED_RECEIVER_HOST, () => ({ status: 204 }));
      try {
        const url = `http://${ALLOWED_RECEIVER_HOST}:${hooks.port}/hook`;
        const hook = await harness.request<WebhookCreated>(
          'POST',
          '/v1/webhooks',
          { url, useForSubscriptions: true },
          actor(V),
        );
        expect(hook.status).toBe(201);
        expect(hook.body.useForSubscriptions).toBe(true);
        // The subscription to replies is used as it is: nobody changes its channels by hand.
        const replies = await eventually(async () => {
          const list = await subscriptionsOf(V);
          const found = list.body.items.find((s) => s.kind === 'replies');
          return found?.channels.includes('webhook') ? found : undefined;
        }, SLOW);
        expect(replies.channels).toEqual(['email', 'in-app', 'webhook']);
        // A post of its own, so that later tests' comments do not reach this receiver.
        const own = blog.id('post');
        await blog.publishPost(own, E, 'Webhooks for subscriptions');
        const follow = await subscribe(V, { kind: 'post', targetId: own });
        expect(follow.channels).toEqual(['email', 'in-app', 'webhook']);

        const root = await blog.comment({ postId: own, author: { accountId: V } });
        const reply = await blog.comment({ postId: own, author: { accountId: C }, parent: root });
        const delivery = await eventually(
          () =>
            hooks.received.find((r) => {
              const payload = JSON.parse(r.body) as {
                notification: { subject: { commentId?: string }; reason: string };
              };
              return payload.notification.subject.commentId === reply.id;
            }),
          SLOW,
        );
        const payload = JSON.parse(delivery.body) as { notification: { reason: string } };
        expect(payload.notification.reason).toBe('reply');
        expectSigned(delivery, hook.body.secret);
      } finally {
        await hooks.close();
      }
    }, 240_000);

    it('refuses to register a webhook at a loopback, private, link-local or unspecified address', async () => {
      const W = `w-${Date.now().toString(36)}`;
      for (const url of [
        'http://127.0.0.1:3000/hook',
        'http://2130706433/',
        'http://[::1]/',
        'http://[::ffff:127.0.0.1]/',
        'http://0.0.0.0/',
        'http://localhost:3000/',
        'http://169.254.169.254/latest/meta-data/',
        'http://10.0.0.1/',
      ]) {
        const refused = await harness.request<{ errors: { field: string; reason: string }[] }>(
          'POST',
          '/v1/webhooks',
          { url },
          actor(W),
        );
        expect({ url, status: refused.status }).toEqual({ url, status: 422 });
        expect(refused.headers.get('content-type')).toContain('application/problem+json');
        expect(refused.body.errors.map((e) => e.field)).toEqual(['url']);
      }
      const list = await harness.request<WebhookList>('GET', '/v1/webhooks', undefined, actor(W));
      expect(list.body.items).toEqual([]);
    });

    it('delivers no webhook to a host name that resolves to loopback, nor through a redirect to it', async () => {
      const W = `w-${Date.now().toString(36)}`;
      await blog.account(W);
      const inside = await receiver('127.0.0.1', () => ({ status: 204 }));
      const redirector = await receiver(ALLOWED_RECEIVER_HOST, () => ({
        status: 307,
        headers: { location: `http://127.0.0.1:${inside.port}/hook` },
      }));
      /** The webhook channel's ledger entry for a reply to W, once it is final. */
      const webhookOutcome = async (url: string) => {
        const hook = await harness.request('POST', '/v1/webhooks', { url }, actor(W));
        expect(hook.status).toBe(201);
        const root = await commentBy(W);
        const reply = await commentBy(C, { parent: root });
        const item = await notificationOf(W, reply, SLOW);
        return deliveryIn(W, item.id, 'webhook', ['failed', 'sent'], SLOW);
      };
      try {
        await repliesByWebhook(W);

        const rebound = await webhookOutcome(`http://rebinding.example:${inside.port}/hook`);
        expect(rebound.state).toBe('failed');
        expect(rebound.attempts).toBe(1);
        expect(rebound.reason).toContain('not public (loopback)');

        const redirected = await webhookOutcome(
          `http://${ALLOWED_RECEIVER_HOST}:${redirector.port}/hook`,
        );
        expect(redirected.state).toBe('failed');
        expect(redirected.attempts).toBe(1);
        expect(redirected.reason).toContain('307');
        expect(redirector.received).toHaveLength(1);

        await sleep(QUIET_MS);
        expect(inside.received).toEqual([]);
        expect(redirector.received).toHaveLength(1);
      } finally {
        await inside.close();
        await redirector.close();
      }
    }, 300_000);

    it('answers bad input with problem+json naming the field', async () => {
      const missing = await harness.request<{ errors: { field: string }[] }>(
        'POST',
        '/v1/subscriptions',
        { kind: 'post', extra: 1 },
        actor(A),
      );
      expect(missing.status).toBe(400);
      // The unknown field by its own name, and the missing one.
      expect(missing.body.errors.map((e) => e.field).sort()).toEqual(['extra', 'targetId']);
      const noTarget = await harness.request<{ errors: { field: string }[] }>(
        'POST',
        '/v1/subscriptions',
        { kind: 'post' },
        actor(A),
      );
      expect(noTarget.status).toBe(400);
      expect(noTarget.body.errors.map((e) => e.field)).toEqual(['targetId']);
      const guestWithoutEmail = await harness.request('POST', '/v1/subscriptions', {
        kind: 'blog',
      });
      expect(guestWithoutEmail.status).toBe(422);
      expect((await harness.request('GET', '/v1/notifications')).status).toBe(401);
    });
  });
}
