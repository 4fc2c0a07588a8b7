import type {
  Actor,
  CommentSettingsView,
  CommentView,
  CommentsPersonalData,
  DomainEvent,
  ExportCommentsPage,
  ModerationQueuePage,
  PostCommentResponse,
  ServiceErasure,
  ThreadItem,
  ThreadPage,
  ThreadViewerState,
} from '@parley/contracts';
import {
  type HarnessMode,
  type Problem,
  type ServiceHarness,
  eventually,
  publishEvents,
  startServiceHarness,
  storedEventBytes,
} from '@parley/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLIENT_HEADER,
  CommentsPersonalDataClient,
  ORIGIN_AGENT_HEADER,
  ORIGIN_IP_HEADER,
} from '@parley/platform';
import { guestPerson } from '@parley/privacy';
import { MAX_MARKDOWN_NESTING } from '@parley/text';
import { commentsService } from '../comments.service';
import { RetentionJob } from '../retention/retention.job';
import { expectInert, XSS_CORPUS } from './xss-corpus';

const account = (accountId: string, roles: Actor['roles'] = ['reader']): Actor => ({
  accountId,
  displayName: accountId.charAt(0).toUpperCase() + accountId.slice(1),
  roles,
});

const ann = account('ann', ['author']);
const bea = account('bea');
const cy = account('cy');
const dee = account('dee');
const mo = account('mo', ['moderator']);
const root = account('root', ['admin']);
const gus = { name: 'Gus', email: 'Gus@Example.com', url: 'https://gus.example' };

export function postDrafted(postId: string, title: string): DomainEvent<'parley.post.drafted.v2'> {
  return {
    type: 'parley.post.drafted.v2',
    data: {
      postId,
      authorId: 'ann',
      slug: title.toLowerCase().replace(/\W+/g, '-'),
      title,
      body: 'The quote of the week.',
      excerpt: 'The quote of the week.',
      categories: [],
      tags: [],
      series: null,
      commentSettings: { mode: 'open', autoCloseDays: null },
      draftedAt: '2026-11-20T08:00:00.000Z',
    },
  };
}

export function postPublished(
  postId: string,
  title: string,
): DomainEvent<'parley.post.published.v2'> {
  return {
    type: 'parley.post.published.v2',
    data: {
      postId,
      slug: title.toLowerCase().replace(/\W+/g, '-'),
      title,
      excerpt: 'The quote of the week.',
      authorId: 'ann',
      firstPublication: true,
      publishedAt: '2026-11-20T09:00:00.000Z',
      publishedBy: 'ann',
    },
  };
}

/**
 * The comments service through its HTTP API, on the real broker and Mongo-compatible
 * server or on the embedded adapters, with post and account events published on their
 * topics as their services' relays would, and a clock the test moves.
 */
export function commentsScenario(mode: HarnessMode): void {
  describe(`the comments service (${mode})`, () => {
    jest.setTimeout(mode === 'distributed' ? 120_000 : 30_000);
    const wait = { timeoutMs: mode === 'distributed' ? 30_000 : 10_000 };

    let offsetMs = 0;
    const clock = () => new Date(Date.now() + offsetMs);
    /** Moves time on past the flood interval, as a reader pausing between comments would. */
    const later = (seconds = 16) => {
      offsetMs += seconds * 1000;
    };
    let service: ServiceHarness;
    /** The embedded service's data folder, whose bytes are searched for personal data in clear. */
    let dataDir: string | undefined;
    const run = Date.now().toString(36);
    const postIdOf = (name: string) => `${name}-${run}`;

    /** Publishes a post's or an account's events as the relay of the service that owns them would. */
    const publishOf = (
      owner:
        | { topic: 'posts'; source: '/parley/posts' }
        | { topic: 'accounts'; source: '/parley/gateway' },
      streamId: string,
      events: DomainEvent[],
      fromVersion?: number,
    ) =>
      publishEvents(
        service.infra.bus,
        service.infra.topicName(owner.topic),
        owner.source,
        streamId,
        events,
        fromVersion,
      );
    const publishPostEvents = (postId: string, events: DomainEvent[], fromVersion?: number) =>
      publishOf({ topic: 'posts', source: '/parley/posts' }, `post-${postId}`, events, fromVersion);
    const publishAccountEvents = (accountId: string, events: DomainEvent[], fromVersion?: number) =>
      publishOf(
        { topic: 'accounts', source: '/parley/gateway' },
        `account-${accountId}`,
        events,
        fromVersion,
      );

    beforeAll(async () => {
      if (mode === 'embedded') dataDir = await mkdtemp(join(tmpdir(), 'parley-comments-'));
      service = await startServiceHarness(
        // A day, so that the retention test moves the clock two days rather than a month.
        commentsService({ personalData: { retentionDays: 1 } }),
        mode,
        { clock, ...(dataDir ? { dataDir } : {}) },
      );
      // Comments name an account by id: the name shown is the one its account events bring.
      for (const who of [ann, bea, cy, dee, mo, root, account('eve')])
        await publishAccountEvents(who.accountId, [
          {
            type: 'parley.account.registered.v2',
            data: {
              accountId: who.accountId,
              email: `${who.accountId}@example.com`,
              displayName: who.displayName,
              roles: who.roles,
              registeredAt: clock().toISOString(),
            },
          },
        ]);
    });

    afterAll(async () => {
      await service?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    const storedBytes = () => storedEventBytes({ dataDir, mongoUri: service.mongoUri });

    async function publishPost(name: string, title = `Movie Quote Monday ${name}`) {
      const postId = postIdOf(name);
      await publishPostEvents(postId, [postDrafted(postId, title), postPublished(postId, title)]);
      await eventually(
        async () =>
          (await service.request('GET', `/v1/posts/${postId}/comments`)).status === 200 ||
          undefined,
        wait,
      );
      return postId;
    }

    const comment = <T = Problem>(
      postId: string,
      body: string,
      as: Actor | null,
      extra: Record<string, unknown> = {},
    ) => {
      later();
      return service.request<T>('POST', `/v1/posts/${postId}/comments`, { body, ...extra }, as);
    };

    async function posted(
      postId: string,
      body: string,
      as: Actor | null,
      extra: Record<string, unknown> = {},
    ): Promise<PostCommentResponse> {
      const response = await comment<PostCommentResponse>(postId, body, as, extra);
      expect(response.status).toBe(201);
      return response.body;
    }

    const thread = (postId: string, query = '', as: Actor | null = null) =>
      service.request<ThreadPage & Problem>(
        'GET',
        `/v1/posts/${postId}/comments${query}`,
        undefined,
        as,
      );

    /** Polls the thread until it shows what the test expects (projections are asynchronous). */
    async function threadWhen(
      postId: string,
      ready: (page: ThreadPage) => boolean,
      query = '',
      as: Actor | null = null,
    ): Promise<ThreadPage> {
      return eventually(async () => {
        const response = await thread(postId, query, as);
        return response.status === 200 && ready(response.body) ? response.body : undefined;
      }, wait);
    }

    /** What the thread shows `as` alone: their likes and how many of their comments are held. */
    const mine = async (postId: string, query = '', as: Actor | null = null) =>
      (
        await service.request<ThreadViewerState>(
          'GET',
          `/v1/posts/${postId}/comments/mine${query}`,
          undefined,
          as,
        )
      ).body;

    const ids = (page: ThreadPage) => page.items.map((item) => item.id);
    const item = (page: ThreadPage, id: string) => page.items.find((i) => i.id === id);

    const moderate = (commentId: string, status: string, as: Actor) =>
      service.request<CommentView>('POST', `/v1/comments/${commentId}/moderation`, { status }, as);
    const edit = <T = CommentView>(commentId: string, body: string, as: Actor) =>
      service.request<T>('PATCH', `/v1/comments/${commentId}`, { body }, as);
    const like = (commentId: string, as: Actor) =>
      service.request('PUT', `/v1/comments/${commentId}/like`, undefined, as);
    const remove = (commentId: string, as: Actor) =>
      service.request('DELETE', `/v1/comments/${commentId}`, undefined, as);
    const restore = (commentId: string, as: Actor) =>
      service.request<CommentView>('POST', `/v1/comments/${commentId}/restore`, undefined, as);
    /** The moderation queue of a post; `query` goes on with `&`. */
    const moderationQueue = (postId: string, as: Actor, query = '') =>
      service.request<ModerationQueuePage & Problem>(
        'GET',
        `/v1/moderation/queue?postId=${postId}${query}`,
        undefined,
        as,
      );

    it("keeps a guest's name, email and website sealed in its events and opens them for services and admins only", async () => {
      const postId = await publishPost('sealed');
      const vera = {
        name: 'Vera Sealwright',
        email: 'Vera@Sealed.example',
        url: 'https://vera.example',
      };
      const mine = await posted(postId, 'Sealed, I hope.', null, { author: vera });
      expect(mine.comment.author).toMatchObject({ name: vera.name, url: vera.url });
      await moderate(mine.id, 'approved', mo);
      const page = await threadWhen(postId, (p) => p.items.length === 1);
      expect(page.items[0]?.author).toMatchObject({
        kind: 'guest',
        name: vera.name,
        url: vera.url,
      });

      const { events } = await service.infra.eventStore.readStream(`comment-${mine.id}`);
      const [postedEvent] = events;
      if (postedEvent?.type !== 'parley.comment.posted.v3') throw new Error('a posted event');
      const author = postedEvent.data.author;
      if (author.kind !== 'guest') throw new Error('a guest');
      const stored = JSON.stringify(events).toLowerCase();
      for (const plaintext of ['vera sealwright', 'vera@sealed.example', 'vera.example'])
        expect(stored).not.toContain(plaintext);
      const values = [
        { field: 'comment.author.name', value: author.name },
        { field: 'comment.author.email', value: author.email },
        { field: 'comment.author.url', value: author.url },
      ];
      const open = (as: Actor | null) =>
        service.request<{ values: unknown[] }>('POST', '/v1/personal-data/opened', { values }, as);
      expect((await open(root)).body.values).toEqual([
        { status: 'plain', value: vera.name },
        { status: 'plain', value: 'vera@sealed.example' },
        { status: 'plain', value: vera.url },
      ]);
      expect((await open(mo)).status).toBe(403);
      expect((await open(null)).status).toBe(401);
      // A value opens only as the field it was sealed for.
      const moved = await service.request<{ values: unknown[] }>(
        'POST',
        '/v1/personal-data/opened',
        { values: [{ field: 'comment.author.name', value: author.email }] },
        root,
      );
      expect(moved.body.values).toEqual([{ status: 'unreadable' }]);

      // The client other services use: plaintext written before sealing needs no call.
      const client = new CommentsPersonalDataClient(service.url, root);
      expect(
        await client.open([
          { field: 'comment.author.name', value: author.name },
          { field: 'comment.author.name', value: 'Written Before Sealing' },
        ]),
      ).toEqual([
        { status: 'plain', value: vera.name },
        { status: 'plain', value: 'Written Before Sealing' },
      ]);

      await service.infra.personKeys.destroy(guestPerson(vera.email));
      expect(await client.open([{ field: 'comment.author.email', value: author.email }])).toEqual([
        { status: 'erased' },
      ]);
      expect((await open(root)).body.values).toEqual([
        { status: 'erased' },
        { status: 'erased' },
        { status: 'erased' },
      ]);
    });

    it('returns a real blog discussion in display order with its nesting and numbers', async () => {
      const postId = await publishPost('discussion');
      const a = await posted(postId, 'First! What a line.', bea);
      const b = await posted(postId, 'I quote it every **Monday**.', null, { author: gus });
      expect(b).toMatchObject({
        status: 'pending',
        message: 'Your comment is awaiting moderation',
      });
      expect(b.viewerToken?.length).toBeGreaterThanOrEqual(16);
      expect((await moderate(b.id, 'approved', ann)).status).toBe(200);
      const c = await posted(postId, 'Never seen the film, now I must.', cy);
      const a1 = await posted(postId, 'Same here, it is a classic.', cy, { parentId: a.id });
      const a2 = await posted(postId, 'The sequel is better 🎬', bea, { parentId: a1.id });
      const a3 = await posted(postId, 'Strongly disagree!', dee, { parentId: a2.id });
      const b1 = await posted(postId, 'Thanks Gus, glad you liked it.', ann, { parentId: b.id });
      expect(a3.comment.depth).toBe(4);
      expect(b1.status).toBe('approved');

      const page = await threadWhen(
        postId,
        (p) => p.items.length === 7 && p.totals.comments === 7 && p.totals.threads === 3,
      );
      expect(ids(page)).toEqual([a.id, a1.id, a2.id, a3.id, b.id, b1.id, c.id]);
      expect(page.items.map((i) => [i.depth, i.number, i.parentId])).toEqual([
        [1, 1, null],
        [2, null, a.id],
        [3, null, a1.id],
        [4, null, a2.id],
        [1, 2, null],
        [2, null, b.id],
        [1, 3, null],
      ]);
      expect(page.items.map((i) => i.replyCount)).toEqual([1, 1, 1, 0, 1, 0, 0]);
      expect(page.totals.pages).toBe(1);
      expect(item(page, b.id)?.author).toMatchObject({ kind: 'guest', name: 'Gus', url: gus.url });
      expect(item(page, b1.id)?.author).toMatchObject({ kind: 'account', accountId: 'ann' });
      expect(item(page, a2.id)?.html).toBe('<p>The sequel is better 🎬</p>');
      expect(JSON.stringify(page).toLowerCase()).not.toContain('gus@example.com');

      const newest = (await thread(postId, '?order=newest')).body;
      expect(ids(newest)).toEqual([c.id, b.id, b1.id, a.id, a1.id, a2.id, a3.id]);
      // A comment keeps its number whichever order the thread is read in, and read alone.
      expect(newest.items.filter((i) => i.number !== null).map((i) => i.number)).toEqual([3, 2, 1]);
      const alone = await service.request<ThreadItem>('GET', `/v1/comments/${c.id}`);
      expect(alone.body.number).toBe(3);
      expect((await service.request<ThreadItem>('GET', `/v1/comments/${b1.id}`)).body.number).toBe(
        null,
      );
    });

    it("gives an admin's export a post's comments in every status with guests' addresses, page by page, and refuses anyone else", async () => {
      const postId = await publishPost('export');
      const top = await posted(postId, 'Kept for the export.', null, { author: gus });
      expect((await moderate(top.id, 'approved', root)).status).toBe(200);
      const reply = await posted(postId, 'An answer.', bea, { parentId: top.id });
      const spam = await posted(postId, 'Cheap pills.', cy);
      expect((await moderate(spam.id, 'spam', root)).status).toBe(200);
      const trashed = await posted(postId, 'Off topic.', dee);
      expect((await moderate(trashed.id, 'trash', root)).status).toBe(200);
      const held = await posted(postId, 'Held back.', null, {
        author: { name: 'Hal', email: 'hal@example.com' },
      });

      const exportPage = (query: string, as: Actor | null) =>
        service.request<ExportCommentsPage & Problem>(
          'GET',
          `/v1/exports/comments?postId=${postId}${query}`,
          undefined,
          as,
        );
      expect((await exportPage('', null)).status).toBe(401);
      expect((await exportPage('', mo)).status).toBe(403);
      expect((await exportPage('', ann)).status).toBe(403);

      const all = await eventually(async () => {
        const items: ExportCommentsPage['items'] = [];
        let after = '';
        for (;;) {
          const page = await exportPage(`&limit=2${after ? `&after=${after}` : ''}`, root);
          expect(page.status).toBe(200);
          items.push(...page.body.items);
          if (!page.body.nextAfter) break;
          after = page.body.nextAfter;
        }
        return items.length === 5 && items.find((c) => c.id === trashed.id)?.status === 'trash'
          ? items
          : undefined;
      }, wait);
      expect(all.map((c) => [c.id, c.parentId, c.status, c.author.kind, c.author.email])).toEqual([
        [top.id, null, 'approved', 'guest', 'gus@example.com'],
        [reply.id, top.id, 'approved', 'account', null],
        [spam.id, null, 'spam', 'account', null],
        [trashed.id, null, 'trash', 'account', null],
        [held.id, null, 'pending', 'guest', 'hal@example.com'],
      ]);
    });

    it("gives one person's comments and likes to that account or an admin, and to nobody else", async () => {
      const postId = await publishPost('personal-data');
      const pia = account(`pia-${run}`);
      const pat = { name: 'Pat', email: `Pat-${run}@Example.com`, url: 'https://pat.example' };
      const top = await posted(postId, 'Written by Pat.', null, { author: pat });
      expect((await moderate(top.id, 'approved', root)).status).toBe(200);
      const reply = await posted(postId, 'Written by Pia.', pia, { parentId: top.id });
      await posted(postId, 'Written by Cy.', cy);
      expect((await like(top.id, pia)).status).toBeLessThan(300);

      const ask = (query: string, as: Actor | null) =>
        service.request<CommentsPersonalData & Problem>(
          'GET',
          `/v1/personal-data?${query}`,
          undefined,
          as,
        );
      const piasOwn = await eventually(async () => {
        const got = await ask(`accountId=${pia.accountId}`, pia);
        return got.status === 200 && got.body.likes.length === 1 ? got.body : undefined;
      }, wait);
      expect(piasOwn.comments.map((c) => [c.id, c.body, c.parentId, c.author.email])).toEqual([
        [reply.id, 'Written by Pia.', top.id, null],
      ]);
      expect(piasOwn.likes).toEqual([
        {
          commentId: top.id,
          postId,
          postTitle: 'Movie Quote Monday personal-data',
          postSlug: 'movie-quote-monday-personal-data',
        },
      ]);
      expect((await ask(`accountId=${pia.accountId}`, root)).body.comments).toHaveLength(1);

      const email = encodeURIComponent(pat.email.toLowerCase());
      const pats = await ask(`email=${email}`, root);
      expect(pats.status).toBe(200);
      expect(pats.body.comments.map((c) => [c.id, c.author.name, c.author.email])).toEqual([
        [top.id, 'Pat', pat.email.toLowerCase()],
      ]);
      expect(pats.body.likes).toEqual([]);

      expect((await ask(`accountId=${pia.accountId}`, null)).status).toBe(401);
      expect((await ask(`accountId=${pia.accountId}`, cy)).status).toBe(403);
      expect((await ask(`email=${email}`, pia)).status).toBe(403);
      expect((await ask(`email=${email}&accountId=${pia.accountId}`, root)).status).toBe(400);
      expect((await ask('', root)).status).toBe(400);
    });

    it('takes a comment posted the moment a post is published, and shows its thread, every time', async () => {
      const refused: string[] = [];
      for (let i = 0; i < 20; i++) {
        const postId = postIdOf(`just-published-${i}`);
        // Resolves once the events are on the posts topic, as the posts service's answer does.
        await publishPostEvents(postId, [
          postDrafted(postId, `Just published ${i}`),
          postPublished(postId, `Just published ${i}`),
        ]);
        const [written, page] = await Promise.all([
          comment(postId, `Right away, number ${i}`, bea),
          thread(postId),
        ]);
        if (written.status !== 201)
          refused.push(`comment ${i}: ${written.status} ${written.body.code}`);
        if (page.status !== 200) refused.push(`thread ${i}: ${page.status} ${page.body.code}`);
      }
      expect(refused).toEqual([]);
      // A post that really is unknown is still refused, once the view has caught up.
      expect((await comment(postIdOf('never-drafted'), 'Hello?', bea)).body.code).toBe(
        'post-not-found',
      );
    });

    it('answers a write once its writer can read it: post, edit, approve and delete show at once', async () => {
      const postId = await publishPost('read-your-writes');
      // No polling below: each read follows its write's answer immediately.
      const mine = await posted(postId, 'Posted and there when the page reloads', bea);
      expect(ids((await thread(postId)).body)).toEqual([mine.id]);

      const held = await posted(postId, 'A guest, held for moderation', null, {
        author: { name: 'Rue', email: 'rue@example.com' },
      });
      expect(held.status).toBe('pending');
      const own = (await thread(postId, `?viewerToken=${held.viewerToken}`)).body;
      expect(item(own, held.id)?.message).toBe('Your comment is awaiting moderation');

      expect((await edit(mine.id, 'Edited, and the edit shows at once', bea)).status).toBe(200);
      expect(item((await thread(postId)).body, mine.id)?.html).toBe(
        '<p>Edited, and the edit shows at once</p>',
      );

      expect((await moderate(held.id, 'approved', mo)).status).toBe(200);
      expect(ids((await thread(postId)).body)).toEqual([mine.id, held.id]);

      expect((await remove(held.id, mo)).status).toBeLessThan(300);
      expect(ids((await thread(postId)).body)).toEqual([mine.id]);
    });

    it('tags an anonymous reader’s thread page and answers 304 until a write, an edit, a like or moderation changes it', async () => {
      const postId = await publishPost('etag');
      const first = await posted(postId, 'Tagged from the start', bea);
      const read = (etag?: string, as: Actor | null = null) =>
        service.request<ThreadPage>(
          'GET',
          `/v1/posts/${postId}/comments`,
          undefined,
          as,
          etag ? { 'if-none-match': etag } : {},
        );
      const fresh = await read();
      const tag = fresh.headers.get('etag');
      expect(tag).toMatch(/^"[^"]+"$/);
      expect(ids(fresh.body)).toEqual([first.id]);
      expect((await read()).headers.get('etag')).toBe(tag);
      const unchanged = await read(tag ?? undefined);
      expect(unchanged.status).toBe(304);
      expect(unchanged.body).toBeFalsy();
      // A signed-in reader's page is their own (likes, own held comments): never tagged as shared.
      expect((await read(undefined, cy)).headers.get('etag')).toBeNull();
      expect((await read(tag ?? undefined, cy)).status).toBe(200);

      /** Each change answers, then the old tag gets the changed page at once: no polling. */
      const changedBy = async (
        change: () => Promise<unknown>,
        shows: (p: ThreadPage) => boolean,
      ) => {
        const before = (await read()).headers.get('etag') ?? '';
        await change();
        const after = await read(before);
        expect(after.status).toBe(200);
        expect(after.headers.get('etag')).not.toBe(before);
        expect(shows(after.body)).toBe(true);
      };
      let second = first;
      await changedBy(
        async () => (second = await posted(postId, 'A second one', cy)),
        (p) => ids(p).includes(second.id) && p.totals.comments === 2,
      );
      await changedBy(
        () => edit(first.id, 'Edited', bea),
        (p) => item(p, first.id)?.html === '<p>Edited</p>',
      );
      await changedBy(
        () => moderate(second.id, 'trash', mo),
        (p) => ids(p).join() === first.id && p.totals.comments === 1,
      );
      // A like is applied by the projection after its answer: the page changes once it is counted.
      const beforeLike = (await read()).headers.get('etag') ?? '';
      expect((await like(first.id, dee)).status).toBeLessThan(300);
      const liked = await eventually(async () => {
        const after = await read(beforeLike);
        return after.status === 200 && item(after.body, first.id)?.likeCount === 1
          ? after
          : undefined;
      }, wait);
      expect(liked.headers.get('etag')).not.toBe(beforeLike);
    });

    it('pages by top-level thread and keeps every reply on its thread’s page', async () => {
      const postId = await publishPost('pages');
      expect(
        (await service.request('PUT', '/v1/settings', { commentsPerPage: 2 }, root)).status,
      ).toBe(200);
      try {
        const first = await posted(postId, 'one', bea);
        const reply = await posted(postId, 'reply to one', cy, { parentId: first.id });
        const second = await posted(postId, 'two', dee);
        const third = await posted(postId, 'three', bea);
        const one = await threadWhen(
          postId,
          (p) => p.totals.comments === 4 && p.totals.threads === 3,
        );
        expect(ids(one)).toEqual([first.id, reply.id, second.id]);
        expect(one.totals).toEqual({ comments: 4, threads: 3, pages: 2 });
        const two = (await thread(postId, '?page=2')).body;
        expect(ids(two)).toEqual([third.id]);
        expect(two.items[0]?.number).toBe(3);
      } finally {
        await service.request('PUT', '/v1/settings', { commentsPerPage: 50 }, root);
      }
    });

    it('shows a held comment to its guest and moderators only, then after approval, and hides it once trashed', async () => {
      const postId = await publishPost('held');
      const shown = await posted(postId, 'Visible from the start', bea);
      const held = await posted(postId, 'My first comment here', null, {
        author: { name: 'Hal', email: 'hal@example.com' },
      });
      expect(held.status).toBe('pending');

      await threadWhen(postId, (p) => p.items.length === 1);
      const asGuest = await threadWhen(
        postId,
        (p) => p.items.length === 2,
        `?viewerToken=${held.viewerToken}`,
      );
      expect(item(asGuest, held.id)).toMatchObject({
        status: 'pending',
        message: 'Your comment is awaiting moderation',
      });
      expect(await mine(postId, `?viewerToken=${held.viewerToken}`)).toEqual({
        postId,
        liked: [],
        held: 1,
      });
      expect(await mine(postId)).toEqual({ postId, liked: [], held: 0 });
      expect((await thread(postId, '?view=moderation', bea)).status).toBe(403);
      const forModerators = (await thread(postId, '?view=moderation', mo)).body;
      expect(item(forModerators, held.id)).toMatchObject({
        status: 'pending',
        moderationReason: 'first-comment',
      });
      const queue = await moderationQueue(postId, mo);
      expect(queue.body.items.map((i) => i.id)).toEqual([held.id]);
      expect(queue.body.items[0]?.post).toMatchObject({ id: postId });

      expect((await moderate(held.id, 'approved', bea)).status).toBe(403);
      expect((await moderate(held.id, 'approved', mo)).body.status).toBe('approved');
      const approved = await threadWhen(postId, (p) => p.items.length === 2);
      expect(ids(approved)).toEqual([shown.id, held.id]);
      expect(item(approved, held.id)?.message).toBeNull();

      expect((await moderate(held.id, 'trash', mo)).body.status).toBe('trash');
      // Gone from the thread and from "N Comments".
      const trashed = await threadWhen(
        postId,
        (p) => p.items.length === 1 && p.totals.comments === 1,
      );
      expect(ids(trashed)).toEqual([shown.id]);

      const restored = await restore(held.id, mo);
      expect(restored.body.status).toBe('approved');
      await threadWhen(postId, (p) => p.items.length === 2);
    });

    it('lists the trash, restores from it and empties it; moderators see who a guest is', async () => {
      const postId = await publishPost('trash-and-guests');
      const fromHal = { [CLIENT_HEADER]: 'client-key-of-hal' };
      const asGuest = async (name: string, email: string, body: string) => {
        later();
        const response = await service.request<PostCommentResponse>(
          'POST',
          `/v1/posts/${postId}/comments`,
          { body, author: { name, email, url: 'https://hal.example' } },
          null,
          fromHal,
        );
        expect(response.status).toBe(201);
        return response.body;
      };
      const first = await asGuest('Hal', 'hal.t@example.com', 'First words from Hal');
      const second = await asGuest('Hal Again', 'hal.t2@example.com', 'More words from Hal');
      const queue = (query: string, as: Actor) => moderationQueue(postId, as, `&${query}`);
      const listed = (page: ModerationQueuePage) => page.items.map((i) => i.id).sort();

      const held = await eventually(async () => {
        const page = (await queue('status=pending', mo)).body;
        return page.items.length === 2 ? page : undefined;
      }, wait);
      expect(held.items.find((i) => i.id === first.id)?.guest).toEqual({
        email: 'hal.t@example.com',
        url: 'https://hal.example',
        sameClient: { approved: 0, pending: 2, spam: 0, trash: 0 },
      });
      // The post's author moderates it but is not shown a guest's email.
      expect((await queue('status=pending', ann)).body.items.map((i) => i.guest)).toEqual([
        null,
        null,
      ]);

      expect((await moderate(first.id, 'trash', mo)).body.status).toBe('trash');
      expect((await moderate(second.id, 'trash', mo)).body.status).toBe('trash');
      const trash = (await queue('status=trash', mo)).body;
      expect(listed(trash)).toEqual([first.id, second.id].sort());
      expect(trash.items[0]?.guest?.sameClient).toEqual({
        approved: 0,
        pending: 0,
        spam: 0,
        trash: 2,
      });
      expect(listed((await queue('status=trash', ann)).body)).toEqual(listed(trash));
      expect((await queue('status=trash', bea)).status).toBe(403);

      const restored = await restore(first.id, mo);
      expect(restored.body.status).toBe('pending');
      expect(listed((await queue('status=trash', mo)).body)).toEqual([second.id]);
      expect(listed((await queue('status=pending', mo)).body)).toEqual([first.id]);

      expect(
        (await service.request('POST', '/v1/moderation/trash/empty', undefined, bea)).status,
      ).toBe(403);
      const emptied = await service.request<{ deleted: number }>(
        'POST',
        '/v1/moderation/trash/empty',
        undefined,
        mo,
      );
      expect(emptied.status).toBe(200);
      expect(emptied.body.deleted).toBeGreaterThanOrEqual(1);
      expect((await queue('status=trash', mo)).body.items).toEqual([]);
      expect(listed((await queue('status=pending', mo)).body)).toEqual([first.id]);
      // Deleted for good: it cannot be restored any more.
      expect((await restore(second.id, mo)).status).toBe(409);
    });

    it('holds a comment with a hold word, shown only to its account until approved', async () => {
      const postId = await publishPost('hold-words');
      expect(
        (await service.request('PUT', '/v1/settings', { holdWords: ['casino'] }, root)).status,
      ).toBe(200);
      try {
        const held = await posted(postId, 'Come to my CASINO night', bea);
        expect(held).toMatchObject({
          status: 'pending',
          message: 'Your comment is awaiting moderation',
        });
        expect(held.viewerToken).toBeUndefined();
        const forBea = await threadWhen(postId, (p) => p.items.length === 1, '', bea);
        expect(forBea.items[0]).toMatchObject({ id: held.id, status: 'pending' });
        expect((await thread(postId, '', cy)).body.items).toEqual([]);
        expect([(await mine(postId, '', bea)).held, (await mine(postId, '', cy)).held]).toEqual([
          1, 0,
        ]);
        const queue = await moderationQueue(postId, ann);
        expect(queue.body.items.map((i) => [i.id, i.moderationReason])).toEqual([
          [held.id, 'hold-word'],
        ]);
        // Approved from the trash, it is no longer held for anything, as when approved directly.
        expect((await moderate(held.id, 'trash', ann)).body.status).toBe('trash');
        expect((await moderate(held.id, 'approved', ann)).body.status).toBe('approved');
        const forModerators = (await thread(postId, '?view=moderation', ann)).body;
        expect(item(forModerators, held.id)).toMatchObject({
          status: 'approved',
          moderationReason: null,
        });
      } finally {
        await service.request('PUT', '/v1/settings', { holdWords: [] }, root);
      }
    });

    it('renders an XSS corpus inert', async () => {
      const postId = await publishPost('xss');
      // One writer each: some bodies differ only in case or Markdown marks, which reads as a duplicate.
      for (const [i, body] of XSS_CORPUS.entries())
        await posted(postId, body, account(`xena${i}`, ['moderator']));
      const page = await threadWhen(postId, (p) => p.items.length === XSS_CORPUS.length);
      for (const shown of page.items) expectInert(shown.html);
      expect(page.items.map((i) => i.body)).toEqual(XSS_CORPUS.map((b) => b.trim()));
    });

    it('lands every one of many concurrent replies to one comment', async () => {
      const postId = await publishPost('concurrent');
      const parent = await posted(postId, 'Reply to me, everyone', bea);
      const readers = Array.from({ length: 8 }, (_, i) => account(`reader${i}`));
      const replies = await Promise.all(
        readers.map((reader) =>
          service.request<PostCommentResponse>(
            'POST',
            `/v1/posts/${postId}/comments`,
            { body: `Reply from ${reader.accountId}`, parentId: parent.id },
            reader,
          ),
        ),
      );
      expect(replies.map((r) => r.status)).toEqual(readers.map(() => 201));
      const page = await threadWhen(postId, (p) => p.items.length === 9);
      expect(item(page, parent.id)?.replyCount).toBe(8);
      expect(new Set(ids(page).slice(1))).toEqual(new Set(replies.map((r) => r.body.id)));
      expect(page.items.slice(1).every((i) => i.parentId === parent.id && i.depth === 2)).toBe(
        true,
      );
    });

    it('edits within the window, leaves a tombstone for a deleted comment with replies, and counts likes', async () => {
      const postId = await publishPost('editing');
      const a = await posted(postId, 'Orignal text', bea);
      const reply = await posted(postId, 'A reply', cy, { parentId: a.id });
      const lonely = await posted(postId, 'Nobody answers me', dee);

      const edited = await edit(a.id, 'Original text', bea);
      expect(edited.body).toMatchObject({ edited: true, html: '<p>Original text</p>' });
      const notHers = await edit<Problem>(a.id, 'Hacked', cy);
      expect(notHers.status).toBe(403);
      later(16 * 60);
      const late = await edit<Problem>(a.id, 'Too late', bea);
      expect(late.status).toBe(422);
      expect(late.body.code).toBe('edit-window-closed');
      expect((await edit(reply.id, 'A reply (edited by a moderator)', mo)).body.edited).toBe(true);

      for (const liker of [cy, dee, cy]) expect((await like(a.id, liker)).status).toBe(200);
      const liked = await threadWhen(postId, (p) => item(p, a.id)?.likeCount === 2, '', cy);
      expect(item(liked, a.id)?.likedByViewer).toBe(true);
      expect(await mine(postId, '', cy)).toEqual({ postId, liked: [a.id], held: 0 });
      // With nothing of theirs held, a reader's page is everyone's page with their likes marked.
      const everyone = (await thread(postId)).body;
      for (const liker of [cy, dee])
        expect((await thread(postId, '', liker)).body).toEqual({
          ...everyone,
          items: everyone.items.map((i) => ({ ...i, likedByViewer: i.id === a.id })),
        });
      expect((await thread(postId, '', bea)).body).toEqual(everyone);
      await service.request('DELETE', `/v1/comments/${a.id}/like`, undefined, cy);
      await threadWhen(postId, (p) => item(p, a.id)?.likeCount === 1);

      expect((await remove(a.id, bea)).status).toBe(204);
      expect((await remove(lonely.id, dee)).status).toBe(204);
      const after = await threadWhen(
        postId,
        (p) => p.items.length === 2 && item(p, a.id)?.deleted === true && p.totals.comments === 1,
      );
      expect(after.items.map((i) => [i.id, i.deleted, i.message])).toEqual([
        [a.id, true, 'This comment was deleted'],
        [reply.id, false, null],
      ]);
      expect(item(after, a.id)).toMatchObject({ author: null, body: '', html: '', number: 1 });
      expect(item(after, reply.id)?.edited).toBe(true);
    });

    it('refuses floods with Retry-After, duplicates, closed posts and bad input, saying why', async () => {
      const postId = await publishPost('rules');
      await posted(postId, 'Hello there', bea);
      const flood = await service.request<Problem>(
        'POST',
        `/v1/posts/${postId}/comments`,
        { body: 'Hello again' },
        bea,
      );
      expect(flood.status).toBe(429);
      expect(flood.body.code).toBe('comment-flood');
      const retryAfter = Number(flood.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15);
      expect(flood.body.details?.retryAfterSeconds).toBe(retryAfter);

      const duplicate = await comment(postId, ' Hello   there ', bea);
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.code).toBe('duplicate-comment');

      expect((await comment(postIdOf('nowhere'), 'Hi', bea)).status).toBe(404);
      const guestWithoutName = await comment(postId, 'Hi', null);
      expect(guestWithoutName.status).toBe(400);
      expect(guestWithoutName.body.errors?.map((e) => e.field)).toEqual(['author']);
      const bad = await comment(postId, 'Hi', null, {
        author: { name: '', email: 'not-an-email' },
        extra: 1,
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors?.map((e) => e.field).sort()).toEqual([
        'author.email',
        'author.name',
        'extra',
      ]);

      await publishPostEvents(
        postId,
        [
          {
            type: 'parley.post.comment-settings-changed.v1',
            data: {
              postId,
              commentSettings: { mode: 'closed', autoCloseDays: null },
              changedBy: 'ann',
              changedAt: '2026-11-21T09:00:00.000Z',
            },
          },
        ],
        3,
      );
      await threadWhen(postId, (p) => !p.commentsOpen);
      const closed = await comment(postId, 'Too late to the party', cy);
      expect(closed.status).toBe(409);
      expect(closed.body.code).toBe('comments-closed');
    });

    it('takes a comment of 3,000 nested quotes and shows it with its nesting capped', async () => {
      const postId = await publishPost('deep-quotes');
      const deep = await posted(postId, `${'>'.repeat(3000)} the deepest quote`, bea);
      const page = await threadWhen(postId, (p) => p.items.length === 1);
      const html = item(page, deep.id)?.html ?? '';
      expect(html).toContain('the deepest quote');
      expect(html.match(/<blockquote>/g)).toHaveLength(MAX_MARKDOWN_NESTING);
    });

    it('keys flood control and duplicates on the client address and the text as read, not on the email', async () => {
      const postId = await publishPost('rotating-emails');
      const spammer = { [CLIENT_HEADER]: 'client-key-of-the-spammer' };
      const asGuest = (n: number, body: string, headers: Record<string, string> = spammer) =>
        service.request<Problem>(
          'POST',
          `/v1/posts/${postId}/comments`,
          { body, author: { name: `Sam ${n}`, email: `sam${n}@spam.example` } },
          null,
          headers,
        );

      // Six comments in a moment from one address, each under another email: one gets through.
      later();
      const burst = [];
      for (let n = 0; n < 6; n += 1) burst.push(await asGuest(n, `Message number ${n}`));
      expect(burst.map((r) => r.status)).toEqual([201, 429, 429, 429, 429, 429]);
      expect(burst[5]!.body.code).toBe('comment-flood');

      // The same text from five emails, a reader's pause apart: only the first.
      const spam = 'Cheap watches at https://watches.example, the best prices on the whole web!';
      const repeats = [];
      for (let n = 10; n < 15; n += 1) {
        later();
        repeats.push(await asGuest(n, spam));
      }
      expect(repeats.map((r) => r.status)).toEqual([201, 409, 409, 409, 409]);
      expect(repeats[4]!.body.code).toBe('duplicate-comment');
      later();
      const elsewhere = { [CLIENT_HEADER]: 'client-key-of-somebody-else' };
      expect((await asGuest(20, `**${spam.toUpperCase()}**`, elsewhere)).status).toBe(409);

      // The same email again with its text in capitals, from another address.
      later();
      expect(
        (await asGuest(30, 'Visit my site', { [CLIENT_HEADER]: 'client-key-number-thirty' }))
          .status,
      ).toBe(201);
      later();
      const shouted = await asGuest(30, 'VISIT  MY *SITE*', {
        [CLIENT_HEADER]: 'client-key-number-thirty-1',
      });
      expect(shouted.status).toBe(409);
      expect(shouted.body.code).toBe('duplicate-comment');

      // Two people saying a short thing from their own addresses are not a duplicate.
      later();
      expect(
        (await asGuest(40, 'Thanks!', { [CLIENT_HEADER]: 'client-key-number-forty' })).status,
      ).toBe(201);
      later();
      expect(
        (await asGuest(41, 'thanks', { [CLIENT_HEADER]: 'client-key-number-forty-1' })).status,
      ).toBe(201);
    });

    it('shows a new display name on comments already written', async () => {
      const postId = await publishPost('renamed');
      const written = await posted(postId, 'Signed with my old name', dee);
      // Read once first, so an answer kept from before the rename would show here.
      expect(item((await thread(postId)).body, written.id)?.author?.name).toBe('Dee');
      await publishAccountEvents(
        'dee',
        [
          {
            type: 'parley.account.display-name-changed.v2',
            data: { accountId: 'dee', displayName: 'Dee Dee', changedAt: clock().toISOString() },
          },
        ],
        2,
      );
      const page = await threadWhen(postId, (p) => item(p, written.id)?.author?.name === 'Dee Dee');
      expect(page.items).toHaveLength(1);
    });

    it('erases a guest and an account: "Deleted reader" in place or tombstones, replies kept, once, for admins and the account itself', async () => {
      const postId = await publishPost('erasure');
      const ida = { name: 'Ida', email: 'Ida@Example.com', url: 'https://ida.example' };
      const eve = account('eve');
      const idaKey = await service.infra.personKeys.keyFor(guestPerson(ida.email));
      const first = await posted(postId, 'Loved the quote.', null, { author: ida });
      expect((await moderate(first.id, 'approved', root)).status).toBe(200);
      const answer = await posted(postId, 'So did I.', bea, { parentId: first.id });
      const again = await posted(postId, 'And the sequel.', null, { author: ida });
      expect((await moderate(again.id, 'approved', root)).status).toBe(200);
      const held = await posted(postId, 'Still waiting for a moderator.', null, { author: ida });
      expect((await moderate(held.id, 'pending', root)).status).toBe(200);
      const byEve = await posted(postId, 'Eve was here.', eve);
      const toEve = await posted(postId, 'Hello Eve.', cy, { parentId: byEve.id });
      await threadWhen(postId, (p) => p.items.length === 5);

      const erase = (body: Record<string, unknown>, as: Actor | null) =>
        service.request<ServiceErasure & Problem>('POST', '/v1/personal-data/erasures', body, as);
      expect((await erase({ email: 'ida@example.com' }, null)).status).toBe(401);
      expect((await erase({ email: 'ida@example.com' }, bea)).status).toBe(403);
      expect((await erase({ accountId: 'eve' }, bea)).status).toBe(403);
      const neither = await erase({ mode: 'remove' }, root);
      expect(neither.status).toBe(400);
      expect(neither.body.errors?.map((e) => e.field)).toEqual(['email']);

      const erasedIda = await erase({ email: 'ida@EXAMPLE.com' }, root);
      expect(erasedIda.status).toBe(200);
      expect(erasedIda.body).toMatchObject({ mode: 'anonymize', comments: 3, keysDestroyed: 1 });
      expect(await service.infra.personKeys.find(idaKey.keyId)).toBeUndefined();
      const erasedEve = await erase({ accountId: 'eve', mode: 'remove' }, eve);
      expect(erasedEve.body).toMatchObject({ mode: 'remove', comments: 1 });

      const page = await threadWhen(postId, (p) => item(p, byEve.id)?.deleted === true);
      expect(
        page.items.map((i) => [i.id, i.author?.name ?? null, i.author?.url ?? null, i.deleted]),
      ).toEqual([
        [first.id, 'Deleted reader', null, false],
        [answer.id, 'Bea', null, false],
        [again.id, 'Deleted reader', null, false],
        [byEve.id, null, null, true],
        [toEve.id, 'Cy', null, false],
      ]);
      expect(item(page, first.id)?.body).toBe('Loved the quote.');
      expect(item(page, byEve.id)?.body).toBe('');
      const forModerators = await thread(postId, '?view=moderation', mo);
      expect(JSON.stringify(forModerators.body).toLowerCase()).not.toContain('ida');
      // A held comment of an erased guest waits without a contact: no address to write to.
      const queue = await moderationQueue(postId, root);
      expect(queue.body.items.map((i) => [i.id, i.author?.name, i.guest])).toEqual([
        [held.id, 'Deleted reader', null],
      ]);

      // Once erased, there is nothing left to erase.
      expect((await erase({ email: 'ida@example.com' }, root)).body).toMatchObject({
        comments: 0,
        keysDestroyed: 0,
      });
    });

    it('lets only admins read and change the comment settings', async () => {
      const seen = await service.request<CommentSettingsView>(
        'GET',
        '/v1/settings',
        undefined,
        root,
      );
      expect(seen.body).toMatchObject({ threadDepth: 5, editWindowMinutes: 15, maxLinks: 2 });
      expect((await service.request('GET', '/v1/settings', undefined, mo)).status).toBe(403);
      expect((await service.request('PUT', '/v1/settings', { maxLinks: 3 }, mo)).status).toBe(403);
      const invalid = await service.request<Problem>(
        'PUT',
        '/v1/settings',
        { threadDepth: 11 },
        root,
      );
      expect(invalid.status).toBe(400);
      expect(invalid.body.errors?.map((e) => e.field)).toEqual(['threadDepth']);
    });

    it('shows replies written deeper than a lowered depth at the new deepest level, under their parents', async () => {
      const postId = await publishPost('lowered-depth');
      const a = await posted(postId, 'Top', bea);
      const a1 = await posted(postId, 'Second level', cy, { parentId: a.id });
      const a2 = await posted(postId, 'Third level', bea, { parentId: a1.id });
      const a3 = await posted(postId, 'Fourth level', dee, { parentId: a2.id });
      const b = await posted(postId, 'Another thread', cy);
      await threadWhen(postId, (p) => p.items.length === 5);
      expect((await service.request('PUT', '/v1/settings', { threadDepth: 2 }, root)).status).toBe(
        200,
      );
      try {
        const page = (await thread(postId)).body;
        expect(page.threadDepth).toBe(2);
        expect(page.items.map((i) => [i.id, i.depth, i.parentId])).toEqual([
          [a.id, 1, null],
          [a1.id, 2, a.id],
          [a2.id, 2, a1.id],
          [a3.id, 2, a2.id],
          [b.id, 1, null],
        ]);
        const single = await service.request<ThreadItem>('GET', `/v1/comments/${a3.id}`);
        expect(single.body.depth).toBe(2);
      } finally {
        await service.request('PUT', '/v1/settings', { threadDepth: 5 }, root);
      }
      expect((await thread(postId)).body.items.map((i) => i.depth)).toEqual([1, 2, 3, 4, 1]);
    });

    it('takes imported comments on its import route from authors and admins only, once, nested under their parents', async () => {
      const postId = await publishPost('imported');
      const site = 'https://route-blog.example';
      const request = (id: string, parentId: string | null) => ({
        commentId: `imported-${id}-${run}`,
        postId,
        parentId,
        writer: { kind: 'guest', name: 'Old Guest', email: 'old-guest@example.org', url: null },
        content: `<p>Comment ${id} from the old blog</p>`,
        status: 'approved',
        kind: 'comment',
        postedAt: '2013-03-14T15:14:47.000Z',
        imported: { system: 'wordpress', site, id },
      });
      const top = request('1', null);
      const reply = request('2', top.commentId);
      const step = (body: unknown, as: Actor | null) =>
        service.request<{ outcome: string } & Problem>('POST', '/v1/imported-comments', body, as);
      expect((await step(top, null)).status).toBe(401);
      expect(await step(top, bea)).toMatchObject({ status: 403, body: { code: 'not-allowed' } });
      expect(await step(top, ann)).toMatchObject({ status: 200, body: { outcome: 'added' } });
      expect(await step(reply, root)).toMatchObject({ status: 200, body: { outcome: 'added' } });
      expect(await step(reply, ann)).toMatchObject({ status: 200, body: { outcome: 'existing' } });
      const presence = await service.request<{ exists: boolean }>(
        'GET',
        `/v1/imported-comments/${reply.commentId}`,
        undefined,
        ann,
      );
      expect(presence.body.exists).toBe(true);
      const orphan = await step({ ...request('3', null), postId: postIdOf('no-such-post') }, ann);
      expect(orphan).toMatchObject({ status: 404, body: { code: 'post-not-found' } });
      const page = await threadWhen(postId, (p) => p.items.length === 2);
      expect(page.items.map((i) => [i.id, i.parentId, i.depth, i.imported?.id])).toEqual([
        [top.commentId, null, 1, '1'],
        [reply.commentId, top.commentId, 2, '2'],
      ]);
    });

    it('keeps the IP address and user agent for moderators only, sealed, and erases them alone when the retention ends', async () => {
      const postId = await publishPost('origins');
      const gusAgent = 'GusBrowser/7.3 (origin-check; X11)';
      const beaAgent = 'BeaPhone/2.1 (origin-check)';
      const write = (
        body: Record<string, unknown>,
        as: Actor | null,
        ip: string,
        agent: string,
      ) => {
        later();
        return service.request<PostCommentResponse>(
          'POST',
          `/v1/posts/${postId}/comments`,
          body,
          as,
          { [ORIGIN_IP_HEADER]: ip, [ORIGIN_AGENT_HEADER]: agent },
        );
      };
      const asGus = (body: string, ip: string) =>
        write(
          { body, author: { name: 'Gus Origin', email: 'gus.origin@example.com' } },
          null,
          ip,
          gusAgent,
        );
      const held = await asGus('Where did I write this from?', '203.0.113.77');
      expect(held.status).toBe(201);
      const beas = await write({ body: 'Bea writes from her phone' }, bea, '2001:db8::5', beaAgent);
      expect(beas.status).toBe(201);
      expect((await moderate(beas.body.id, 'trash', mo)).body.status).toBe('trash');

      const queue = (status: string, as: Actor) => moderationQueue(postId, as, `&status=${status}`);
      const queued = async (status: string, id: string, as: Actor = mo) =>
        (await queue(status, as)).body.items.find((i) => i.id === id);
      await eventually(async () => (await queued('trash', beas.body.id)) ?? undefined, wait);
      await eventually(async () => (await queued('pending', held.body.id)) ?? undefined, wait);

      expect((await queued('pending', held.body.id))?.origin).toEqual({
        ip: '203.0.113.77',
        userAgent: gusAgent,
      });
      expect((await queued('trash', beas.body.id))?.origin).toEqual({
        ip: '2001:db8::5',
        userAgent: beaAgent,
      });
      // The post's author moderates it, but addresses are for the blog's moderators alone.
      expect((await queued('pending', held.body.id, ann))?.origin).toBeNull();

      const stored = await storedBytes();
      for (const clear of ['203.0.113.77', '2001:db8::5', gusAgent, beaAgent])
        expect({ clear, found: stored.includes(clear) }).toEqual({ clear, found: false });

      // Two days on, with a retention of one day: the keys of the day they were written expire.
      offsetMs += 2 * 24 * 3600_000;
      const retention = service.running.app.get(RetentionJob);
      expect(await retention.run()).toBeGreaterThanOrEqual(2);
      const after = await queued('pending', held.body.id);
      expect(after?.origin).toEqual({ ip: null, userAgent: null });
      expect((await queued('trash', beas.body.id))?.origin).toEqual({ ip: null, userAgent: null });
      // Everything else stays: the comment, its author's name and the guest's contact.
      expect(after).toMatchObject({
        body: 'Where did I write this from?',
        author: { kind: 'guest', name: 'Gus Origin' },
        guest: { email: 'gus.origin@example.com' },
      });
      const approved = await moderate(held.body.id, 'approved', mo);
      expect(approved.body).toMatchObject({ status: 'approved', author: { name: 'Gus Origin' } });
      const shown = await threadWhen(postId, (page) => ids(page).includes(held.body.id));
      expect(item(shown, held.body.id)?.author?.name).toBe('Gus Origin');
      // Run again, or by another replica: nothing more to destroy.
      expect(await retention.run()).toBe(0);

      // What is written from now on is kept again, under the new day's key.
      const next = await asGus('And this one, two days later?', '203.0.113.78');
      expect(next.status).toBe(201);
      // Approved at once now that Gus has been approved: to the spam queue to be looked at.
      expect((await moderate(next.body.id, 'spam', mo)).body.status).toBe('spam');
      await eventually(async () => (await queued('spam', next.body.id)) ?? undefined, wait);
      expect((await queued('spam', next.body.id))?.origin).toEqual({
        ip: '203.0.113.78',
        userAgent: gusAgent,
      });
    });

    it('answers one comment to whoever may see it', async () => {
      const postId = await publishPost('single');
      const held = await posted(postId, 'Waiting for approval', null, {
        author: { name: 'Ivy', email: 'ivy@example.com' },
      });
      await eventually(
        async () =>
          (
            await service.request<ThreadItem>(
              'GET',
              `/v1/comments/${held.id}?viewerToken=${held.viewerToken}`,
            )
          ).status === 200 || undefined,
        wait,
      );
      expect((await service.request('GET', `/v1/comments/${held.id}`)).status).toBe(404);
      const forModerator = await service.request<ThreadItem>(
        'GET',
        `/v1/comments/${held.id}`,
        undefined,
        mo,
      );
      expect(forModerator.body).toMatchObject({
        status: 'pending',
        moderationReason: 'first-comment',
      });
    });
  });
}
