import { SmtpMailer } from '@parley/mail';
import { runRebuildCommand } from '@parley/platform';
import {
  MailCatcher,
  type ServiceHarness,
  describeInfra,
  eventually,
  sleep,
  startServiceHarness,
} from '@parley/testing';
import { Writable } from 'node:stream';
import { DIRECTORY } from './directory/directory.projection';
import { notificationsService } from './notifications.service';
import { Blog } from './testing/blog';

const options = (smtp: MailCatcher) => ({
  mailer: new SmtpMailer(smtp.url, 'blog.example'),
  from: 'Parley <notifications@blog.example>',
  tokenSecret: 'rebuild-token-secret-0123456789ab',
  publicBaseUrl: 'https://blog.example',
});

/** Replaying history (rebuilding read models, redelivering comments) never mails anyone twice. */
describeInfra('notifications under replay, on Kafka and the Mongo-compatible server', () => {
  let smtp: MailCatcher;
  let harness: ServiceHarness;
  let blog: Blog;

  beforeAll(async () => {
    smtp = await new MailCatcher().start();
    harness = await startServiceHarness(notificationsService(options(smtp)), 'distributed');
    blog = new Blog(harness.infra.bus, (key) => harness.infra.topicName(key));
  });

  afterAll(async () => {
    await harness?.close();
    await smtp?.stop();
  });

  it('sends no second mail when every read model is rebuilt from the topics, or an approval comes again', async () => {
    const run = Date.now().toString(36);
    const [amy, ben, boots] = [`amy-${run}`, `ben-${run}`, `boots-${run}`];
    for (const person of [amy, ben, boots]) await blog.account(person);
    const post = blog.id('post');
    await blog.publishPost(post, boots, 'Replayed');
    // Accounts register long before they comment: let the directory know them first.
    const directory = harness.infra.readModels.db(DIRECTORY);
    await eventually(
      async () => {
        const known = await directory
          .collection('accounts')
          .find({ _id: { $in: [amy, ben, boots] } });
        const posts = await directory.collection('posts').find({ _id: post });
        return known.length === 3 && posts.length === 1 ? true : undefined;
      },
      { timeoutMs: 50_000 },
    );
    const top = await blog.comment({ postId: post, author: { accountId: amy } });
    const replies = [];
    for (let i = 0; i < 5; i++)
      replies.push(await blog.comment({ postId: post, author: { accountId: ben }, parent: top }));
    // Amy hears of each reply, Boots (the post's author) of every comment.
    const expected = replies.length * 2 + 1;
    await eventually(() => (smtp.mails.length >= expected ? true : undefined), {
      timeoutMs: 60_000,
    }).catch((error: unknown) => {
      throw new Error(
        `${smtp.mails.length} of ${expected} mails: ${smtp.mails.map((m) => `${m.to.join()} ${m.headers.subject}`).join('; ')} (${String(error)})`,
      );
    });
    const before = smtp.mails.length;
    expect(before).toBe(expected);

    const chunks: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const code = await runRebuildCommand({
      definition: notificationsService(options(smtp)),
      infra: harness.infra,
      args: ['all'],
      out,
    });
    expect(code).toBe(0);
    expect(chunks.join('')).toMatch(/generation 1 → 2/);

    // An approval of replies already shown, as a moderator's second click would bring it.
    for (const reply of replies.slice(0, 2))
      await blog.send('comments', blog.approvedMessages(reply));

    await sleep(2_000);
    expect(smtp.mails.length).toBe(before);
    // The inbox, rebuilt, still has Amy's notifications, once each.
    const inbox = await harness.request<{ items: { subject: { commentId?: string } }[] }>(
      'GET',
      '/v1/notifications?limit=100',
      undefined,
      { accountId: amy, displayName: 'Amy', roles: ['reader'] },
    );
    const ids = inbox.body.items.map((n) => n.subject.commentId).sort();
    expect(ids).toEqual(replies.map((r) => r.id).sort());
  }, 180_000);
});
