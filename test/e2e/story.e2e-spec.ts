import type {
  InboxResponse,
  PostCommentResponse,
  PostView,
  ThreadPage,
  TokensResponse,
} from '@parley/contracts';
import type { DatabaseCommand } from '@parley/platform';
import {
  type HarnessMode,
  type IndexKeys,
  type IntendedScan,
  declaredIndexes,
  uncoveredShapes,
  MailCatcher,
  type SseClient,
  describeInfra,
  eventually,
  jsonCaller,
  openSse,
} from '@parley/testing';
import { type ParleyStack, PUBLIC_BASE_URL, registerAccount, startParleyStack } from './stack';

/** Query shapes that read a whole collection on purpose. */
const INTENDED_SCANS: IntendedScan[] = [];

/**
 * The whole story through the public API: people register, an author publishes, a guest
 * comments and asks to hear of replies, a moderator lets the guest's first comment through,
 * accounts reply two levels deep and like things, and each person is told exactly what
 * concerns them, live on the notification stream and by mail to a real SMTP server.
 */
function story(mode: HarnessMode): void {
  describe(`a blog post's discussion, end to end (${mode})`, () => {
    let parley: ParleyStack;
    const smtp = new MailCatcher();

    const call = jsonCaller(() => parley.url);

    /** A link from a mail, followed on the gateway. */
    function linkIn(text: string, path: string): string {
      const found = new RegExp(`${PUBLIC_BASE_URL}(${path.replace(/\?/g, '\\?')}[^\\s"<>]+)`).exec(
        text,
      )?.[1];
      if (!found) throw new Error(`no ${path} link in:\n${text}`);
      return found;
    }

    const register = (email: string, displayName: string) =>
      registerAccount(call, email, displayName);

    async function verify(email: string): Promise<void> {
      const mail = await eventually(() =>
        smtp.to(email).find((m) => /confirm your email/i.test(m.headers.subject ?? '')),
      );
      const followed = await call('GET', linkIn(mail.text, '/api/v1/auth/verify-email?token='));
      expect(followed.status).toBe(303);
    }

    /** A comment on the post by the bearer of `token`, expected taken. */
    async function commentOnPost(body: object, token: string): Promise<PostCommentResponse> {
      const posted = await call<PostCommentResponse>(
        'POST',
        `/api/v1/posts/${post.id}/comments`,
        body,
        token,
      );
      expect(posted.status).toBe(201);
      return posted.body;
    }

    /** Mail about one comment to one address. */
    const mailAbout = (address: string, commentId: string) =>
      smtp.to(address).filter((m) => m.text.includes(`#comment-${commentId}`));

    let admin: TokensResponse;
    let author: TokensResponse;
    let amy: TokensResponse;
    let ben: TokensResponse;
    let post: PostView;
    let wadesComment: PostCommentResponse;
    let amysReply: PostCommentResponse;
    let bensReply: PostCommentResponse;
    let amysStream: SseClient;
    let pageStream: SseClient;

    beforeAll(async () => {
      await smtp.start();
      parley = await startParleyStack(mode, { smtpUrl: smtp.url });
      for (const service of Object.values(parley.services ?? {}))
        service.infra.databaseCommands?.startRecording();
    });

    afterAll(async () => {
      amysStream?.close();
      pageStream?.close();
      await parley?.close();
      await smtp.stop();
    });

    it('registers the admin, an author and two readers, who verify their addresses', async () => {
      admin = await register('boots@blog.example', 'Boots');
      expect(admin.account.roles).toEqual(['admin']);
      author = await register('alice@blog.example', 'Alice');
      amy = await register('amy@example.com', 'Amy');
      ben = await register('ben@example.com', 'Ben');
      expect(amy.account.roles).toEqual(['reader']);

      const granted = await call(
        'PUT',
        `/api/v1/accounts/${author.account.id}/roles`,
        { roles: ['reader', 'author'] },
        admin.accessToken,
      );
      expect(granted.status).toBe(200);
      // A role shows in the next access token.
      const refreshed = await call<TokensResponse>('POST', '/api/v1/auth/refresh', {
        refreshToken: author.refreshToken,
      });
      expect(refreshed.status).toBe(200);
      author = refreshed.body;
      expect(author.account.roles).toEqual(['reader', 'author']);

      for (const email of ['alice@blog.example', 'amy@example.com', 'ben@example.com'])
        await verify(email);
      const me = await call<{ emailVerified: boolean }>(
        'GET',
        '/api/v1/me',
        undefined,
        amy.accessToken,
      );
      expect(me.body.emailVerified).toBe(true);
    });

    it('lets the author write and publish a post that readers then find by its slug', async () => {
      const refused = await call(
        'POST',
        '/api/v1/posts',
        { title: 'Not mine to write', body: 'x' },
        amy.accessToken,
      );
      expect(refused.status).toBe(403);

      const draft = await call<PostView>(
        'POST',
        '/api/v1/posts',
        {
          title: 'Her',
          body: 'A film by **Spike Jonze**.\n\n> The past is just a story we tell ourselves.',
          categories: ['Films'],
          series: 'Movie Quote Monday',
          tags: ['her'],
        },
        author.accessToken,
      );
      expect(draft.status).toBe(201);
      expect((await call('GET', `/api/v1/posts/${draft.body.slug}`)).status).toBe(404);
      const published = await call(
        'POST',
        `/api/v1/posts/${draft.body.id}/publish`,
        undefined,
        author.accessToken,
      );
      expect(published.status).toBe(200);

      post = (
        await eventually(async () => {
          const found = await call<PostView>('GET', `/api/v1/posts/${draft.body.slug}`);
          return found.status === 200 ? found : undefined;
        })
      ).body;
      expect(post).toMatchObject({ id: draft.body.id, title: 'Her', status: 'published' });
      // The comments service opens the thread once it has heard of the post.
      await eventually(async () => {
        const thread = await call<ThreadPage>('GET', `/api/v1/posts/${post.id}/comments`);
        return thread.status === 200 && thread.body.commentsOpen ? true : undefined;
      });
    });

    it("holds a guest's first comment for moderation, shows it to its writer only, and asks the guest to confirm the address", async () => {
      pageStream = await openSse(`${parley.url}/api/v1/posts/${post.id}/comments/stream`);
      expect(pageStream.status).toBe(200);

      const posted = await call<PostCommentResponse>('POST', `/api/v1/posts/${post.id}/comments`, {
        body: 'What a film. I cried at the ending.',
        author: { name: 'Wade', email: 'wade@example.com', url: 'https://wade.example' },
        notify: 'replies',
      });
      expect(posted.status).toBe(201);
      expect(posted.body.status).toBe('pending');
      expect(posted.body.message).toBe('Your comment is awaiting moderation');
      expect(posted.body.viewerToken).toEqual(expect.any(String));
      wadesComment = posted.body;
      // Nothing personal in the public answer.
      expect(JSON.stringify(posted.body)).not.toContain('wade@example.com');

      const publicThread = await call<ThreadPage>('GET', `/api/v1/posts/${post.id}/comments`);
      expect(publicThread.body.items.map((c) => c.id)).not.toContain(wadesComment.id);
      const ownView = await call<ThreadPage>(
        'GET',
        `/api/v1/posts/${post.id}/comments?viewerToken=${encodeURIComponent(posted.body.viewerToken ?? '')}`,
      );
      expect(ownView.body.items.find((c) => c.id === wadesComment.id)?.message).toBe(
        'Your comment is awaiting moderation',
      );

      const confirmation = await eventually(() =>
        smtp
          .to('wade@example.com')
          .find((m) => m.text.includes('/api/v1/subscriptions/confirm?token=')),
      );
      const confirmed = await call(
        'GET',
        linkIn(confirmation.text, '/api/v1/subscriptions/confirm?token='),
      );
      expect(confirmed.status).toBeLessThan(400);
    });

    it('lets a moderator, and nobody else, approve the held comment, which then appears for everyone and live', async () => {
      const queue = await call<{ items: { id: string; moderationReason: string | null }[] }>(
        'GET',
        '/api/v1/moderation/queue',
        undefined,
        admin.accessToken,
      );
      expect(queue.status).toBe(200);
      expect(queue.body.items.find((c) => c.id === wadesComment.id)?.moderationReason).toBe(
        'first-comment',
      );
      expect(
        (await call('GET', '/api/v1/moderation/queue', undefined, amy.accessToken)).status,
      ).toBe(403);
      expect(
        (
          await call(
            'POST',
            `/api/v1/comments/${wadesComment.id}/moderation`,
            { status: 'approved' },
            amy.accessToken,
          )
        ).status,
      ).toBe(403);

      const approved = await call(
        'POST',
        `/api/v1/comments/${wadesComment.id}/moderation`,
        { status: 'approved' },
        admin.accessToken,
      );
      expect(approved.status).toBe(200);
      const live = await pageStream.next((e) => e.data.includes(wadesComment.id));
      expect(live.event).toMatch(/comment/);
      await eventually(async () => {
        const thread = await call<ThreadPage>('GET', `/api/v1/posts/${post.id}/comments`);
        return thread.body.items.some((c) => c.id === wadesComment.id) ? true : undefined;
      });
    });

    it('tells the guest by mail when an account replies, and the post author in the inbox and by mail', async () => {
      amysStream = await openSse(`${parley.url}/api/v1/notifications/stream`, {
        authorization: `Bearer ${amy.accessToken}`,
      });
      expect(amysStream.status).toBe(200);

      amysReply = await commentOnPost(
        { body: 'The ending got me too, Wade.', parentId: wadesComment.id },
        amy.accessToken,
      );
      expect(amysReply.status).toBe('approved');

      const toWade = await eventually(() => mailAbout('wade@example.com', amysReply.id)[0]);
      expect(toWade.headers.subject).toContain('Amy');
      expect(toWade.text).toContain('The ending got me too, Wade.');
      expect(toWade.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');

      const alicesInbox = await eventually(async () => {
        const inbox = await call<InboxResponse>(
          'GET',
          '/api/v1/notifications',
          undefined,
          author.accessToken,
        );
        return inbox.body.items.some(
          (n) => n.subject.kind === 'comment' && n.subject.commentId === amysReply.id,
        )
          ? inbox.body
          : undefined;
      });
      expect(alicesInbox.unreadCount).toBeGreaterThan(0);
      await eventually(() => mailAbout('alice@blog.example', amysReply.id)[0]);
    });

    it('tells Amy live and by mail, once, when Ben replies to her reply', async () => {
      bensReply = await commentOnPost(
        { body: 'Agreed, and the score by Arcade Fire!', parentId: amysReply.id },
        ben.accessToken,
      );
      expect(bensReply.comment.depth).toBe(3);

      const live = await amysStream.next(
        (e) => e.event === 'notification' && e.data.includes(bensReply.id),
      );
      expect(live.id).toEqual(expect.any(String));
      const mail = await eventually(() => mailAbout('amy@example.com', bensReply.id)[0]);
      expect(mail.text).toContain('Arcade Fire');

      const inbox = await call<InboxResponse>(
        'GET',
        '/api/v1/notifications',
        undefined,
        amy.accessToken,
      );
      const notification = inbox.body.items.find(
        (n) => n.subject.kind === 'comment' && n.subject.commentId === bensReply.id,
      );
      expect(notification?.reason).toBe('reply');
      const why = await call<{ explanation: string }>(
        'GET',
        `/api/v1/notifications/${notification?.id}/why`,
        undefined,
        amy.accessToken,
      );
      expect(why.status).toBe(200);
      expect(why.body.explanation).toMatch(/repl/i);
      // Nobody reads someone else's inbox.
      expect(
        (
          await call(
            'GET',
            `/api/v1/notifications/${notification?.id}/why`,
            undefined,
            ben.accessToken,
          )
        ).status,
      ).toBe(404);
      expect(
        (
          await call(
            'POST',
            `/api/v1/notifications/${notification?.id}/read`,
            undefined,
            ben.accessToken,
          )
        ).status,
      ).toBe(404);

      // Ben is not told about his own comment; Amy hears of it once.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(mailAbout('amy@example.com', bensReply.id)).toHaveLength(1);
      expect(mailAbout('ben@example.com', bensReply.id)).toHaveLength(0);
      expect(amysStream.events.filter((e) => e.data.includes(bensReply.id))).toHaveLength(1);
    });

    it('nests the thread as written, with likes on the post and the comments', async () => {
      expect(
        (await call('PUT', `/api/v1/posts/${post.id}/like`, undefined, ben.accessToken)).status,
      ).toBe(200);
      expect(
        (await call('PUT', `/api/v1/posts/${post.id}/like`, undefined, amy.accessToken)).status,
      ).toBe(200);
      // Liking twice is still one like.
      expect(
        (await call('PUT', `/api/v1/posts/${post.id}/like`, undefined, amy.accessToken)).status,
      ).toBe(200);
      expect(
        (await call('PUT', `/api/v1/comments/${wadesComment.id}/like`, undefined, amy.accessToken))
          .status,
      ).toBe(200);
      expect((await call('PUT', `/api/v1/posts/${post.id}/like`)).status).toBe(401);

      const likers = await eventually(async () => {
        const page = await call<{ items: { displayName: string }[] }>(
          'GET',
          `/api/v1/posts/${post.id}/likes`,
        );
        return page.body.items.length === 2 ? page.body : undefined;
      });
      expect(likers.items.map((l) => l.displayName).sort()).toEqual(['Amy', 'Ben']);

      const thread = await eventually(async () => {
        const page = await call<ThreadPage>('GET', `/api/v1/posts/${post.id}/comments`);
        return page.body.items.find((c) => c.id === wadesComment.id)?.likeCount === 1
          ? page.body
          : undefined;
      });
      expect(thread.totals.comments).toBe(3);
      expect(thread.items.map((c) => [c.id, c.parentId, c.depth, c.number])).toEqual([
        [wadesComment.id, null, 1, 1],
        [amysReply.id, wadesComment.id, 2, null],
        [bensReply.id, amysReply.id, 3, null],
      ]);
      expect(thread.items[0]?.author).toMatchObject({ name: 'Wade', url: 'https://wade.example' });
      expect(JSON.stringify(thread)).not.toMatch(/@example\.com|@blog\.example/);
      // Amy's page is everyone's with her like marked, as the route of what is hers alone says.
      const mine = await call(
        'GET',
        `/api/v1/posts/${post.id}/comments/mine`,
        undefined,
        amy.accessToken,
      );
      expect(mine.body).toEqual({ postId: post.id, liked: [wadesComment.id], held: 0 });
      const amys = await call<ThreadPage>(
        'GET',
        `/api/v1/posts/${post.id}/comments`,
        undefined,
        amy.accessToken,
      );
      expect(amys.body.items.map((c) => [c.id, c.likedByViewer])).toEqual([
        [wadesComment.id, true],
        [amysReply.id, false],
        [bensReply.id, false],
      ]);
    });

    it("lets nobody edit or delete someone else's comment, and lets the writer do both", async () => {
      const edit = { body: 'Agreed, and the score by Arcade Fire! (edited)' };
      expect(
        (await call('PATCH', `/api/v1/comments/${bensReply.id}`, edit, amy.accessToken)).status,
      ).toBe(403);
      expect(
        (await call('DELETE', `/api/v1/comments/${bensReply.id}`, undefined, amy.accessToken))
          .status,
      ).toBe(403);
      expect((await call('PATCH', `/api/v1/comments/${bensReply.id}`, edit)).status).toBe(401);
      const edited = await call<{ edited: boolean }>(
        'PATCH',
        `/api/v1/comments/${bensReply.id}`,
        edit,
        ben.accessToken,
      );
      expect(edited.status).toBe(200);
      expect(edited.body.edited).toBe(true);
      expect(
        (await call('PATCH', `/api/v1/posts/${post.id}`, { title: 'Mine now' }, amy.accessToken))
          .status,
      ).toBe(403);
    });

    it('tells nobody of a comment that is spam from the start', async () => {
      const settings = await call(
        'PUT',
        '/api/v1/settings/comments',
        { spamWords: ['cheap pills'], floodSeconds: 0 },
        admin.accessToken,
      );
      expect(settings.status).toBe(200);
      const spam = await commentOnPost(
        { body: 'Cheap pills here!', parentId: amysReply.id },
        ben.accessToken,
      );
      expect(spam.status).toBe('spam');
      // A later comment is told as usual: once its mail is in, the spam's would be too.
      const later = await call<PostCommentResponse>(
        'POST',
        `/api/v1/posts/${post.id}/comments`,
        { body: 'A real answer after all.', parentId: amysReply.id },
        ben.accessToken,
      );
      await eventually(() => mailAbout('amy@example.com', later.body.id)[0]);
      expect(smtp.about(spam.id)).toEqual([]);
      const inbox = await call<InboxResponse>(
        'GET',
        '/api/v1/notifications',
        undefined,
        amy.accessToken,
      );
      expect(
        inbox.body.items.filter(
          (n) => n.subject.kind === 'comment' && n.subject.commentId === spam.id,
        ),
      ).toEqual([]);
      expect(amysStream.events.filter((e) => e.data.includes(spam.id))).toEqual([]);
    });

    it('keeps the discussion through unpublishing and publishing again', async () => {
      expect(
        (await call('POST', `/api/v1/posts/${post.id}/unpublish`, undefined, author.accessToken))
          .status,
      ).toBe(200);
      await eventually(async () =>
        (await call('GET', `/api/v1/posts/${post.slug}`)).status === 404 ? true : undefined,
      );
      expect(
        (await call('POST', `/api/v1/posts/${post.id}/publish`, undefined, author.accessToken))
          .status,
      ).toBe(200);
      const thread = await eventually(async () => {
        const page = await call<ThreadPage>('GET', `/api/v1/posts/${post.id}/comments`);
        return page.status === 200 && page.body.commentsOpen ? page.body : undefined;
      });
      expect(thread.items.map((c) => c.id)).toEqual(
        expect.arrayContaining([wadesComment.id, amysReply.id, bensReply.id]),
      );
    });

    it('carries a display name change to the comments already written and the likers', async () => {
      const renamed = await call<{ displayName: string }>(
        'PATCH',
        '/api/v1/me',
        { displayName: 'Amy P.' },
        amy.accessToken,
      );
      expect(renamed.status).toBe(200);
      await eventually(async () => {
        const thread = await call<ThreadPage>('GET', `/api/v1/posts/${post.id}/comments`);
        return thread.body.items.find((c) => c.id === amysReply.id)?.author?.name === 'Amy P.'
          ? true
          : undefined;
      });
      await eventually(async () => {
        const likers = await call<{ items: { displayName: string }[] }>(
          'GET',
          `/api/v1/posts/${post.id}/likes`,
        );
        return likers.body.items.some((l) => l.displayName === 'Amy P.') ? true : undefined;
      });
    });

    it('takes a comment posted the moment its post is published, and shows the post, every time', async () => {
      const missed: string[] = [];
      for (let i = 0; i < 10; i++) {
        const draft = await call<PostView>(
          'POST',
          '/api/v1/posts',
          { title: `Fresh ${i}`, body: 'Published and commented on at once.' },
          author.accessToken,
        );
        const published = await call(
          'POST',
          `/api/v1/posts/${draft.body.id}/publish`,
          undefined,
          author.accessToken,
        );
        expect(published.status).toBe(200);
        // No waiting: the reader acts on the answer.
        const [comment, found] = await Promise.all([
          call<PostCommentResponse>(
            'POST',
            `/api/v1/posts/${draft.body.id}/comments`,
            { body: `First on post ${i}!` },
            (i % 2 === 0 ? amy : ben).accessToken,
          ),
          call('GET', `/api/v1/posts/${draft.body.slug}`),
        ]);
        if (comment.status !== 201) missed.push(`comment ${i}: ${comment.status}`);
        if (found.status !== 200) missed.push(`post ${i}: ${found.status}`);
      }
      expect(missed).toEqual([]);
    });

    if (mode === 'distributed') {
      it('sent the database no query that a declared index does not serve', async () => {
        expect((await call('GET', `/posts/${post.slug}`)).status).toBe(200);
        const services = Object.entries(parley.services ?? {});
        expect(services).toHaveLength(4);
        const commands: Record<string, readonly DatabaseCommand[]> = {};
        const indexes: Record<string, Map<string, IndexKeys[]>> = {};
        for (const [name, service] of services) {
          commands[name] = service.infra.databaseCommands?.commands() ?? [];
          indexes[name] = await declaredIndexes(service.mongoUri ?? '');
        }
        expect(Object.values(commands).flat().length).toBeGreaterThan(100);
        expect(uncoveredShapes(commands, indexes, INTENDED_SCANS)).toEqual([]);
      });
    }
  });
}

story('embedded');
describeInfra('the story on Kafka and the Mongo-compatible server', () => story('distributed'));
