import {
  type AnyEvent,
  type DomainEvent,
  type EventData,
  type TopicEvent,
  topicName,
} from '@parley/contracts';
import { decodeEvent, EmbeddedMessageBus, eventToMessage } from '@parley/messaging';
import {
  type Document,
  type DocumentCollection,
  type DocumentStore,
  GenerationDb,
  type IndexSpec,
  LiveReadModels,
  MemoryDocumentStore,
  type ProjectionDb,
  rebuildProjection,
} from '@parley/readmodel';
import { StreamWriter } from '@parley/testing';
import {
  EmbeddedPersonKeyStore,
  PersonalDataCipher,
  type PersonKeyStore,
  guestPerson,
} from '@parley/privacy';
import { sealGuest } from '../personal-data/comment-personal-data';
import { wordpressIdOf } from '@parley/domain';
import { authorKeyOf } from '../comments/comment-keys';
import {
  commentAuthorErased,
  commentDeleted,
  commentModerated,
  commentPosted,
  type PostedOptions,
} from '../testing/events';
import { THREAD_COLLECTIONS, type ThreadDocument } from './thread-documents';
import { threadProjection } from './thread.projection';
import { ThreadQueries, type ThreadPageRequest } from './thread.queries';
import { PUBLIC_VIEWER, type ThreadViewer } from './thread-tree';

type Fed = TopicEvent<'comments' | 'accounts'>;

/** A document store that counts the queries made through it and the documents they read. */
class CountingStore implements DocumentStore {
  readonly volatile = true;
  queries = 0;
  documents = 0;
  constructor(private readonly inner: MemoryDocumentStore) {}

  collection<T extends Document>(name: string, indexes?: readonly IndexSpec[]) {
    const collection = this.inner.collection<T>(name, indexes);
    const read = (found: unknown) => {
      this.documents += Array.isArray(found) ? found.length : found ? 1 : 0;
      return found;
    };
    return new Proxy(collection, {
      get: (target, key: keyof DocumentCollection<T>) => {
        if (key === 'find' || key === 'findOne' || key === 'count') this.queries += 1;
        const value = target[key];
        if (key === 'find' || key === 'findOne')
          return (...args: unknown[]) =>
            (value as (...a: unknown[]) => Promise<unknown>).apply(target, args).then(read);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
  ensureIndexes(name: string, indexes: readonly IndexSpec[]) {
    return this.inner.ensureIndexes(name, indexes);
  }
  dropCollection(name: string) {
    return this.inner.dropCollection(name);
  }
  listCollections() {
    return this.inner.listCollections();
  }
}

function setup(keys: Promise<PersonKeyStore> = EmbeddedPersonKeyStore.open()) {
  const store = new MemoryDocumentStore();
  const db = new GenerationDb(store, threadProjection, 1);
  const live = new LiveReadModels(store);
  live.use(threadProjection, 1);
  const queries = new ThreadQueries(live);
  const writers = new Map<string, StreamWriter>();
  const envelopes = (streamId: string, ...events: DomainEvent[]) => {
    const writer = writers.get(streamId) ?? new StreamWriter(streamId, '/parley/comments');
    writers.set(streamId, writer);
    return writer.next(...events);
  };
  const apply = async (events: readonly AnyEvent[]) => {
    const personKeys = await keys;
    for (const event of events) await threadProjection.apply(event as Fed, db, { personKeys });
  };
  const posted = new Map<string, EventData<'parley.comment.posted.v3'>>();
  /** Posts a comment (below `parent` when given) and returns its envelope. */
  const post = (id: string, options: PostedOptions & { parentOf?: string } = {}) => {
    const event = commentPosted(id, {
      ...options,
      ...(options.parentOf ? { parent: posted.get(options.parentOf) ?? null } : {}),
    });
    posted.set(id, event.data);
    return envelopes(`comment-${id}`, event);
  };
  const page = (changes: Partial<ThreadPageRequest> = {}) =>
    queries.page({
      postId: 'post-1',
      viewer: { view: 'public', authorKey: null, viewerTokenHashes: [] },
      accountId: null,
      page: 1,
      perPage: 50,
      order: 'oldest',
      ...changes,
    });
  const dump = async () =>
    Object.fromEntries(
      await Promise.all(
        Object.values(THREAD_COLLECTIONS).map(
          async (name) => [name, await db.collection(name).find({}, { sort: { _id: 1 } })] as const,
        ),
      ),
    );
  return { store, db, queries, envelopes, apply, post, page, dump };
}

const DEE_REGISTERED: DomainEvent = {
  type: 'parley.account.registered.v2',
  data: {
    accountId: 'dee',
    email: 'dee@example.com',
    displayName: 'Dee',
    roles: ['reader'],
    registeredAt: '2026-11-01T00:00:00.000Z',
  },
};

/** Dee's comment c01, naming her account by id only, as a comment by an account is written now. */
function postedByAccountId(t: ReturnType<typeof setup>): Fed {
  const [posted] = t.post('c01', { accountId: 'dee' });
  if (posted?.type !== 'parley.comment.posted.v3' || posted.data.author.kind !== 'account')
    throw new Error("an account's posted event");
  delete posted.data.author.displayName;
  return posted;
}

const shape = (items: { id: string; depth: number; parentId: string | null }[]) =>
  items.map((i) => `${i.id}@${i.depth}<${i.parentId ?? '-'}`);

describe('the thread read model', () => {
  it("shows a guest's sealed name and website, and once their key is destroyed a rebuild shows a deleted reader", async () => {
    const keys = await EmbeddedPersonKeyStore.open();
    const cipher = new PersonalDataCipher(keys);
    const event = commentPosted('c01');
    event.data.author = await sealGuest(cipher, {
      kind: 'guest',
      guestId: 'g-hal',
      name: 'Hal Incandenza',
      email: 'hal@example.com',
      url: 'https://hal.example',
    });
    const envelope = new StreamWriter('comment-c01', '/parley/comments').next(event);
    const live = setup(Promise.resolve(keys));
    await live.apply(envelope);
    const [shown] = (await live.page()).items;
    expect(shown?.author).toMatchObject({ name: 'Hal Incandenza', url: 'https://hal.example' });
    const [doc] = await live.db.collection(THREAD_COLLECTIONS.comments).find({});
    expect(doc).toMatchObject({ guestEmail: 'hal@example.com' });

    await keys.destroy(guestPerson('HAL@example.com'));
    const rebuilt = setup(Promise.resolve(keys));
    await rebuilt.apply(envelope);
    const [anonymized] = (await rebuilt.page()).items;
    expect(anonymized?.author).toMatchObject({ name: 'Deleted reader', url: null });
    expect(anonymized?.html).toBe(shown?.html);
    const [erased] = await rebuilt.db.collection(THREAD_COLLECTIONS.comments).find({});
    expect(erased).toMatchObject({ guestEmail: null });
    expect(JSON.stringify(await rebuilt.dump())).not.toMatch(
      /Hal Incandenza|hal@example|hal\.example/,
    );
  });

  it("lists a post's approved comments flat by date for WordPress clients, with their and their parents' integer ids", async () => {
    const t = setup();
    const first = t.post('c01', { postedAt: '2026-11-20T08:00:00.000Z' });
    const [imported] = first;
    if (imported?.type !== 'parley.comment.posted.v3') throw new Error('a posted event');
    imported.data.imported = { system: 'wordpress', site: 'https://old.example', id: '904' };
    await t.apply([
      ...first,
      ...t.post('c02', { parentOf: 'c01', postedAt: '2026-11-20T09:00:00.000Z' }),
      ...t.post('c03', { postedAt: '2026-11-20T10:00:00.000Z', status: 'pending' }),
      ...t.post('c04', { parentOf: 'c02', postedAt: '2026-11-20T11:00:00.000Z' }),
    ]);
    const all = await t.queries.wordpressPage({
      postId: 'post-1',
      page: 1,
      perPage: 2,
      order: 'asc',
    });
    expect(all.total).toBe(3);
    expect(all.items.map((c) => [c.id, c.wordpressId, c.parentWordpressId])).toEqual([
      ['c01', 904, 0],
      ['c02', wordpressIdOf('c02'), 904],
    ]);
    const replies = await t.queries.wordpressPage({
      postId: 'post-1',
      parentIds: [(await t.queries.idsOfWordpressIds([904])).get(904)!],
      page: 1,
      perPage: 10,
      order: 'desc',
    });
    expect(replies.items.map((c) => c.id)).toEqual(['c02']);
    expect(
      (await t.queries.idsOfWordpressIds([wordpressIdOf('c04')])).get(wordpressIdOf('c04')),
    ).toBe('c04');
  });

  it('orders a thread by its ancestors, with a reply beyond the deepest level right after its parent', async () => {
    const t = setup();
    await t.apply([
      ...t.post('c01'),
      ...t.post('c02'),
      ...t.post('c03', { parentOf: 'c01' }),
      ...t.post('c04', { parentOf: 'c03', depth: 3 }),
      ...t.post('c05', { parentOf: 'c01' }),
      // c04 is at the deepest level (3 here): answers to it stay at 3, right below it.
      ...t.post('c06', { parentOf: 'c04', depth: 3 }),
      ...t.post('c07', { parentOf: 'c04', depth: 3 }),
      ...t.post('c08', { parentOf: 'c02' }),
    ]);
    const { items, totals } = await t.page();
    expect(shape(items)).toEqual([
      'c01@1<-',
      'c03@2<c01',
      'c04@3<c03',
      'c06@3<c04',
      'c07@3<c04',
      'c05@2<c01',
      'c02@1<-',
      'c08@2<c02',
    ]);
    expect(items.map((i) => i.number)).toEqual([1, null, null, null, null, null, 2, null]);
    expect(items.map((i) => i.replyCount)).toEqual([2, 1, 2, 0, 0, 0, 1, 0]);
    expect(totals).toEqual({ comments: 8, threads: 2, pages: 1 });

    const newest = await t.page({ order: 'newest' });
    expect(newest.items.map((i) => i.id)).toEqual([
      'c02',
      'c08',
      'c01',
      'c03',
      'c04',
      'c06',
      'c07',
      'c05',
    ]);
    // A top-level comment keeps its number, counted by age, in either order.
    expect(newest.items.filter((i) => i.number !== null).map((i) => i.number)).toEqual([2, 1]);
  });

  it('keeps a deleted comment with replies as a tombstone and drops one without', async () => {
    const t = setup();
    await t.apply([
      ...t.post('c01'),
      ...t.post('c02', { parentOf: 'c01' }),
      ...t.post('c03'),
      ...t.envelopes('comment-c01', commentDeleted('c01')),
      ...t.envelopes('comment-c03', commentDeleted('c03')),
    ]);
    let { items, totals } = await t.page();
    expect(items.map((i) => [i.id, i.deleted, i.message, i.author?.name ?? null])).toEqual([
      ['c01', true, 'This comment was deleted', null],
      ['c02', false, null, 'bea'],
    ]);
    expect(totals).toEqual({ comments: 1, threads: 1, pages: 1 });

    // Once its last reply goes, the tombstone has nothing left to hold together.
    await t.apply(t.envelopes('comment-c02', commentModerated('parley.comment.trashed.v1', 'c02')));
    ({ items, totals } = await t.page());
    expect(items).toEqual([]);
    expect(totals).toEqual({ comments: 0, threads: 0, pages: 1 });
  });

  it('shows an erased author’s comments as by "Deleted reader" in place, or as tombstones that keep their replies', async () => {
    const t = setup();
    const gus = { name: 'Gus', email: 'gus@example.com' };
    await t.apply([
      ...t.post('c01', { guest: gus }),
      ...t.post('c02', { parentOf: 'c01' }),
      ...t.post('c03', { guest: gus }),
      ...t.post('c04', { parentOf: 'c03' }),
      ...t.post('c05', { accountId: 'cy' }),
    ]);
    await t.apply([
      ...t.envelopes(
        'comment-c01',
        commentAuthorErased('c01', { kind: 'guest', guestId: 'g-Gus' }, 'anonymize'),
      ),
      ...t.envelopes(
        'comment-c03',
        commentAuthorErased('c03', { kind: 'guest', guestId: 'g-Gus' }, 'remove'),
      ),
      ...t.envelopes(
        'comment-c05',
        commentAuthorErased('c05', { kind: 'account', accountId: 'cy' }, 'anonymize'),
      ),
    ]);
    const { items, totals } = await t.page();
    expect(
      items.map((i) => [i.id, i.deleted, i.author?.name ?? null, i.author?.url ?? null, i.body]),
    ).toEqual([
      ['c01', false, 'Deleted reader', null, 'Comment c01'],
      ['c02', false, 'bea', null, 'Comment c02'],
      ['c03', true, null, null, ''],
      ['c04', false, 'bea', null, 'Comment c04'],
      ['c05', false, 'Deleted reader', null, 'Comment c05'],
    ]);
    expect(items.find((i) => i.id === 'c05')?.author?.accountId).toBeNull();
    expect(totals.comments).toBe(4);
    const held = await t.db.collection(THREAD_COLLECTIONS.comments).find({});
    expect(JSON.stringify(held)).not.toContain('gus@example.com');
    expect(JSON.stringify(held)).not.toContain('Gus"');
  });

  it('hides the replies of a comment taken to spam, and shows held ones to their author and moderators', async () => {
    const t = setup();
    const guestToken = 'token-hash-of-hal';
    await t.apply([
      ...t.post('c01'),
      ...t.post('c02', { parentOf: 'c01', accountId: 'cy' }),
      ...t.post('c03', {
        status: 'pending',
        guest: { name: 'Hal', email: 'hal@example.com' },
        viewerTokenHash: guestToken,
      }),
      ...t.post('c04', { parentOf: 'c01', status: 'pending', accountId: 'dee' }),
      ...t.envelopes('comment-c01', commentModerated('parley.comment.marked-spam.v1', 'c01')),
    ]);
    expect((await t.page()).items).toEqual([]);

    const hal: ThreadViewer = { view: 'public', authorKey: null, viewerTokenHashes: [guestToken] };
    const forHal = await t.page({ viewer: hal });
    expect(forHal.items.map((i) => [i.id, i.status, i.message, i.number])).toEqual([
      ['c03', 'pending', 'Your comment is awaiting moderation', 1],
    ]);

    const moderators: ThreadViewer = { view: 'moderation', authorKey: null, viewerTokenHashes: [] };
    const forModerators = await t.page({ viewer: moderators });
    expect(forModerators.items.map((i) => [i.id, i.status, i.moderationReason])).toEqual([
      ['c01', 'spam', null],
      ['c02', 'approved', null],
      ['c04', 'pending', 'first-comment'],
      ['c03', 'pending', 'first-comment'],
    ]);

    await t.apply(
      t.envelopes('comment-c01', commentModerated('parley.comment.approved.v1', 'c01')),
    );
    const dee: ThreadViewer = {
      view: 'public',
      authorKey: authorKeyOf({ kind: 'account', accountId: 'dee' }),
      viewerTokenHashes: [],
    };
    expect((await t.page()).items.map((i) => i.id)).toEqual(['c01', 'c02']);
    expect((await t.page({ viewer: dee })).items.map((i) => i.id)).toEqual(['c01', 'c02', 'c04']);
  });

  it("counts a post's approved comments and a client's comments by status as events move them, never counting the comments", async () => {
    const t = setup();
    const ann = { name: 'Ann', email: 'ann@example.com' };
    const from = (id: string, status: 'approved' | 'pending' | 'spam') =>
      t.post(id, { guest: ann, status, clientKey: 'client-1' });
    const counts = jest.spyOn(t.db.collection(THREAD_COLLECTIONS.comments), 'count');
    const c04 = from('c04', 'pending');
    await t.apply([
      ...from('c01', 'approved'),
      ...from('c02', 'pending'),
      ...from('c03', 'spam'),
      ...c04,
      ...c04,
      ...t.post('c05'),
    ]);
    await t.apply(t.envelopes('comment-c04', commentModerated('parley.comment.trashed.v1', 'c04')));
    await t.apply(t.envelopes('comment-c01', commentDeleted('c01')));
    await t.apply(
      t.envelopes('comment-c02', commentModerated('parley.comment.approved.v1', 'c02')),
    );
    expect(counts).not.toHaveBeenCalled();

    expect((await t.page()).totals.comments).toBe(2);
    const queue = await t.queries.moderationQueue({
      statuses: ['pending', 'spam', 'trash'],
      withGuestContact: true,
      page: 1,
      limit: 10,
    });
    expect(queue.items.map((item) => [item.id, item.guest?.sameClient])).toEqual([
      ['c04', { approved: 1, pending: 0, spam: 1, trash: 1 }],
      ['c03', { approved: 1, pending: 0, spam: 1, trash: 1 }],
    ]);
  });

  it('counts likes once per account and shows who liked, and shows an author’s new name', async () => {
    const t = setup();
    const like = (accountId: string, type: 'liked' | 'unliked') =>
      t.envelopes(`comment-like-c01-${accountId}`, {
        type: `parley.comment.${type}.v1`,
        data:
          type === 'liked'
            ? { commentId: 'c01', postId: 'post-1', accountId, likedAt: '2026-11-24T12:10:00.000Z' }
            : {
                commentId: 'c01',
                postId: 'post-1',
                accountId,
                unlikedAt: '2026-11-24T12:11:00.000Z',
              },
      } as DomainEvent);
    const cyLiked = like('cy', 'liked');
    await t.apply([...t.post('c01'), ...cyLiked, ...cyLiked, ...like('dee', 'liked')]);
    let item = (await t.page({ accountId: 'cy' })).items[0];
    expect([item?.likeCount, item?.likedByViewer]).toEqual([2, true]);
    await t.apply(like('cy', 'unliked'));
    item = (await t.page({ accountId: 'cy' })).items[0];
    expect([item?.likeCount, item?.likedByViewer]).toEqual([1, false]);

    await t.apply(
      t.envelopes(
        'account-bea',
        {
          type: 'parley.account.registered.v2',
          data: {
            accountId: 'bea',
            email: 'bea@example.com',
            displayName: 'Bea',
            roles: ['reader'],
            registeredAt: '2026-11-01T00:00:00.000Z',
          },
        },
        {
          type: 'parley.account.display-name-changed.v2',
          data: {
            accountId: 'bea',
            displayName: 'Beatrice',
            changedAt: '2026-11-24T13:00:00.000Z',
          },
        },
      ),
    );
    expect((await t.page()).items[0]?.author?.name).toBe('Beatrice');
  });

  it("names an account's comments after its latest name, whether the account's events come before them or after", async () => {
    const dumps: unknown[] = [];
    for (const order of [
      ['comment', 'registered', 'renamed'],
      ['registered', 'comment', 'renamed'],
      ['registered', 'renamed', 'comment'],
    ]) {
      const t = setup();
      const posted = postedByAccountId(t);
      const [registered, renamed] = t.envelopes('account-dee', DEE_REGISTERED, {
        type: 'parley.account.display-name-changed.v2',
        data: { accountId: 'dee', displayName: 'Deirdre', changedAt: '2026-11-24T13:00:00.000Z' },
      });
      const events: Record<string, AnyEvent> = {
        comment: posted,
        registered: registered!,
        renamed: renamed!,
      };
      await t.apply(order.map((name) => events[name]!));
      const [doc] = await t.db.collection(THREAD_COLLECTIONS.comments).find({});
      expect(doc).toMatchObject({ author: { name: 'Deirdre' } });
      dumps.push(await t.dump());
    }
    expect(dumps[1]).toEqual(dumps[0]);
    expect(dumps[2]).toEqual(dumps[0]);
  });

  it("names an account's comment when the account's registration is applied while the comment is being applied", async () => {
    const t = setup();
    const posted = postedByAccountId(t);
    const [registered] = t.envelopes('account-dee', DEE_REGISTERED);
    const personKeys = await EmbeddedPersonKeyStore.open();
    // The registration runs whole right after the comment has looked its author up, before
    // the comment is written: what two topics consumed at once can do.
    let interleave: (() => Promise<void>) | undefined = () =>
      threadProjection.apply(registered as Fed, t.db, { personKeys });
    const racing: ProjectionDb = {
      collection: <T extends Document>(name: string) => {
        const collection = t.db.collection<T>(name);
        if (name !== THREAD_COLLECTIONS.authors) return collection;
        return new Proxy(collection, {
          get: (target, key: keyof DocumentCollection<T>) =>
            key === 'findOne'
              ? async (...args: Parameters<DocumentCollection<T>['findOne']>) => {
                  const found = await target.findOne(...args);
                  const run = interleave;
                  interleave = undefined;
                  await run?.();
                  return found;
                }
              : typeof target[key] === 'function'
                ? (target[key] as (...a: unknown[]) => unknown).bind(target)
                : target[key],
        });
      },
    };
    await threadProjection.apply(posted, racing, { personKeys });
    expect(interleave).toBeUndefined();
    const [doc] = await t.db.collection(THREAD_COLLECTIONS.comments).find({});
    expect(doc).toMatchObject({ author: { name: 'Dee' } });
  });

  it('ends with the same documents whatever the order across streams and however often events come', async () => {
    const inOrder = setup();
    const events = [
      ...inOrder.post('c01'),
      ...inOrder.post('c02', { parentOf: 'c01', status: 'pending' }),
      ...inOrder.post('c03', { parentOf: 'c02' }),
      ...inOrder.envelopes('comment-c02', commentModerated('parley.comment.approved.v1', 'c02')),
      ...inOrder.envelopes('comment-c01', commentDeleted('c01')),
      ...inOrder.post('c04'),
    ];
    await inOrder.apply(events);

    const shuffled = setup();
    const byStream = new Map<string, AnyEvent[]>();
    for (const e of events) byStream.set(e.subject, [...(byStream.get(e.subject) ?? []), e]);
    // Streams interleaved in reverse, each in its own order, every event delivered twice.
    const streams = [...byStream.values()].reverse();
    const replay: AnyEvent[] = [];
    for (let i = 0; streams.some((s) => s.length > i); i++)
      for (const stream of streams) if (stream[i]) replay.push(stream[i]!, stream[i]!);
    await shuffled.apply(replay);

    expect(await shuffled.dump()).toEqual(await inOrder.dump());
    const threads = (await inOrder.dump())[THREAD_COLLECTIONS.threads] as ThreadDocument[];
    expect(threads.map((d) => [d._id, d.listed, d.listedForModeration])).toEqual([
      ['c01', true, true],
      ['c04', true, true],
    ]);
  });

  it("moves the post's thread version with each change it shows, not with an event seen again", async () => {
    const t = setup();
    expect(await t.queries.threadVersion('post-1')).toBe('c0.0');
    const first = t.post('c01');
    await t.apply(first);
    const once = await t.queries.threadVersion('post-1');
    await t.apply(first);
    expect(await t.queries.threadVersion('post-1')).toBe(once);
    await t.apply(t.post('c02', { parentOf: 'c01' }));
    const twice = await t.queries.threadVersion('post-1');
    expect([once, twice]).toEqual(['c1.0', 'c2.0']);
    await t.apply(t.envelopes('comment-c02', commentDeleted('c02')));
    expect(await t.queries.threadVersion('post-1')).toBe('c3.0');
  });

  it('counts a reply into its thread with reads that do not grow with the thread while its top-level comment stands', async () => {
    const counting = new CountingStore(new MemoryDocumentStore());
    const db = new GenerationDb(counting, threadProjection, 1);
    const live = new LiveReadModels(counting);
    live.use(threadProjection, 1);
    const queries = new ThreadQueries(live);
    const root = commentPosted('c000');
    const apply = (event: DomainEvent<'parley.comment.posted.v3'>) =>
      threadProjection.apply(
        new StreamWriter(`comment-${event.data.commentId}`, '/parley/comments').next(
          event,
        )[0] as Fed,
        db,
        {},
      );
    const readsOfReply = async (n: number) => {
      counting.documents = 0;
      await apply(commentPosted(`c${String(n).padStart(3, '0')}`, { parent: root.data }));
      return counting.documents;
    };
    await apply(root);
    const first = await readsOfReply(1);
    for (let n = 2; n < 300; n++) await readsOfReply(n);
    expect(await readsOfReply(300)).toBe(first);
    const listed = async () =>
      (
        await queries.page({
          postId: 'post-1',
          viewer: PUBLIC_VIEWER,
          accountId: null,
          page: 1,
          perPage: 50,
          order: 'oldest',
        })
      ).totals.threads;
    expect(await listed()).toBe(1);
    // A deleted top-level comment is listed while a reply shows below it.
    await threadProjection.apply(
      new StreamWriter('comment-c000', '/parley/comments').next(
        root,
        commentDeleted('c000'),
      )[1] as Fed,
      db,
      {},
    );
    expect(await listed()).toBe(1);
  });

  it('reads a page of a 1,000-comment thread with a constant number of queries', async () => {
    const inner = new MemoryDocumentStore();
    const counting = new CountingStore(inner);
    const db = new GenerationDb(inner, threadProjection, 1);
    const live = new LiveReadModels(counting);
    live.use(threadProjection, 1);
    const queries = new ThreadQueries(live);
    const id = (n: number) => `c${String(n).padStart(4, '0')}`;
    const parents = new Map<string, EventData<'parley.comment.posted.v3'>>();
    for (let n = 1; n <= 1000; n++) {
      // 20 threads of 50 comments, each reply answering one of the five before it.
      const start = n - ((n - 1) % 50);
      const parent = n === start ? null : parents.get(id(Math.max(start, n - 1 - (n % 5))));
      const event = commentPosted(id(n), { parent: parent ?? null, accountId: `r${n % 7}` });
      parents.set(id(n), event.data);
      await threadProjection.apply(
        new StreamWriter(`comment-${id(n)}`, '/parley/comments').next(event)[0] as Fed,
        db,
        {},
      );
    }
    const request: ThreadPageRequest = {
      postId: 'post-1',
      viewer: { view: 'public', authorKey: null, viewerTokenHashes: [] },
      accountId: 'r1',
      page: 1,
      perPage: 50,
      order: 'oldest',
    };
    const result = await queries.page(request);
    expect(result.items).toHaveLength(1000);
    expect(result.totals).toEqual({ comments: 1000, threads: 20, pages: 1 });
    expect(counting.queries).toBeLessThanOrEqual(7);

    counting.queries = 0;
    const small = await queries.page({ ...request, perPage: 2, page: 3 });
    expect(small.items.map((i) => i.number).filter((n) => n !== null)).toEqual([5, 6]);
    expect(small.items).toHaveLength(100);
    expect(counting.queries).toBeLessThanOrEqual(7);
  });
});

describe('a rebuild of the thread projection', () => {
  it('ends with the documents the live projection makes, though it gathers counters and version records in memory', async () => {
    const bus = await EmbeddedMessageBus.open();
    const store = new MemoryDocumentStore();
    const personKeys = await EmbeddedPersonKeyStore.open();
    const topic = topicName('comments', 'rebuild-spec');
    try {
      await bus.ensureTopics([
        { name: topic, partitions: 3 },
        { name: topicName('accounts', 'rebuild-spec'), partitions: 1 },
      ]);
      const writers = new Map<string, StreamWriter>();
      const next = (streamId: string, ...events: DomainEvent[]) => {
        const writer = writers.get(streamId) ?? new StreamWriter(streamId, '/parley/comments');
        writers.set(streamId, writer);
        return writer.next(...events);
      };
      const posted = new Map<string, EventData<'parley.comment.posted.v3'>>();
      const events: AnyEvent[] = [];
      for (let i = 0; i < 30; i++) {
        const id = `c${String(i).padStart(2, '0')}`;
        // Threads of five comments, on two posts.
        const postId = `post-${Math.floor(i / 5) % 2}`;
        const root = posted.get(`c${String(i - (i % 5)).padStart(2, '0')}`);
        const event = commentPosted(id, {
          postId,
          ...(i % 5 === 0 ? {} : { parent: root ?? null }),
          status: i % 4 === 0 ? 'pending' : 'approved',
          clientKey: `client-${i % 3}`,
          accountId: `reader-${i % 4}`,
        });
        posted.set(id, event.data);
        events.push(...next(`comment-${id}`, event));
        if (i % 4 === 0)
          events.push(
            ...next(`comment-${id}`, commentModerated('parley.comment.approved.v1', id, postId)),
          );
        if (i % 7 === 0) events.push(...next(`comment-${id}`, commentDeleted(id, postId)));
        if (i % 3 === 0)
          events.push(
            ...next(`comment-like-${id}-r1`, {
              type: 'parley.comment.liked.v1',
              data: {
                commentId: id,
                postId,
                accountId: 'r1',
                likedAt: '2026-11-24T12:10:00.000Z',
              },
            }),
          );
      }
      await bus.publisher().publish([{ topic, messages: events.map(eventToMessage) }]);

      // Live: each message as the projection's consumer applies it, with its position.
      const live = new GenerationDb(store, threadProjection, 1);
      let applied = 0;
      const consumer = bus.consumer({
        groupId: 'rebuild-spec-live',
        topics: [topic],
        fromBeginning: true,
        handler: async (message) => {
          await threadProjection.apply(decodeEvent(message) as Fed, live, {
            personKeys,
            position: message,
          });
          applied += 1;
        },
      });
      await consumer.start();
      while (applied < events.length) await new Promise((resolve) => setTimeout(resolve, 5));
      await consumer.stop();

      const result = await rebuildProjection({
        service: 'rebuild-spec',
        projection: threadProjection,
        bus,
        store,
        topicName: (key) => topicName(key, 'rebuild-spec'),
        context: { personKeys },
      });
      expect(result).toMatchObject({ generation: 2, events: events.length });
      const rebuilt = new GenerationDb(store, threadProjection, 2);
      const dump = (db: GenerationDb) =>
        Promise.all(
          Object.values(THREAD_COLLECTIONS).map((name) =>
            db.collection(name).find({}, { sort: { _id: 1 } }),
          ),
        );
      const [before, after] = [await dump(live), await dump(rebuilt)];
      expect(after).toEqual(before);
      // What the comparison covers: counters in parts by partition, and the posts' version records.
      const counts = before[Object.values(THREAD_COLLECTIONS).indexOf(THREAD_COLLECTIONS.counts)];
      expect(new Set(counts?.map((part) => part._id.split('|')[1])).size).toBe(3);
      const versions =
        before[Object.values(THREAD_COLLECTIONS).indexOf(THREAD_COLLECTIONS.versions)];
      expect(versions?.map((record) => record._id)).toEqual(['post-0', 'post-1']);
    } finally {
      await bus.close();
    }
  });
});
