import type { AnyEvent, DomainEvent, TopicEvent } from '@parley/contracts';
import { DuplicateKeyError, GenerationDb, MemoryDocumentStore } from '@parley/readmodel';
import { StreamWriter } from '@parley/testing';
import type { PostEvent } from '../posts/post.decider';
import {
  accountRegistered,
  commentDeleted,
  commentModerated,
  commentPosted,
  commentRestored,
  displayNameChanged,
} from '../testing/events';
import {
  type AccountNameDocument,
  COLLECTIONS,
  type PostDocument,
  type PostStatsDocument,
  type TermDocument,
  figuresOf,
  postsProjection,
} from './posts.projection';
import { wordpressIdOf, wordpressTermIdOf } from '@parley/domain';

type Fed = TopicEvent<'posts' | 'comments' | 'accounts'>;

function drafted(postId: string, authorId = 'amy'): PostEvent {
  return {
    type: 'parley.post.drafted.v2',
    data: {
      postId,
      authorId,
      slug: postId,
      title: 'Her',
      body: 'Body',
      excerpt: 'Body',
      autoExcerpt: true,
      categories: ['Movies', 'Movie Reviews'],
      tags: ['Spike Jonze'],
      series: 'Movie Quote Monday',
      commentSettings: { mode: 'open', autoCloseDays: null },
      draftedAt: '2026-11-20T08:00:00.000Z',
    },
  };
}

function published(postId: string, publishedAt: string, first: boolean): PostEvent {
  return {
    type: 'parley.post.published.v2',
    data: {
      postId,
      slug: postId,
      title: 'Her',
      excerpt: 'Body',
      authorId: 'amy',
      firstPublication: first,
      publishedAt,
      publishedBy: 'amy',
    },
  };
}

const unpublished = (postId: string): PostEvent => ({
  type: 'parley.post.unpublished.v1',
  data: { postId, unpublishedBy: 'amy', unpublishedAt: '2026-11-22T00:00:00.000Z' },
});

const liked = (postId: string, accountId: string, likedAt: string) => ({
  type: 'parley.post.liked.v2' as const,
  data: { postId, accountId, likedAt },
});

describe('the posts projection', () => {
  let store: MemoryDocumentStore;
  let db: GenerationDb;

  beforeEach(() => {
    store = new MemoryDocumentStore();
    db = new GenerationDb(store, postsProjection, 1);
  });

  const feed = async (events: readonly AnyEvent[]) => {
    for (const event of events) await postsProjection.apply(event as Fed, db);
  };
  const post = (postId: string) =>
    db.collection<PostDocument>(COLLECTIONS.posts).findOne({ _id: postId });
  const stats = async (postId: string) => (await figuresOf(db, [postId])).get(postId);
  const postStream = (postId: string) => new StreamWriter(`post-${postId}`, '/parley/posts');
  const comment = (commentId: string) =>
    new StreamWriter(`comment-${commentId}`, '/parley/comments');
  const like = (postId: string, accountId: string) =>
    new StreamWriter(`post-like-${postId}-${accountId}`, '/parley/posts');
  const account = (accountId: string) =>
    new StreamWriter(`account-${accountId}`, '/parley/gateway');

  it('follows a post through its lifecycle, keeping its first publication as its date', async () => {
    const stream = postStream('p1');
    await feed(stream.next(drafted('p1')));
    expect(await post('p1')).toMatchObject({
      status: 'draft',
      revision: 1,
      categoryKeys: ['movies', 'movie reviews'],
      tagKeys: ['spike jonze'],
      seriesKey: 'movie quote monday',
      sortAt: '2026-11-20T08:00:00.000Z',
    });
    await feed(stream.next(published('p1', '2026-11-21T09:00:00.000Z', true)));
    expect(await post('p1')).toMatchObject({
      status: 'published',
      firstPublishedAt: '2026-11-21T09:00:00.000Z',
      sortAt: '2026-11-21T09:00:00.000Z',
    });
    await feed(stream.next(unpublished('p1')));
    expect((await post('p1'))?.status).toBe('draft');
    await feed(stream.next(published('p1', '2026-11-23T09:00:00.000Z', false)));
    expect(await post('p1')).toMatchObject({
      status: 'published',
      publishedAt: '2026-11-23T09:00:00.000Z',
      sortAt: '2026-11-21T09:00:00.000Z',
    });
  });

  it('keeps the integer id WordPress clients know a post by, whatever event came last', async () => {
    const stream = postStream('p1');
    const imported = drafted('p1');
    if (imported.type !== 'parley.post.drafted.v2') throw new Error('a drafted event');
    imported.data.imported = { system: 'wordpress', site: 'https://old.example', id: '1148' };
    await feed(stream.next(imported));
    await feed(stream.next(published('p1', '2026-11-21T09:00:00.000Z', true)));
    expect((await post('p1'))?.wordpressId).toBe(1148);
    await feed(postStream('p2').next(drafted('p2')));
    expect((await post('p2'))?.wordpressId).toBe(wordpressIdOf('p2'));
    expect((await post('p2'))?.categoryIds).toEqual([
      wordpressTermIdOf('category', 'movies'),
      wordpressTermIdOf('category', 'movie reviews'),
    ]);
  });

  it('counts the published posts of each category and tag, and forgets one no published post carries', async () => {
    const terms = () =>
      db
        .collection<TermDocument>(COLLECTIONS.terms)
        .find({ kind: 'category' }, { sort: { name: 1, _id: 1 } });
    const first = postStream('p1');
    await feed(first.next(drafted('p1')));
    expect(await terms()).toEqual([]);
    await feed(first.next(published('p1', '2026-11-21T09:00:00.000Z', true)));
    await feed(postStream('p2').next(drafted('p2')));
    expect((await terms()).map((t) => [t.name, t.slug, t.count])).toEqual([
      ['Movie Reviews', 'movie-reviews', 1],
      ['Movies', 'movies', 1],
    ]);
    await feed(first.next(unpublished('p1')));
    expect(await terms()).toEqual([]);
  });

  it('recounts categories and tags only when a published post gains, loses or renames one, or on a redelivery', async () => {
    const posts = db.collection<PostDocument>(COLLECTIONS.posts);
    const find = jest.spyOn(posts, 'find');
    const measures = () => find.mock.calls.filter(([, options]) => options?.fields).length;
    const terms = () =>
      db
        .collection<TermDocument>(COLLECTIONS.terms)
        .find({}, { sort: { _id: 1 } })
        .then((all) => all.map((t) => `${t.name} ${t.count}`));
    const stream = postStream('p1');
    await feed(stream.next(drafted('p1')));
    expect(measures()).toBe(0);

    const publication = stream.next(published('p1', '2026-11-21T09:00:00.000Z', true));
    await feed(publication);
    // Categories and tags: each measured once in one query, then once more to see it held.
    expect(measures()).toBe(4);
    expect(await terms()).toEqual(['Movie Reviews 1', 'Movies 1', 'Spike Jonze 1']);

    const base = drafted('p1');
    if (base.type !== 'parley.post.drafted.v2') throw new Error('a drafted event');
    const edit = (tags: string[]): PostEvent => ({
      type: 'parley.post.edited.v1',
      data: {
        postId: 'p1',
        revision: 2,
        slug: 'p1',
        title: base.data.title,
        body: base.data.body,
        excerpt: base.data.excerpt,
        autoExcerpt: base.data.autoExcerpt,
        categories: base.data.categories,
        tags,
        series: base.data.series,
        editedBy: 'amy',
        editedAt: '2026-11-22T09:00:00.000Z',
      },
    });
    await feed(stream.next(edit(['Spike Jonze'])));
    expect(measures()).toBe(4);
    await feed(stream.next(edit(['Spike Jonze', 'Joaquin Phoenix'])));
    expect(measures()).toBe(6);
    await feed(stream.next(edit(['spike jonze', 'Joaquin Phoenix'])));
    expect(measures()).toBe(8);
    expect(await terms()).toEqual([
      'Movie Reviews 1',
      'Movies 1',
      'Joaquin Phoenix 1',
      'spike jonze 1',
    ]);

    await feed(publication);
    expect(measures()).toBe(12);
    expect(await terms()).toHaveLength(4);
  });

  it("keeps an imported post's old addresses through its later events, for the lookup's index", async () => {
    const stream = postStream('p1');
    const imported = drafted('p1');
    if (imported.type !== 'parley.post.drafted.v2') throw new Error('a drafted event');
    imported.data.imported = {
      system: 'wordpress',
      site: 'https://old.example',
      id: '123',
      link: 'https://old.example/2014/01/27/movie-quote-monday-her/',
    };
    await feed(stream.next(imported));
    await feed(stream.next(published('p1', '2026-11-21T09:00:00.000Z', true)));
    const found = await db
      .collection<PostDocument>(COLLECTIONS.posts)
      .find({ legacyLinks: 'path:/2014/01/27/movie-quote-monday-her', status: 'published' });
    expect(found.map((doc) => doc._id)).toEqual(['p1']);
    expect((await post('p1'))?.legacyLinks).toEqual([
      'p:123',
      'path:/2014/01/27/movie-quote-monday-her',
    ]);
    await feed(postStream('p2').next(drafted('p2')));
    expect(await post('p2')).not.toHaveProperty('legacyLinks');
    expect(postsProjection.collections[COLLECTIONS.posts]).toContainEqual({
      keys: { legacyLinks: 1, status: 1, _id: 1 },
    });
  });

  it('applies a redelivered event once', async () => {
    const stream = postStream('p1');
    const first = stream.next(drafted('p1'));
    const edit: PostEvent = {
      type: 'parley.post.edited.v1',
      data: {
        postId: 'p1',
        revision: 2,
        slug: 'her-2013',
        title: 'Her (2013)',
        body: 'Body',
        excerpt: 'Body',
        autoExcerpt: true,
        categories: [],
        tags: [],
        series: null,
        editedBy: 'amy',
        editedAt: '2026-11-20T09:00:00.000Z',
      },
    };
    const second = stream.next(edit);
    await feed([...first, ...second, ...first, ...second]);
    expect(await post('p1')).toMatchObject({
      revision: 2,
      title: 'Her (2013)',
      slug: 'her-2013',
      slugs: ['p1', 'her-2013'],
    });
  });

  it('counts approved comments only, following moderation and deletion', async () => {
    await feed(postStream('p1').next(drafted('p1')));
    const [c1, c2, c3] = [comment('c1'), comment('c2'), comment('c3')];
    const count = async () => (await stats('p1'))?.commentCount;

    await feed(c1.next(commentPosted('p1', 'c1', 'approved')));
    await feed(c2.next(commentPosted('p1', 'c2', 'pending')));
    await feed(c3.next(commentPosted('p1', 'c3', 'spam')));
    expect(await count()).toBe(1);

    await feed(c2.next(commentModerated('parley.comment.approved.v1', 'p1', 'c2')));
    expect(await count()).toBe(2);
    await feed(c1.next(commentModerated('parley.comment.trashed.v1', 'p1', 'c1')));
    expect(await count()).toBe(1);
    await feed(c1.next(commentRestored('p1', 'c1', 'approved')));
    expect(await count()).toBe(2);
    await feed(c2.next(commentModerated('parley.comment.unapproved.v1', 'p1', 'c2')));
    expect(await count()).toBe(1);
    await feed(c1.next(commentDeleted('p1', 'c1')));
    expect(await count()).toBe(0);
    await feed(c3.next(commentModerated('parley.comment.approved.v1', 'p1', 'c3')));
    expect(await count()).toBe(1);
  });

  it('counts a comment whose posted event was held back once it is approved, and keeps it when that event comes late', async () => {
    await feed(postStream('p1').next(drafted('p1')));
    const c1 = comment('c1');
    const count = async () => (await stats('p1'))?.commentCount;
    const posted = c1.next(commentPosted('p1', 'c1', 'pending'));

    await feed(c1.next(commentModerated('parley.comment.approved.v1', 'p1', 'c1')));
    expect(await count()).toBe(1);
    await feed(posted);
    expect(await count()).toBe(1);
    await feed(c1.next(commentModerated('parley.comment.marked-spam.v1', 'p1', 'c1')));
    expect(await count()).toBe(0);
  });

  it('does not count a redelivered comment event twice', async () => {
    const posted = comment('c1').next(commentPosted('p1', 'c1', 'approved'));
    await feed([...posted, ...posted, ...posted]);
    expect((await stats('p1'))?.commentCount).toBe(1);
  });

  it("moves a post's comment count by increments, never counting its comments again", async () => {
    await feed(postStream('p1').next(drafted('p1')));
    const counts = jest.spyOn(db.collection(COLLECTIONS.comments), 'count');
    const [c1, c2] = [comment('c1'), comment('c2')];

    await feed(c1.next(commentPosted('p1', 'c1', 'pending')));
    const approved = c1.next(commentModerated('parley.comment.approved.v1', 'p1', 'c1'));
    await feed(approved);
    await feed(c2.next(commentPosted('p1', 'c2', 'spam')));
    await feed(c2.next(commentModerated('parley.comment.trashed.v1', 'p1', 'c2')));
    await feed(approved);
    expect((await stats('p1'))?.commentCount).toBe(1);
    expect(counts).not.toHaveBeenCalled();
  });

  it('counts a message once when its first delivery stopped between the count and the comment', async () => {
    await feed(postStream('p1').next(drafted('p1')));
    const at = { position: { topic: 'parley.comments', partition: 2, offset: '41' } };
    const posted = comment('c1').next(commentPosted('p1', 'c1', 'approved'));
    const comments = db.collection(COLLECTIONS.comments);
    jest.spyOn(comments, 'insertOne').mockRejectedValueOnce(new Error('the store went away'));
    await expect(postsProjection.apply(posted[0] as Fed, db, at)).rejects.toThrow('went away');
    expect((await stats('p1'))?.commentCount).toBe(1);

    // Delivered again, and then once more after it was applied.
    await postsProjection.apply(posted[0] as Fed, db, at);
    await postsProjection.apply(posted[0] as Fed, db, at);
    expect((await stats('p1'))?.commentCount).toBe(1);
    expect(await comments.findOne({ _id: posted[0]?.subject })).toMatchObject({ _v: 1 });

    // The next message of the partition counts.
    const second = comment('c2').next(commentPosted('p1', 'c2', 'approved'));
    await postsProjection.apply(second[0] as Fed, db, {
      position: { ...at.position, offset: '42' },
    });
    expect((await stats('p1'))?.commentCount).toBe(2);
  });

  it("writes a post's figures and a term's count even when its first write lost a race to insert them", async () => {
    // Another recount inserted the document first: the write is refused as a duplicate, once.
    const loseFirstInsert = (name: string, method: 'updateOne' | 'replaceOne') => {
      const collection = db.collection(name);
      const write = collection[method].bind(collection) as (...args: unknown[]) => Promise<number>;
      let lost = false;
      jest.spyOn(collection, method).mockImplementation((...args: unknown[]) => {
        if (lost) return write(...args);
        lost = true;
        return Promise.reject(new DuplicateKeyError(name, 'a racing insert'));
      });
    };
    loseFirstInsert(COLLECTIONS.stats, 'updateOne');
    loseFirstInsert(COLLECTIONS.terms, 'replaceOne');
    await feed(postStream('p1').next(drafted('p1'), published('p1', '2026-11-21T00:00:00Z', true)));
    const stream = like('p1', 'a0');
    await feed(account('a0').next(accountRegistered('a0', 'Amy')));
    await feed(stream.next(liked('p1', 'a0', '2026-11-24T12:00:00.000Z')));
    expect(await stats('p1')).toMatchObject({ likeCount: 1, likers: ['Amy'] });
    const terms = await db
      .collection<TermDocument>(COLLECTIONS.terms)
      .find({}, { sort: { _id: 1 } });
    expect(terms.map((t) => `${t.name} ${t.count}`)).toEqual([
      'Movie Reviews 1',
      'Movies 1',
      'Spike Jonze 1',
    ]);
  });

  it("keeps a post's comment figures and like figures when their events are applied at the same time", async () => {
    // As the Mongo-compatible server of the tests updates: it reads the whole document, and
    // writes the whole document back with the update applied, after a while.
    const figures = db.collection<PostStatsDocument>(COLLECTIONS.stats);
    const replace = figures.replaceOne.bind(figures);
    jest.spyOn(figures, 'updateOne').mockImplementation(async (filter, update) => {
      const id = (filter as { _id: string })._id;
      const read = (await figures.findOne({ _id: id })) ?? { _id: id };
      await new Promise((resolve) => setTimeout(resolve, 5));
      const set = (update as { $set: Partial<PostStatsDocument> }).$set;
      await replace({ _id: id }, { ...read, ...set } as PostStatsDocument, { upsert: true });
      return 1;
    });
    await feed(postStream('p1').next(drafted('p1'), published('p1', '2026-11-21T00:00:00Z', true)));
    await feed(account('a0').next(accountRegistered('a0', 'Amy')));
    const events = [
      ...comment('c1').next(commentPosted('p1', 'c1', 'approved')),
      ...like('p1', 'a0').next(liked('p1', 'a0', '2026-11-24T12:00:00.000Z')),
      ...comment('c2').next(commentPosted('p1', 'c2', 'approved')),
    ];
    await Promise.all(events.map((event) => postsProjection.apply(event as Fed, db)));
    expect(await stats('p1')).toMatchObject({ commentCount: 2, likeCount: 1, likers: ['Amy'] });
  });

  it('counts likes and names the first few likers, and takes an unlike back', async () => {
    await feed(postStream('p1').next(drafted('p1'), published('p1', '2026-11-21T00:00:00Z', true)));
    const likers = ['Boots', 'Amy', 'Cy', 'Dee', 'Eve'].map((name, i) => ({
      name,
      stream: like('p1', `a${i}`),
      at: `2026-11-24T12:0${i}:00.000Z`,
    }));
    for (const l of [...likers].reverse()) {
      const accountId = l.stream.streamId.slice(-2);
      await feed(account(accountId).next(accountRegistered(accountId, l.name)));
      await feed(l.stream.next(liked('p1', accountId, l.at)));
    }
    expect(await stats('p1')).toMatchObject({ likeCount: 5, likers: ['Boots', 'Amy', 'Cy'] });

    await feed(
      like('p1', 'a1').next(liked('p1', 'a1', '2026-11-24T12:01:00.000Z'), {
        type: 'parley.post.unliked.v1',
        data: { postId: 'p1', accountId: 'a1', unlikedAt: '2026-11-24T13:00:00.000Z' },
      }),
    );
    expect(await stats('p1')).toMatchObject({ likeCount: 4, likers: ['Boots', 'Cy', 'Dee'] });
  });

  it('shows the current display name of likers and authors, whichever event comes first', async () => {
    await feed(postStream('p1').next(drafted('p1', 'amy')));
    await feed(like('p1', 'bo').next(liked('p1', 'bo', '2026-11-24T12:00:00.000Z')));
    await feed(
      new StreamWriter('account-bo', '/parley/gateway').next(displayNameChanged('bo', 'Boots')),
    );
    expect((await stats('p1'))?.likers).toEqual(['Boots']);

    await feed(
      new StreamWriter('account-amy', '/parley/gateway').next(displayNameChanged('amy', 'Amy P.')),
    );
    expect((await post('p1'))?.authorName).toBe('Amy P.');
    await feed(postStream('p2').next(drafted('p2', 'amy')));
    expect((await post('p2'))?.authorName).toBe('Amy P.');
  });

  it("names a post's author and a liker by their account's name, which events of the posts topic no longer carry", async () => {
    await feed(postStream('p1').next(drafted('p1'), published('p1', '2026-11-21T00:00:00Z', true)));
    await feed(like('p1', 'cy').next(liked('p1', 'cy', '2026-11-24T12:00:00.000Z')));
    expect((await post('p1'))?.authorName).toBe('');
    await feed(account('amy').next(accountRegistered('amy', 'Amy')));
    const cy = account('cy');
    await feed(cy.next(accountRegistered('cy', 'Cy')));
    expect((await post('p1'))?.authorName).toBe('Amy');
    expect((await stats('p1'))?.likers).toEqual(['Cy']);
    await feed(
      cy.next({
        type: 'parley.account.erased.v1',
        data: { accountId: 'cy', erasedAt: '2026-11-25T00:00:00.000Z' },
      }),
    );
    expect((await stats('p1'))?.likers).toEqual(['Deleted reader']);
  });

  it('keeps the byline of an imported post whose writer has no account here', async () => {
    const imported = drafted('p9', 'wordpress-ann');
    if (imported.type !== 'parley.post.drafted.v2') throw new Error('a drafted event');
    await feed(
      postStream('p9').next({ ...imported, data: { ...imported.data, authorName: 'Ann' } }),
    );
    expect((await post('p9'))?.authorName).toBe('Ann');
  });

  it('finishes a rename on redelivery when the first delivery stopped halfway', async () => {
    await feed(like('p1', 'bo').next(liked('p1', 'bo', '2026-11-24T12:00:00.000Z')));
    const rename = new StreamWriter('account-bo', '/parley/gateway').next(
      displayNameChanged('bo', 'Boots'),
    );
    // The name was stored, then the process stopped before the likes were updated.
    await db
      .collection<AccountNameDocument>(COLLECTIONS.accounts)
      .insertOne({ _id: 'bo', _v: 1, displayName: 'Boots' });
    await feed(rename);
    expect((await stats('p1'))?.likers).toEqual(['Boots']);
  });

  it('gives the same documents whatever the order of events of different streams', async () => {
    const streams = {
      post: postStream('p1').next(drafted('p1'), published('p1', '2026-11-21T00:00:00Z', true)),
      c1: comment('c1').next(
        commentPosted('p1', 'c1', 'pending'),
        commentModerated('parley.comment.approved.v1', 'p1', 'c1'),
      ),
      c2: comment('c2').next(commentPosted('p1', 'c2', 'approved')),
      like: like('p1', 'bo').next(liked('p1', 'bo', '2026-11-24T12:00:00.000Z')),
      rename: new StreamWriter('account-bo', '/parley/gateway').next(
        accountRegistered('bo', 'Bo'),
        displayNameChanged('bo', 'Boots'),
      ),
      author: account('amy').next(accountRegistered('amy', 'Amy')),
    };
    const snapshot = async () =>
      Promise.all(
        Object.values(COLLECTIONS).map((name) =>
          db.collection(name).find({}, { sort: { _id: 1 } }),
        ),
      );

    await feed([
      ...streams.post,
      ...streams.c1,
      ...streams.c2,
      ...streams.like,
      ...streams.rename,
      ...streams.author,
    ]);
    const inOrder = await snapshot();
    // Posts and likes name their accounts by id: the names are the account events', in either order.
    expect((await post('p1'))?.authorName).toBe('Amy');

    store = new MemoryDocumentStore();
    db = new GenerationDb(store, postsProjection, 1);
    await feed([
      ...streams.author,
      ...streams.rename,
      ...streams.like,
      ...streams.c2,
      ...streams.c1,
      ...streams.post,
    ]);
    expect(await snapshot()).toEqual(inOrder);
    expect(await stats('p1')).toEqual({
      commentCount: 2,
      likeCount: 1,
      likers: ['Boots'],
    });
  });

  it('ignores events it has no use for', async () => {
    const ignored: DomainEvent[] = [
      {
        type: 'parley.comment.liked.v1',
        data: { postId: 'p1', commentId: 'c1', accountId: 'a', likedAt: '2026-11-24T12:00:00Z' },
      },
    ];
    await feed(comment('c1').next(...ignored));
    expect(await db.collection(COLLECTIONS.comments).count({})).toBe(0);
  });
});
