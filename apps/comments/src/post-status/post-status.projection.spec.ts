import type { AnyEvent, DomainEvent, TopicEvent } from '@parley/contracts';
import { GenerationDb, MemoryDocumentStore } from '@parley/readmodel';
import { StreamWriter } from '@parley/testing';
import { commentsCloseAt, refusalOf } from './post-facts';
import { postFactsOf, postStatusCollection, postStatusProjection } from './post-status.projection';

const drafted: DomainEvent<'parley.post.drafted.v2'> = {
  type: 'parley.post.drafted.v2',
  data: {
    postId: 'p1',
    authorId: 'ann',
    slug: 'her',
    title: 'Her',
    body: 'Body',
    excerpt: 'Body',
    categories: [],
    tags: [],
    series: null,
    commentSettings: { mode: 'auto-close', autoCloseDays: 14 },
    draftedAt: '2026-11-01T08:00:00.000Z',
  },
};
const published = (
  publishedAt: string,
  first: boolean,
): DomainEvent<'parley.post.published.v2'> => ({
  type: 'parley.post.published.v2',
  data: {
    postId: 'p1',
    slug: 'her-2',
    title: 'Her, again',
    excerpt: 'Body',
    authorId: 'ann',
    firstPublication: first,
    publishedAt,
    publishedBy: 'ann',
  },
});
const unpublished: DomainEvent<'parley.post.unpublished.v1'> = {
  type: 'parley.post.unpublished.v1',
  data: { postId: 'p1', unpublishedBy: 'ann', unpublishedAt: '2026-11-03T00:00:00.000Z' },
};
const deleted: DomainEvent<'parley.post.deleted.v1'> = {
  type: 'parley.post.deleted.v1',
  data: { postId: 'p1', deletedBy: 'ann', deletedAt: '2026-11-05T00:00:00.000Z' },
};

function setup() {
  const db = new GenerationDb(new MemoryDocumentStore(), postStatusProjection, 1);
  const apply = async (events: readonly AnyEvent[]) => {
    for (const event of events) await postStatusProjection.apply(event as TopicEvent<'posts'>, db);
  };
  const facts = async () => postFactsOf(await postStatusCollection(db).findOne({ _id: 'p1' }));
  return { apply, facts };
}

describe('the post-status read model', () => {
  it('knows a published post, its author, title and slug, and closes it days after its first publication', async () => {
    const t = setup();
    const stream = new StreamWriter('post-p1', '/parley/posts');
    await t.apply(stream.next(drafted));
    expect(refusalOf(await t.facts(), new Date('2026-11-02T00:00:00.000Z'))).toBe(
      'PostNotPublished',
    );

    await t.apply(stream.next(published('2026-11-02T00:00:00.000Z', true)));
    await t.apply(stream.next(unpublished));
    expect(refusalOf(await t.facts(), new Date('2026-11-04T00:00:00.000Z'))).toBe(
      'PostNotPublished',
    );
    await t.apply(stream.next(published('2026-11-10T00:00:00.000Z', false)));

    const post = await t.facts();
    expect(post).toMatchObject({
      authorId: 'ann',
      title: 'Her, again',
      slug: 'her-2',
      status: 'published',
    });
    expect(commentsCloseAt(post!)?.toISOString()).toBe('2026-11-16T00:00:00.000Z');
    expect(refusalOf(post, new Date('2026-11-15T23:59:59.000Z'))).toBeNull();
    expect(refusalOf(post, new Date('2026-11-16T00:00:00.000Z'))).toBe('CommentsClosed');
  });

  it('follows comment settings, and a deleted post takes nothing', async () => {
    const t = setup();
    const stream = new StreamWriter('post-p1', '/parley/posts');
    await t.apply([
      ...stream.next(drafted, published('2026-11-02T00:00:00.000Z', true)),
      ...stream.next({
        type: 'parley.post.comment-settings-changed.v1',
        data: {
          postId: 'p1',
          commentSettings: { mode: 'closed', autoCloseDays: null },
          changedBy: 'ann',
          changedAt: '2026-11-03T00:00:00.000Z',
        },
      }),
    ]);
    const now = new Date('2026-11-03T01:00:00.000Z');
    expect(refusalOf(await t.facts(), now)).toBe('CommentsClosed');
    await t.apply(stream.next(deleted));
    expect(refusalOf(await t.facts(), now)).toBe('PostNotFound');
  });

  it('ignores a redelivered older event and a post whose drafted event it never saw', async () => {
    const t = setup();
    const stream = new StreamWriter('post-p1', '/parley/posts');
    const first = stream.next(drafted, published('2026-11-02T00:00:00.000Z', true));
    const later = stream.next(unpublished);
    await t.apply([...first, ...later, ...first]);
    expect((await t.facts())?.status).toBe('unpublished');

    const orphan = setup();
    await orphan.apply(new StreamWriter('post-p1', '/parley/posts').next(unpublished));
    expect(await orphan.facts()).toBeNull();
  });
});
