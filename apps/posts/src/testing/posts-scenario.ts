import type {
  Actor,
  AnyEvent,
  BlogSettingsView,
  DomainEvent,
  ExportPostsPage,
  LegacyLinkTarget,
  LikersPage,
  PostPage,
  PostView,
  PostsPersonalData,
  SchedulerPass,
} from '@parley/contracts';
import { eventToMessage } from '@parley/messaging';
import { ACTOR_HEADER, READ_MODELS, encodeActor } from '@parley/platform';
import { type LiveReadModels, rebuildProjection } from '@parley/readmodel';
import {
  type HarnessMode,
  type Problem,
  type ServiceHarness,
  eventually,
  startServiceHarness,
  StreamWriter,
} from '@parley/testing';
import { postsService } from '../posts.service';
import { newPostId } from '../posts/post-id';
import { PostUseCases } from '../posts/post-use-cases';
import {
  type AccountNameDocument,
  COLLECTIONS,
  POSTS_PROJECTION,
  postsProjection,
} from '../read-model/posts.projection';
import {
  accountRegistered,
  commentDeleted,
  commentModerated,
  commentPosted,
  displayNameChanged,
} from './events';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The posts service through its HTTP API, on the real broker and Mongo-compatible server
 * or on the embedded adapters: the publishing lifecycle with the scheduler on a clock the
 * test moves, slugs, edits racing each other, likes, comment counts and a rebuild.
 */
export function postsScenario(mode: HarnessMode): void {
  describe(`the posts service (${mode})`, () => {
    jest.setTimeout(mode === 'distributed' ? 90_000 : 30_000);
    const wait = { timeoutMs: mode === 'distributed' ? 30_000 : 10_000 };

    let now = new Date('2026-11-24T12:00:00.000Z');
    const advance = (ms: number) => {
      now = new Date(now.getTime() + ms);
    };
    let posts: ServiceHarness;
    /** The post the scenario changed last, for the rebuild to wait for. */
    let lastChanged = '';

    const amy: Actor = { accountId: 'amy', displayName: 'Amy', roles: ['author'] };
    const bo: Actor = { accountId: 'bo', displayName: 'Bo', roles: ['author'] };
    const root: Actor = { accountId: 'root', displayName: 'Root', roles: ['admin'] };
    const reader = (n: number | string): Actor => ({
      accountId: `reader-${n}`,
      displayName: `Reader ${n}`,
      roles: ['reader'],
    });

    beforeAll(async () => {
      posts = await startServiceHarness(
        postsService(undefined, { schedulerIntervalMs: 50 }),
        mode,
        {
          clock: () => now,
        },
      );
      // Posts and likes name an account by id: the name shown is the one its account events bring.
      await register(amy, bo, root);
    });

    afterAll(async () => {
      await posts?.close();
    });

    const call = <T = PostView>(method: string, path: string, as?: Actor | null, body?: unknown) =>
      posts.request<T>(method, path, body, as);
    const draft = async (as: Actor, body: Record<string, unknown>) => {
      const created = await call('POST', '/v1/posts', as, { body: 'Body', ...body });
      expect(created.status).toBe(201);
      return created.body;
    };
    const publishNow = async (as: Actor, id: string) => {
      const published = await call('POST', `/v1/posts/${id}/publish`, as);
      expect(published.status).toBe(200);
      return published.body;
    };
    /** What a reader (a guest) sees of a post, once the read model shows what is asked. */
    const seen = (idOrSlug: string, until: (post: PostView | undefined) => boolean) =>
      eventually(async () => {
        const response = await call('GET', `/v1/posts/${idOrSlug}`, null);
        const post = response.status === 200 ? response.body : undefined;
        return until(post) ? { post } : undefined;
      }, wait);
    const list = (query: string, as: Actor | null = null) =>
      call<PostPage>('GET', `/v1/posts?${query}`, as);
    const publishedEvents = async (id: string) =>
      (await posts.infra.eventStore.readStream(`post-${id}`)).events.filter(
        (e) => e.type === 'parley.post.published.v2',
      );
    const publishOn = async (topic: 'comments' | 'accounts', events: readonly AnyEvent[]) => {
      await posts.infra.bus
        .publisher()
        .publish([{ topic: posts.infra.topicName(topic), messages: events.map(eventToMessage) }]);
    };
    /** Each account's stream, numbered on as the gateway's identity numbers it. */
    const accountStreams = new Map<string, StreamWriter>();
    const accountEvents = (accountId: string, ...events: DomainEvent[]) => {
      const stream =
        accountStreams.get(accountId) ??
        new StreamWriter(`account-${accountId}`, '/parley/gateway');
      accountStreams.set(accountId, stream);
      return publishOn('accounts', stream.next(...events));
    };
    /** Registers accounts as the gateway does, and waits until the posts read model has their names. */
    async function register(...accounts: Actor[]): Promise<void> {
      for (const a of accounts)
        await accountEvents(a.accountId, accountRegistered(a.accountId, a.displayName));
      const names = posts.running.app
        .get<symbol, LiveReadModels>(READ_MODELS, { strict: false })
        .db(POSTS_PROJECTION)
        .collection<AccountNameDocument>(COLLECTIONS.accounts);
      for (const a of accounts)
        await eventually(
          async () => (await names.findOne({ _id: a.accountId })) ?? undefined,
          wait,
        );
    }

    it('gives a second post with the same title the next free slug', async () => {
      const first = await draft(amy, { title: 'Her' });
      const second = await draft(bo, { title: 'Her' });
      const third = await draft(amy, { title: 'Her!' });
      expect([first.slug, second.slug, third.slug]).toEqual(['her', 'her-2', 'her-3']);
    });

    it('answers a publish once the post is on the posts topic and readers see it, every time', async () => {
      const topic = posts.infra.topicName('posts');
      const onTopic = async () =>
        (await posts.infra.bus.topicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
      const missed: string[] = [];
      for (let i = 0; i < 10; i++) {
        const created = await draft(amy, { title: `Fresh off the press ${i}` });
        const before = await onTopic();
        await publishNow(amy, created.id);
        // No polling: what other services and readers see right after the answer.
        const [after, read] = await Promise.all([
          onTopic(),
          call('GET', `/v1/posts/${created.slug}`, null),
        ]);
        if (after <= before) missed.push(`${i}: not on the topic`);
        if (read.status !== 200 || read.body.status !== 'published')
          missed.push(`${i}: a reader got ${read.status}`);
      }
      expect(missed).toEqual([]);
    });

    it('shows a draft to its author and admins only', async () => {
      const created = await draft(amy, {
        title: 'A draft of mine',
        body: 'Some **Markdown** that becomes the excerpt.',
      });
      expect(created).toMatchObject({
        status: 'draft',
        revision: 1,
        slug: 'a-draft-of-mine',
        excerpt: 'Some Markdown that becomes the excerpt.',
        author: { id: 'amy', displayName: 'Amy' },
        publishedAt: null,
        commentSettings: { mode: 'open', autoCloseDays: null },
        commentsOpen: false,
        commentCount: 0,
        likeCount: 0,
      });

      expect((await call('GET', `/v1/posts/${created.id}`, amy)).status).toBe(200);
      expect((await call('GET', `/v1/posts/${created.id}`, root)).status).toBe(200);
      expect((await call('GET', `/v1/posts/${created.id}`, bo)).status).toBe(404);
      expect((await call('GET', `/v1/posts/${created.slug}`, null)).status).toBe(404);

      const drafts = await eventually(async () => {
        const page = await list('status=draft', amy);
        return page.body.items.some((p) => p.id === created.id) ? page.body : undefined;
      }, wait);
      expect(drafts.items.every((p) => p.author.id === 'amy')).toBe(true);
      expect((await list('status=draft', bo)).body.items.map((p) => p.id)).not.toContain(
        created.id,
      );
      expect((await list('status=draft', null)).status).toBe(401);
      expect((await list('', null)).body.items.map((p) => p.id)).not.toContain(created.id);
    });

    it('refuses guests, readers and other authors, with problem+json', async () => {
      const created = await draft(amy, { title: 'Mine alone' });
      const guest = await call<Problem>('POST', '/v1/posts', null, { title: 'x', body: '' });
      expect(guest.status).toBe(401);
      expect(guest.headers.get('content-type')).toContain('application/problem+json');
      expect(
        (await call<Problem>('POST', '/v1/posts', reader(1), { title: 'x', body: '' })).body,
      ).toMatchObject({ status: 403, code: 'not-allowed' });
      const other = await call<Problem>('PATCH', `/v1/posts/${created.id}`, bo, { title: 'Mine' });
      expect(other.body).toMatchObject({ status: 403, code: 'not-allowed' });
      expect((await call('POST', `/v1/posts/${created.id}/publish`, bo)).status).toBe(403);
      expect((await call('DELETE', `/v1/posts/${created.id}`, bo)).status).toBe(403);
      const edited = await call('PATCH', `/v1/posts/${created.id}`, root, { tags: ['edited'] });
      expect(edited.status).toBe(200);
      expect(edited.body.tags).toEqual(['edited']);
    });

    it('answers rule violations with 422 and invalid transitions with 409, naming the reason', async () => {
      const blank = await call<Problem>('POST', '/v1/posts', amy, { title: '   ', body: 'x' });
      expect(blank.body).toMatchObject({ status: 422, code: 'empty-title' });
      const huge = await call<Problem>('POST', '/v1/posts', amy, {
        title: 'Too long',
        body: 'x'.repeat(200 * 1024 + 1),
      });
      expect(huge.body).toMatchObject({ status: 422, code: 'body-too-large' });

      const created = await draft(amy, { title: 'Rules' });
      const past = await call<Problem>('POST', `/v1/posts/${created.id}/schedule`, amy, {
        publishAt: new Date(now.getTime() - 60_000).toISOString(),
      });
      expect(past.body).toMatchObject({ status: 422, code: 'schedule-in-past' });

      expect((await call('DELETE', `/v1/posts/${created.id}`, amy)).status).toBe(204);
      const publishDeleted = await call<Problem>('POST', `/v1/posts/${created.id}/publish`, amy);
      expect(publishDeleted.body).toMatchObject({ status: 409, code: 'post-deleted' });
      expect((await call('DELETE', `/v1/posts/${created.id}`, amy)).status).toBe(204);
      expect((await call('GET', `/v1/posts/${created.id}`, amy)).status).toBe(404);

      const unknown = await call<Problem>(
        'POST',
        '/v1/posts/0193a000-0000-7000-8000-000000000000/publish',
        amy,
      );
      expect(unknown.body).toMatchObject({ status: 404, code: 'post-not-found' });

      const invalid = await call<Problem>('POST', '/v1/posts', amy, {
        title: 'x',
        body: 'y',
        colour: 'red',
        commentSettings: { mode: 'auto-close' },
      });
      expect(invalid.status).toBe(400);
      // The unknown field named as itself, beside the missing one.
      expect(invalid.body.errors?.map((e) => e.field).sort()).toEqual([
        'colour',
        'commentSettings.autoCloseDays',
      ]);
      expect(
        (await call<Problem>('PATCH', '/v1/posts/not-a-uuid', amy, { title: 'x' })).status,
      ).toBe(400);
    });

    it('goes draft → scheduled → published by the scheduler → unpublished → published, and readers see each step', async () => {
      const created = await draft(amy, {
        title: 'It will be back on Friday',
        categories: ['Announcements'],
      });
      const publishAt = new Date(now.getTime() + 3 * DAY_MS);
      const scheduled = await call('POST', `/v1/posts/${created.id}/schedule`, amy, {
        publishAt: publishAt.toISOString(),
      });
      expect(scheduled.status).toBe(200);
      expect(scheduled.body).toMatchObject({
        status: 'scheduled',
        publishAt: publishAt.toISOString(),
      });
      await eventually(async () => {
        const page = await list('status=scheduled', amy);
        return page.body.items.some((p) => p.id === created.id) ? true : undefined;
      }, wait);
      expect((await call('GET', `/v1/posts/${created.id}`, null)).status).toBe(404);

      // A day before, the scheduler leaves it alone.
      advance(2 * DAY_MS);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await publishedEvents(created.id)).toHaveLength(0);

      advance(DAY_MS + 1000);
      const { post: live } = await seen(created.id, (p) => p?.status === 'published');
      expect(live).toMatchObject({ publishedAt: publishAt.toISOString(), publishAt: null });
      const announced = await publishedEvents(created.id);
      expect(announced).toHaveLength(1);
      expect(announced[0]?.data).toMatchObject({ firstPublication: true, publishedBy: null });
      await eventually(async () => {
        const page = await list('category=announcements');
        return page.body.items[0]?.id === created.id ? true : undefined;
      }, wait);

      // More passes (a second replica, a manual pass) publish nothing more.
      const passes = await Promise.all(
        [1, 2, 3].map(() => call<SchedulerPass>('POST', '/v1/scheduler/passes', root)),
      );
      expect(passes.map((p) => p.body.published)).toEqual([[], [], []]);
      expect(await publishedEvents(created.id)).toHaveLength(1);

      expect((await call('POST', `/v1/posts/${created.id}/unpublish`, amy)).body.status).toBe(
        'draft',
      );
      await seen(created.id, (p) => p === undefined);
      await eventually(async () => {
        const page = await list('category=announcements');
        return page.body.items.some((p) => p.id === created.id) ? undefined : true;
      }, wait);

      advance(DAY_MS);
      await publishNow(amy, created.id);
      const { post: again } = await seen(created.slug, (p) => p?.status === 'published');
      // Republishing keeps the post's date.
      expect(again?.publishedAt).toBe(publishAt.toISOString());
      const events = await publishedEvents(created.id);
      expect(events.map((e) => e.data)).toMatchObject([
        { firstPublication: true },
        { firstPublication: false, publishedBy: 'amy' },
      ]);
    });

    it('publishes a post that was due when several passes race, exactly once', async () => {
      const created = await draft(bo, { title: 'Racing passes' });
      const publishAt = new Date(now.getTime() + DAY_MS);
      await call('POST', `/v1/posts/${created.id}/schedule`, bo, {
        publishAt: publishAt.toISOString(),
      });
      await eventually(async () => {
        const page = await list('status=scheduled', bo);
        return page.body.items.some((p) => p.id === created.id) ? true : undefined;
      }, wait);
      advance(DAY_MS);
      const passes = await Promise.all(
        [1, 2, 3, 4].map(() => call<SchedulerPass>('POST', '/v1/scheduler/passes', root)),
      );
      await seen(created.id, (p) => p?.status === 'published');
      expect(await publishedEvents(created.id)).toHaveLength(1);
      expect(passes.flatMap((p) => p.body.published).length).toBeLessThanOrEqual(1);
      expect((await call<Problem>('POST', '/v1/scheduler/passes', amy)).status).toBe(403);
    });

    it('keeps the slug once published while old slugs keep resolving', async () => {
      const created = await draft(amy, { title: 'Working title' });
      const renamed = await call('PATCH', `/v1/posts/${created.id}`, amy, { title: 'Final title' });
      expect(renamed.body.slug).toBe('final-title');
      await publishNow(amy, created.id);
      const retitled = await call('PATCH', `/v1/posts/${created.id}`, amy, {
        title: 'Final title, revised',
      });
      expect(retitled.body).toMatchObject({ slug: 'final-title', revision: 3 });
      for (const slug of ['working-title', 'final-title']) {
        const { post } = await seen(slug, (p) => p?.title === 'Final title, revised');
        expect(post?.id).toBe(created.id);
      }
      const other = await draft(bo, { title: 'Working title' });
      expect(other.slug).toBe('working-title-2');
    });

    it("leads an imported post's old permalink and ?p= id to the post once published, and nothing else; an admin's export keeps the id", async () => {
      const imports = posts.running.app.get(PostUseCases, { strict: false });
      const site = 'https://old-blog.example';
      const bring = async (id: string, slug: string, status: 'draft' | 'published') => {
        const postId = newPostId(new Date('2014-01-27T09:00:00.000Z'));
        const outcome = await imports.importPost({
          postId,
          author: { accountId: 'wordpress-ann', displayName: 'Ann' },
          slug,
          content: {
            title: slug,
            body: 'Body',
            excerpt: null,
            categories: [],
            tags: [],
            series: null,
          },
          commentSettings: { mode: 'open', autoCloseDays: null },
          status,
          date: new Date('2014-01-27T09:00:00.000Z'),
          imported: { system: 'wordpress', site, id, link: `${site}/2014/01/27/${slug}/` },
        });
        expect(outcome.ok).toBe(true);
        return postId;
      };
      const her = await bring('123', 'movie-quote-monday-her', 'published');
      await bring('124', 'still-a-draft', 'draft');
      const lookup = (query: string) =>
        call<LegacyLinkTarget>('GET', `/v1/legacy-links?${query}`, null);
      const found = await eventually(async () => {
        const answer = await lookup('path=/2014/01/27/movie-quote-monday-her/');
        return answer.status === 200 ? answer.body : undefined;
      }, wait);
      expect(found).toEqual({ id: her, slug: 'movie-quote-monday-her' });
      expect((await lookup('path=/2014/01/27/movie-quote-monday-her')).body).toEqual(found);
      expect((await lookup('p=123')).body).toEqual(found);
      for (const query of [
        'p=124',
        'path=/2014/01/27/still-a-draft/',
        'p=999',
        'path=/2014/01/27/',
      ])
        expect((await lookup(query)).status).toBe(404);
      expect((await lookup('p=abc')).status).toBe(400);

      // An admin's export has both, drafts too, with the ids they had on the old blog.
      const exported = async (status: string, as: Actor | null) => {
        const items: ExportPostsPage['items'] = [];
        let cursor = '';
        for (;;) {
          const page = await call<ExportPostsPage>(
            'GET',
            `/v1/exports/posts?status=${status}&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
            as,
          );
          if (page.status !== 200) return page.status;
          items.push(...page.body.items);
          if (!page.body.nextCursor) return items;
          cursor = page.body.nextCursor;
        }
      };
      expect(await exported('draft', amy)).toBe(403);
      expect(await exported('draft', null)).toBe(401);
      const drafts = await exported('draft', root);
      const published = await exported('published', root);
      expect(typeof drafts === 'number' || typeof published === 'number').toBe(false);
      const find = (items: typeof drafts, slug: string) =>
        typeof items === 'number' ? undefined : items.find((p) => p.slug === slug);
      expect(find(drafts, 'still-a-draft')).toMatchObject({
        wordpressId: '124',
        status: 'draft',
        body: 'Body',
        author: { id: 'wordpress-ann', displayName: 'Ann' },
      });
      expect(find(published, 'movie-quote-monday-her')).toMatchObject({
        id: her,
        wordpressId: '123',
        status: 'published',
        publishedAt: '2014-01-27T09:00:00.000Z',
      });
    });

    it('takes an imported post on its import route from authors and admins only, once, refusing a broken one with its reason', async () => {
      const postId = newPostId(new Date('2015-03-02T10:00:00.000Z'));
      const body = {
        postId,
        author: { accountId: 'wordpress-ann', displayName: 'Ann' },
        slug: 'an-imported-post',
        content: {
          title: 'An imported post',
          body: '<p>From the old blog</p>',
          excerpt: null,
          categories: ['Old'],
          tags: [],
          series: null,
        },
        commentSettings: { mode: 'closed', autoCloseDays: null },
        status: 'published',
        date: '2015-03-02T10:00:00.000Z',
        imported: { system: 'wordpress', site: 'https://route-blog.example', id: '77' },
      };
      type Step = { outcome: string };
      expect((await call('POST', '/v1/imported-posts', null, body)).status).toBe(401);
      const byReader = await call<{ code: string }>('POST', '/v1/imported-posts', reader(9), body);
      expect(byReader).toMatchObject({ status: 403, body: { code: 'not-allowed' } });
      expect((await call('GET', `/v1/imported-posts/${postId}`, reader(9))).status).toBe(403);
      expect(
        (await call<{ exists: boolean }>('GET', `/v1/imported-posts/${postId}`, amy)).body,
      ).toEqual({
        id: postId,
        exists: false,
      });
      const added = await call<Step>('POST', '/v1/imported-posts', amy, body);
      expect(added).toMatchObject({ status: 200, body: { outcome: 'added' } });
      const again = await call<Step>('POST', '/v1/imported-posts', root, body);
      expect(again).toMatchObject({ status: 200, body: { outcome: 'existing' } });
      expect(
        (await call<{ exists: boolean }>('GET', `/v1/imported-posts/${postId}`, amy)).body.exists,
      ).toBe(true);
      const { post } = await seen('an-imported-post', (p) => p !== undefined);
      expect(post).toMatchObject({
        id: postId,
        title: 'An imported post',
        publishedAt: '2015-03-02T10:00:00.000Z',
      });
      expect(await publishedEvents(postId)).toHaveLength(1);
      const untitled = await call<{ errors: { field: string }[] }>(
        'POST',
        '/v1/imported-posts',
        amy,
        {
          ...body,
          postId: newPostId(new Date('2015-03-03T10:00:00.000Z')),
          content: { ...body.content, title: '  ' },
          imported: { ...body.imported, id: '78' },
        },
      );
      expect(untitled.status).toBe(422);
      expect(untitled.body.errors).toEqual([expect.objectContaining({ field: 'title' })]);
    });

    it('lets one of two editors saving at the same revision win, and the other gets 409 with the current revision', async () => {
      const created = await draft(amy, { title: 'Contested', body: 'First body' });
      const [byAmy, byRoot] = await Promise.all([
        call<PostView | Problem>('PATCH', `/v1/posts/${created.id}`, amy, {
          body: 'Amy’s body',
          expectedRevision: 1,
        }),
        call<PostView | Problem>('PATCH', `/v1/posts/${created.id}`, root, {
          tags: ['editor-pick'],
          expectedRevision: 1,
        }),
      ]);
      expect([byAmy.status, byRoot.status].sort()).toEqual([200, 409]);
      const loser = byAmy.status === 409 ? byAmy : byRoot;
      expect(loser.body).toMatchObject({
        code: 'revision-conflict',
        details: { currentRevision: 2 },
      });

      // The loser reloads and saves again: both edits are there.
      const retry =
        loser === byAmy
          ? await call('PATCH', `/v1/posts/${created.id}`, amy, { body: 'Amy’s body' })
          : await call('PATCH', `/v1/posts/${created.id}`, root, { tags: ['editor-pick'] });
      expect(retry.body).toMatchObject({
        revision: 3,
        body: 'Amy’s body',
        tags: ['editor-pick'],
      });

      const stale = await posts.request<Problem>(
        'PATCH',
        `/v1/posts/${created.id}`,
        {
          title: 'Stale',
        },
        amy,
      );
      expect(stale.status).toBe(200);
      const viaIfMatch = await fetch(`${posts.url}/v1/posts/${created.id}`, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/json',
          'if-match': '"2"',
          [ACTOR_HEADER]: encodeActor(amy),
        },
        body: JSON.stringify({ title: 'From an old tab' }),
      });
      expect(viaIfMatch.status).toBe(409);
      const current = await call('GET', `/v1/posts/${created.id}`, amy);
      expect(current.body).toMatchObject({ title: 'Stale', revision: 4 });
      expect(current.headers.get('etag')).toBe('"4"');
    });

    it('lists published posts newest first with cursor pages, filtered by category, tag, series and author', async () => {
      const ids: string[] = [];
      for (const [i, title] of ['Monday one', 'Monday two', 'Monday three'].entries()) {
        const created = await draft(i === 1 ? bo : amy, {
          title,
          categories: ['Quotes'],
          tags: i === 0 ? ['Classic'] : [],
          series: 'Movie Quote Monday',
        });
        advance(60_000);
        await publishNow(i === 1 ? bo : amy, created.id);
        ids.push(created.id);
      }
      const newestFirst = [...ids].reverse();
      await eventually(async () => {
        const page = await list('series=movie%20quote%20monday&limit=10');
        return page.body.items.length === 3 ? true : undefined;
      }, wait);

      const first = await list('series=Movie%20Quote%20Monday&limit=2');
      expect(first.body.items.map((p) => p.id)).toEqual(newestFirst.slice(0, 2));
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await list(
        `series=Movie%20Quote%20Monday&limit=2&cursor=${first.body.nextCursor ?? ''}`,
      );
      expect(second.body.items.map((p) => p.id)).toEqual(newestFirst.slice(2));
      expect(second.body.nextCursor).toBeNull();

      expect((await list('category=QUOTES')).body.items.map((p) => p.id)).toEqual(newestFirst);
      expect((await list('tag=classic')).body.items.map((p) => p.id)).toEqual([ids[0]]);
      expect((await list('category=quotes&author=bo')).body.items.map((p) => p.id)).toEqual([
        ids[1],
      ]);
      expect((await list('cursor=garbage')).status).toBe(400);
    });

    it('counts likes once per reader, names the first likers, and lists them by display name', async () => {
      const created = await draft(amy, { title: 'Likeable' });
      expect(
        (await call<Problem>('PUT', `/v1/posts/${created.id}/like`, reader(1))).body,
      ).toMatchObject({ status: 409, code: 'post-not-published' });
      await publishNow(amy, created.id);

      const names = ['Boots', 'Amy', 'Cy', 'Dee', 'Eve'];
      await register(...names.map((displayName, i) => ({ ...reader(i), displayName })));
      for (const i of names.keys()) {
        advance(1000);
        const liker = reader(i);
        expect((await call('PUT', `/v1/posts/${created.id}/like`, liker)).body).toEqual({
          postId: created.id,
          liked: true,
        });
      }
      // Liking twice is not an error, and counts once.
      expect((await call('PUT', `/v1/posts/${created.id}/like`, reader(0))).status).toBe(200);
      expect((await call('PUT', `/v1/posts/${created.id}/like`, null)).status).toBe(401);

      // A slug that happens to name a like's stream is just a slug nobody has.
      expect((await call('GET', `/v1/posts/like-${created.id}-reader-1`, amy)).status).toBe(404);

      // The count and the first likers are written one after the other: both are waited for.
      const { post } = await seen(created.id, (p) => p?.likeCount === 5 && p.likers.length === 3);
      expect(post?.likers).toEqual(['Boots', 'Amy', 'Cy']);

      const page = await call<LikersPage>('GET', `/v1/posts/${created.id}/likes?limit=3`, null);
      expect(page.body.items.map((l) => l.displayName)).toEqual(['Boots', 'Amy', 'Cy']);
      expect(page.body.total).toBe(5);
      expect(JSON.stringify(page.body)).not.toContain('reader-');
      const rest = await call<LikersPage>(
        'GET',
        `/v1/posts/${created.id}/likes?limit=3&cursor=${page.body.nextCursor ?? ''}`,
        null,
      );
      expect(rest.body.items.map((l) => l.displayName)).toEqual(['Dee', 'Eve']);

      expect((await call('DELETE', `/v1/posts/${created.id}/like`, reader(1))).body).toEqual({
        postId: created.id,
        liked: false,
      });
      const { post: after } = await seen(
        created.id,
        (p) => p?.likeCount === 4 && !p.likers.includes('Amy'),
      );
      expect(after?.likers).toEqual(['Boots', 'Cy', 'Dee']);

      // A liker who renames themselves is shown with the new name.
      await accountEvents('reader-0', displayNameChanged('reader-0', 'Boots the Cat'));
      await seen(created.id, (p) => p?.likers[0] === 'Boots the Cat');
    });

    it("names a post's author and its likers by their accounts' current names, which the post's events do not carry", async () => {
      const run = Date.now().toString(36);
      const writer: Actor = {
        accountId: `wren-${run}`,
        displayName: `Wren ${run}`,
        roles: ['author'],
      };
      const fan: Actor = { accountId: `fan-${run}`, displayName: `Fan ${run}`, roles: ['reader'] };
      await register(writer, fan);
      const created = await draft(writer, { title: `Named by id ${run}` });
      expect(created.author).toEqual({ id: writer.accountId, displayName: writer.displayName });
      await publishNow(writer, created.id);
      expect((await call('PUT', `/v1/posts/${created.id}/like`, fan)).status).toBe(200);
      await seen(created.id, (p) => p?.likers[0] === fan.displayName);
      const postEvents = await posts.infra.eventStore.readStream(`post-${created.id}`);
      const likeEvents = await posts.infra.eventStore.readStream(
        `post-like-${created.id}-${fan.accountId}`,
      );
      const stored = JSON.stringify([...postEvents.events, ...likeEvents.events]);
      expect(stored).toContain(created.id);
      expect(stored).not.toContain(writer.displayName);
      expect(stored).not.toContain(fan.displayName);

      await accountEvents(
        writer.accountId,
        displayNameChanged(writer.accountId, `Wren Renamed ${run}`),
      );
      await seen(created.id, (p) => p?.author.displayName === `Wren Renamed ${run}`);
      await accountEvents(fan.accountId, {
        type: 'parley.account.erased.v1',
        data: { accountId: fan.accountId, erasedAt: now.toISOString() },
      });
      await seen(created.id, (p) => p?.likers[0] === 'Deleted reader');
    });

    it('gives the posts an account likes to that account or an admin, and to nobody else', async () => {
      const liked = await draft(amy, { title: 'Liked for the export' });
      const unliked = await draft(amy, { title: 'Liked, then not' });
      await publishNow(amy, liked.id);
      await publishNow(amy, unliked.id);
      const pia = reader('pia');
      for (const id of [liked.id, unliked.id])
        expect((await call('PUT', `/v1/posts/${id}/like`, pia)).status).toBe(200);
      expect((await call('DELETE', `/v1/posts/${unliked.id}/like`, pia)).status).toBe(200);
      expect((await call('PUT', `/v1/posts/${unliked.id}/like`, reader('cy'))).status).toBe(200);

      const ask = (query: string, as: Actor | null) =>
        call<PostsPersonalData & Problem>('GET', `/v1/personal-data?${query}`, as);
      const own = await eventually(async () => {
        const got = await ask(`accountId=${pia.accountId}`, pia);
        return got.status === 200 &&
          got.body.postLikes.length === 1 &&
          !got.body.postLikes.some((l) => l.postId === unliked.id)
          ? got.body
          : undefined;
      }, wait);
      expect(own.postLikes).toEqual([
        expect.objectContaining({ postId: liked.id, postTitle: 'Liked for the export' }),
      ]);
      expect((await ask(`accountId=${pia.accountId}`, root)).body.postLikes).toHaveLength(1);
      expect((await ask(`accountId=${pia.accountId}`, null)).status).toBe(401);
      expect((await ask(`accountId=${pia.accountId}`, reader('cy'))).status).toBe(403);
      expect((await ask('email=pia%40example.com', pia)).status).toBe(403);
      expect((await ask('email=pia%40example.com', root)).body).toEqual({ postLikes: [] });
    });

    it('counts approved comments from the events of the comments service', async () => {
      const created = await draft(amy, { title: 'Talk about it' });
      await publishNow(amy, created.id);
      const c1 = new StreamWriter('comment-c1', '/parley/comments');
      const c2 = new StreamWriter('comment-c2', '/parley/comments');
      const c3 = new StreamWriter('comment-c3', '/parley/comments');
      const count = (n: number) => seen(created.id, (p) => p?.commentCount === n);
      const comments = (...events: AnyEvent[][]) => publishOn('comments', events.flat());
      const on = (writer: StreamWriter, event: DomainEvent) => writer.next(event);

      await comments(
        on(c1, commentPosted(created.id, 'c1', 'approved')),
        on(c2, commentPosted(created.id, 'c2', 'pending')),
        on(c3, commentPosted(created.id, 'c3', 'spam')),
      );
      await count(1);
      await comments(on(c2, commentModerated('parley.comment.approved.v1', created.id, 'c2')));
      await count(2);
      await comments(on(c1, commentModerated('parley.comment.trashed.v1', created.id, 'c1')));
      await count(1);
      await comments(on(c2, commentDeleted(created.id, 'c2')));
      await count(0);
      await comments(on(c3, commentModerated('parley.comment.approved.v1', created.id, 'c3')));
      await count(1);
    });

    it('closes comments by itself N days after the first publication when set to auto-close', async () => {
      const created = await draft(amy, {
        title: 'Closing soon',
        commentSettings: { mode: 'auto-close', autoCloseDays: 14 },
      });
      const published = await publishNow(amy, created.id);
      expect(published).toMatchObject({
        commentsOpen: true,
        commentsCloseAt: new Date(now.getTime() + 14 * DAY_MS).toISOString(),
      });
      await seen(created.id, (p) => p?.commentsOpen === true);
      advance(15 * DAY_MS);
      expect((await call('GET', `/v1/posts/${created.id}`, null)).body.commentsOpen).toBe(false);
      const closed = await call('PATCH', `/v1/posts/${created.id}`, amy, {
        commentSettings: { mode: 'closed' },
      });
      expect(closed.body).toMatchObject({
        commentSettings: { mode: 'closed', autoCloseDays: null },
        commentsOpen: false,
        commentsCloseAt: null,
      });
      lastChanged = created.id;
    });

    it("keeps the blog's name and the comment settings new posts start with, changed by admins only", async () => {
      const initial = await call<BlogSettingsView>('GET', '/v1/blog', null);
      expect(initial.status).toBe(200);
      expect(initial.body).toMatchObject({
        title: 'Parley',
        defaultCommentSettings: { mode: 'open', autoCloseDays: null },
      });
      const refused = await call('PUT', '/v1/blog', amy, { title: 'Amy’s blog' });
      expect(refused.status).toBe(403);
      const blank = await call<{ errors: { field: string }[] }>('PUT', '/v1/blog', root, {
        title: '  ',
        defaultCommentSettings: { mode: 'auto-close' },
      });
      expect(blank.status).toBe(400);
      expect(blank.body.errors.map((e) => e.field).sort()).toEqual([
        'defaultCommentSettings.autoCloseDays',
        'title',
      ]);

      const changed = await call<BlogSettingsView>('PUT', '/v1/blog', root, {
        title: 'Field Notes',
        defaultCommentSettings: { mode: 'auto-close', autoCloseDays: 30 },
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({
        title: 'Field Notes',
        description: '',
        defaultCommentSettings: { mode: 'auto-close', autoCloseDays: 30 },
        changedAt: now.toISOString(),
      });
      expect((await call<BlogSettingsView>('GET', '/v1/blog', null)).body.title).toBe(
        'Field Notes',
      );
      const later = await draft(amy, { title: 'Under the new default' });
      expect(later.commentSettings).toEqual({ mode: 'auto-close', autoCloseDays: 30 });
      const own = await draft(amy, { title: 'Its own', commentSettings: { mode: 'closed' } });
      expect(own.commentSettings).toEqual({ mode: 'closed', autoCloseDays: null });

      await call('PUT', '/v1/blog', root, { defaultCommentSettings: { mode: 'open' } });
      const reopened = await draft(amy, { title: 'Open again' });
      expect(reopened.commentSettings).toEqual({ mode: 'open', autoCloseDays: null });
    });

    it('rebuilds the read model from the log into the same documents', async () => {
      // The last change of the scenario is in the live read model before the rebuild starts.
      await seen(lastChanged, (p) => p?.commentSettings.mode === 'closed');

      const live = posts.infra.readModels.db(POSTS_PROJECTION);
      const snapshot = (generation: number) =>
        Promise.all(
          Object.keys(postsProjection.collections).map((name) =>
            posts.infra.documents
              .collection(`${name}_g${generation}`)
              .find({}, { sort: { _id: 1 } }),
          ),
        );
      const before = await snapshot(live.generation);
      const result = await rebuildProjection({
        service: 'posts',
        projection: postsProjection,
        bus: posts.infra.bus,
        store: posts.infra.documents,
        topicName: (key) => posts.infra.topicName(key),
        clock: () => now,
      });
      expect(result.generation).toBe(live.generation + 1);
      const rebuilt = await snapshot(result.generation);
      expect(rebuilt.map((docs) => docs.length)).toEqual(before.map((docs) => docs.length));
      expect(rebuilt[0]?.length).toBeGreaterThan(10);
      expect(rebuilt).toEqual(before);
    });
  });
}
