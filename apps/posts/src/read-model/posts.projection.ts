import {
  type AnyEvent,
  type CommentStatus,
  type EventType,
  POST_LIKERS_SHOWN,
} from '@parley/contracts';
import {
  type AccountNameDocument,
  type AccountNamingEvent,
  applyAccountName,
} from '@parley/platform';
import {
  type Document,
  DuplicateKeyError,
  type Projection,
  type ProjectionContext,
  type ProjectionDb,
  type Versioned,
  applyToOwnedDocument,
  oneAtATime,
  settle,
  TALLY_INDEXES,
  type TallyPart,
  tallies,
  tally,
  updateEach,
  writeOneAtATime,
  writeUntilSettled,
} from '@parley/readmodel';
import {
  type CommentStreamEvent,
  commentStatusAfter,
  wordpressIdOf,
  wordpressTermIdOf,
} from '@parley/domain';
import { assertNever } from '@parley/eventstore';
import { type Post, type PostEvent, initialPost, postDecider } from '../posts/post.decider';
import { legacyKeysOf } from './legacy-links';

export const POSTS_PROJECTION = 'posts';

/** The envelopes of some event types, as a union a switch can narrow. */
type Envelope<T extends EventType> = Extract<AnyEvent, { type: T }>;

/** A post as the decider folds it, with the keys its lists filter and sort on. */
export interface PostDocument extends Versioned, Omit<Post, 'exists'> {
  categoryKeys: string[];
  tagKeys: string[];
  seriesKey: string | null;
  /** What lists sort on: the first publication, the scheduled time, or the last edit of a draft. */
  sortAt: string;
  /** The keys of an imported post's old addresses on its former blog (see legacy-links). */
  legacyLinks?: string[];
  /** The integer ids WordPress clients know it, its categories and its tags by (see wordpressIdOf). */
  wordpressId?: number;
  categoryIds?: number[];
  tagIds?: number[];
}

/** One reader's like of one post, owned by the like's stream. */
export interface LikeDocument extends Versioned {
  postId: string;
  accountId: string;
  displayName: string;
  liked: boolean;
  likedAt: string;
}

/** Whether one comment counts: owned by the comment's stream. */
export interface CommentDocument extends Versioned {
  postId: string;
  commentId: string;
  status: CommentStatus;
  deleted: boolean;
}

/** The current display name of an account, for likers and authors who renamed themselves. */
export type { AccountNameDocument };

/** The first few likers of a post, listed again from the like documents as they change. */
export interface PostStatsDocument extends Document {
  likers: string[];
}

/** What a post shows of its comments and likes. */
export interface PostFigures {
  commentCount: number;
  likeCount: number;
  likers: string[];
}

export const NO_FIGURES: PostFigures = { commentCount: 0, likeCount: 0, likers: [] };

/** A category or tag of published posts, with how many carry it; gone when none does. */
export interface TermDocument extends Document {
  kind: 'category' | 'tag';
  key: string;
  name: string;
  slug: string;
  wordpressId: number;
  count: number;
}

export const COLLECTIONS = {
  terms: 'post_terms',
  posts: 'posts',
  likes: 'post_likes',
  comments: 'post_comments',
  accounts: 'account_names',
  stats: 'post_stats',
  /** The counters of each post's approved comments and likes, moved by increments (`tally`). */
  counts: 'post_counts',
} as const;

const commentCounter = (postId: string) => `comments:${postId}`;
const likeCounter = (postId: string) => `likes:${postId}`;

/** The figures of some posts: their counters and first likers. */
export async function figuresOf(
  db: ProjectionDb,
  postIds: readonly string[],
): Promise<Map<string, PostFigures>> {
  if (postIds.length === 0) return new Map();
  const ids = [...postIds];
  const [counts, stats] = await Promise.all([
    tallies(
      db.collection<TallyPart>(COLLECTIONS.counts),
      ids.flatMap((id) => [commentCounter(id), likeCounter(id)]),
    ),
    db
      .collection<PostStatsDocument>(COLLECTIONS.stats)
      .find(ids.length === 1 ? { _id: ids[0] } : { _id: { $in: ids } }),
  ]);
  const likers = new Map(stats.map((doc) => [doc._id, doc.likers]));
  return new Map(
    ids.map((id) => [
      id,
      {
        commentCount: counts.get(commentCounter(id)) ?? 0,
        likeCount: counts.get(likeCounter(id)) ?? 0,
        likers: likers.get(id) ?? [],
      },
    ]),
  );
}

export function termKey(term: string): string {
  return term.trim().replace(/\s+/g, ' ').toLowerCase();
}

function sortKeyOf(post: Post): string {
  switch (post.status) {
    case 'published':
      return post.firstPublishedAt ?? post.updatedAt;
    case 'scheduled':
      return post.publishAt ?? post.updatedAt;
    case 'draft':
    case 'deleted':
      return post.updatedAt;
    default:
      return assertNever(post.status, 'post status');
  }
}

export function postDocument(post: Post): Omit<PostDocument, '_v'> {
  const { exists: _exists, ...fields } = post;
  return {
    _id: post.postId,
    ...fields,
    categoryKeys: post.categories.map(termKey),
    tagKeys: post.tags.map(termKey),
    categoryIds: post.categories.map((name) => wordpressTermIdOf('category', termKey(name))),
    tagIds: post.tags.map((name) => wordpressTermIdOf('tag', termKey(name))),
    seriesKey: post.series === null ? null : termKey(post.series),
    sortAt: sortKeyOf(post),
  };
}

export function postFromDocument(doc: PostDocument): Post {
  const {
    _id: _ignoredId,
    _v: _ignoredVersion,
    categoryKeys: _c,
    tagKeys: _t,
    seriesKey: _s,
    sortAt: _sort,
    legacyLinks: _l,
    wordpressId: _w,
    categoryIds: _ci,
    tagIds: _ti,
    ...fields
  } = doc;
  return { exists: true, ...fields };
}

async function accountName(db: ProjectionDb, accountId: string): Promise<string | undefined> {
  return (
    await db.collection<AccountNameDocument>(COLLECTIONS.accounts).findOne({ _id: accountId })
  )?.displayName;
}

/** Lists a post's first likers from the like documents, until the list holds (`writeUntilSettled`). */
export function relistLikers(db: ProjectionDb, postId: string): Promise<void> {
  const stats = db.collection<PostStatsDocument>(COLLECTIONS.stats);
  const likes = db.collection<LikeDocument>(COLLECTIONS.likes);
  const measure = async () => ({
    likers: (
      await likes.find(
        { postId, liked: true },
        { sort: { likedAt: 1, _id: 1 }, limit: POST_LIKERS_SHOWN, fields: ['displayName'] },
      )
    ).map((like) => like.displayName),
  });
  return writeUntilSettled(`The first likers of post ${postId}`, measure, (figures) =>
    oneAtATime(`${stats.name}|${postId}`, () =>
      stats.updateOne({ _id: postId }, { $set: figures }, { upsert: true }),
    ),
  );
}

/** A term's slug as WordPress makes one from its name. */
export function termSlug(name: string): string {
  return (
    termKey(name)
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '') || 'term'
  );
}

/**
 * Recounts the published posts carrying each of some categories or tags, all of them in one
 * query, as racing recounts settle: it counts again after writing until the figures hold.
 */
async function recountTerms(
  db: ProjectionDb,
  kind: TermDocument['kind'],
  names: ReadonlyMap<string, string | undefined>,
): Promise<void> {
  const posts = db.collection<PostDocument>(COLLECTIONS.posts);
  const terms = db.collection<TermDocument>(COLLECTIONS.terms);
  const field = kind === 'category' ? 'categoryKeys' : 'tagKeys';
  const measure = async (keys: readonly string[]) => {
    const counts = new Map(keys.map((key) => [key, 0]));
    const carrying = await posts.find(
      { [field]: { $in: keys }, status: 'published' },
      { fields: [field] },
    );
    for (const post of carrying)
      for (const key of new Set(post[field]))
        if (counts.has(key)) counts.set(key, counts.get(key)! + 1);
    return counts;
  };
  let pending = [...names.keys()];
  let counts = await measure(pending);
  for (let attempt = 0; attempt < 10 && pending.length > 0; attempt++) {
    // Writes lost to a racing first insert: not written, so written again.
    const lost = new Set<string>();
    for (const key of pending) {
      const _id = `${kind}:${key}`;
      const count = counts.get(key)!;
      if (count === 0) {
        await terms.deleteMany({ _id });
        continue;
      }
      const shownAs = names.get(key) ?? (await terms.findOne({ _id }))?.name ?? key;
      const doc: TermDocument = {
        _id,
        kind,
        key,
        name: shownAs,
        slug: termSlug(shownAs),
        wordpressId: wordpressTermIdOf(kind, key),
        count,
      };
      try {
        await terms.replaceOne({ _id }, doc, { upsert: true });
      } catch (error) {
        if (!(error instanceof DuplicateKeyError)) throw error;
        lost.add(key);
      }
    }
    const again = await measure(pending);
    pending = pending.filter((key) => lost.has(key) || again.get(key) !== counts.get(key));
    counts = again;
  }
  if (pending.length > 0)
    throw new Error(`The count of ${kind} ${pending.join(', ')} keeps changing`);
}

/**
 * Recounts the categories and tags whose figure or name an event may have changed: those a
 * post gained or lost as a published post, or shows under a new name. After a redelivery
 * (`everything`) all of them: its first delivery may have stopped before counting.
 */
async function recountTermsOf(
  db: ProjectionDb,
  before: PostDocument | null,
  after: PostDocument | null,
  everything: boolean,
): Promise<void> {
  for (const kind of ['category', 'tag'] as const) {
    const keysOf = (doc: PostDocument | null) =>
      new Set((kind === 'category' ? doc?.categoryKeys : doc?.tagKeys) ?? []);
    const namesOf = (doc: PostDocument | null) =>
      new Map(
        ((kind === 'category' ? doc?.categories : doc?.tags) ?? []).map((name) => [
          termKey(name),
          name,
        ]),
      );
    const counted = (doc: PostDocument | null) =>
      doc?.status === 'published' ? keysOf(doc) : new Set<string>();
    const [was, is] = [counted(before), counted(after)];
    const [namedBefore, named] = [namesOf(before), namesOf(after)];
    const changed = new Map<string, string | undefined>();
    for (const key of new Set([...keysOf(before), ...keysOf(after)]))
      if (
        everything ||
        was.has(key) !== is.has(key) ||
        (is.has(key) && named.get(key) !== namedBefore.get(key))
      )
        changed.set(key, named.get(key));
    if (changed.size > 0) await recountTerms(db, kind, changed);
  }
}

async function applyPostEvent(event: Envelope<PostEvent['type']>, db: ProjectionDb) {
  const posts = db.collection<PostDocument>(COLLECTIONS.posts);
  const postId = event.data.postId;
  const before = await posts.findOne({ _id: postId });
  const authorId = event.type === 'parley.post.drafted.v2' ? event.data.authorId : before?.authorId;
  const renamed = authorId === undefined ? undefined : await accountName(db, authorId);
  const outcome = await applyToOwnedDocument<PostDocument>(posts, postId, event, (current) => {
    // Without its drafted event (dead-lettered) there is nothing to build the post on.
    if (!current && event.type !== 'parley.post.drafted.v2') return null;
    const post = postDecider.evolve(current ? postFromDocument(current) : initialPost, event);
    const doc = postDocument(renamed === undefined ? post : { ...post, authorName: renamed });
    const legacyLinks =
      event.type === 'parley.post.drafted.v2'
        ? legacyKeysOf(event.data.imported)
        : (current?.legacyLinks ?? []);
    const wordpressId =
      event.type === 'parley.post.drafted.v2'
        ? wordpressIdOf(postId, event.data.imported)
        : (current?.wordpressId ?? wordpressIdOf(postId));
    return { ...doc, wordpressId, ...(legacyLinks.length > 0 ? { legacyLinks } : {}) };
  });
  // A rename applied while this event was being applied must not be lost.
  if (authorId !== undefined) {
    const latest = await accountName(db, authorId);
    if (latest !== undefined && latest !== renamed)
      await writeOneAtATime(posts, postId, () =>
        posts.updateOne({ _id: postId }, { $set: { authorName: latest } }),
      );
  }
  // Counted from the posts as they now stand, so a redelivery counts the same.
  await recountTermsOf(db, before, await posts.findOne({ _id: postId }), outcome === 'skipped');
}

async function applyLikeEvent(
  event: Envelope<'parley.post.liked.v2'> | Envelope<'parley.post.unliked.v1'>,
  db: ProjectionDb,
  context: ProjectionContext | undefined,
) {
  const likes = db.collection<LikeDocument>(COLLECTIONS.likes);
  const { postId, accountId } = event.data;
  const renamed = await accountName(db, accountId);
  await applyToOwnedDocument<LikeDocument>(
    likes,
    event.subject,
    event,
    (current) =>
      event.type === 'parley.post.liked.v2'
        ? {
            _id: event.subject,
            postId,
            accountId,
            // Named by id only: the name comes with the account events, before or after.
            displayName: renamed ?? '',
            liked: true,
            likedAt: event.data.likedAt,
          }
        : current && { ...current, liked: false },
    (current, next) =>
      tally(
        db.collection<TallyPart>(COLLECTIONS.counts),
        likeCounter(postId),
        Number(next?.liked ?? current?.liked ?? false) - Number(current?.liked ?? false),
        context,
      ),
  );
  const latest = await accountName(db, accountId);
  if (latest !== undefined && latest !== renamed)
    await writeOneAtATime(likes, event.subject, () =>
      likes.updateOne({ _id: event.subject }, { $set: { displayName: latest } }),
    );
  await settle(context, `likers|${postId}`, () => relistLikers(db, postId));
}

/** What can make a comment count or stop counting: all but an edit of its stream's events. */
type CommentVisibilityEvent = Envelope<
  Exclude<CommentStreamEvent['type'], 'parley.comment.edited.v1'>
>;

/** Whether a comment is in its post's comment count. */
const counted = (doc: Omit<CommentDocument, '_v'> | null) =>
  doc !== null && doc.status === 'approved' && !doc.deleted;

async function applyCommentEvent(
  event: CommentVisibilityEvent,
  db: ProjectionDb,
  context: ProjectionContext | undefined,
) {
  const { postId, commentId } = event.data;
  await applyToOwnedDocument<CommentDocument>(
    db.collection<CommentDocument>(COLLECTIONS.comments),
    event.subject,
    event,
    (current) => {
      const next = {
        _id: event.subject,
        postId,
        commentId,
        // A comment whose posted event is missing counts once a moderator approves it.
        status: commentStatusAfter(current?.status ?? 'pending', event),
        deleted:
          (current?.deleted ?? false) ||
          event.type === 'parley.comment.deleted.v1' ||
          // A comment removed with its author's data is a tombstone: it counts no more.
          (event.type === 'parley.comment.author-erased.v1' && event.data.mode === 'remove'),
      };
      return next;
    },
    // Most events (a held comment, a second approval) leave the count as it is.
    (current, next) =>
      tally(
        db.collection<TallyPart>(COLLECTIONS.counts),
        commentCounter(postId),
        Number(counted(next)) - Number(counted(current)),
        context,
      ),
  );
}

async function applyAccountEvent(
  sealed: AccountNamingEvent,
  db: ProjectionDb,
  context: ProjectionContext | undefined,
) {
  const { accountId } = sealed.data;
  // Also on a redelivery: the first delivery may have stopped before reaching posts and likes.
  const current = await applyAccountName(
    sealed,
    db.collection<AccountNameDocument>(COLLECTIONS.accounts),
    context,
  );
  if (current === undefined) return;
  await updateEach(
    db.collection<PostDocument>(COLLECTIONS.posts),
    { authorId: accountId, authorName: { $ne: current } },
    { $set: { authorName: current } },
  );
  const likes = db.collection<LikeDocument>(COLLECTIONS.likes);
  const stale = await likes.find({ accountId, displayName: { $ne: current } });
  if (stale.length === 0) return;
  await updateEach(
    likes,
    { accountId, displayName: { $ne: current } },
    { $set: { displayName: current } },
  );
  for (const postId of new Set(stale.map((like) => like.postId)))
    await settle(context, `likers|${postId}`, () => relistLikers(db, postId));
}

/**
 * The blog's posts for readers and their authors: every post as its stream folds it, with
 * its approved-comment count, like count and first likers, and the likers of each post.
 */
export const postsProjection: Projection<'posts' | 'comments' | 'accounts'> = {
  name: POSTS_PROJECTION,
  topics: ['posts', 'comments', 'accounts'],
  collections: {
    [COLLECTIONS.posts]: [
      { keys: { status: 1, sortAt: -1, _id: -1 } },
      { keys: { categoryKeys: 1, status: 1, sortAt: -1, _id: -1 } },
      { keys: { tagKeys: 1, status: 1, sortAt: -1, _id: -1 } },
      { keys: { seriesKey: 1, status: 1, sortAt: -1, _id: -1 } },
      { keys: { authorId: 1, status: 1, sortAt: -1, _id: -1 } },
      { keys: { slugs: 1 } },
      { keys: { status: 1, publishAt: 1, _id: 1 } },
      { keys: { legacyLinks: 1, status: 1, _id: 1 } },
      // WordPress clients: a post by its integer id, posts of a category or tag by integer id.
      { keys: { wordpressId: 1, _id: 1 } },
      { keys: { categoryIds: 1, status: 1, sortAt: -1, _id: -1 } },
      { keys: { tagIds: 1, status: 1, sortAt: -1, _id: -1 } },
    ],
    [COLLECTIONS.likes]: [
      { keys: { postId: 1, liked: 1, likedAt: 1, _id: 1 } },
      { keys: { accountId: 1 } },
    ],
    [COLLECTIONS.comments]: [{ keys: { postId: 1, status: 1, deleted: 1 } }],
    [COLLECTIONS.accounts]: [],
    [COLLECTIONS.stats]: [],
    [COLLECTIONS.counts]: TALLY_INDEXES,
    [COLLECTIONS.terms]: [
      { keys: { kind: 1, name: 1, _id: 1 } },
      { keys: { kind: 1, slug: 1, name: 1, _id: 1 } },
      { keys: { kind: 1, wordpressId: 1 } },
    ],
  },
  async apply(event, db, context) {
    switch (event.type) {
      case 'parley.post.drafted.v2':
      case 'parley.post.edited.v1':
      case 'parley.post.published.v2':
      case 'parley.post.scheduled.v1':
      case 'parley.post.unpublished.v1':
      case 'parley.post.deleted.v1':
      case 'parley.post.comment-settings-changed.v1':
        return applyPostEvent(event, db);
      case 'parley.post.liked.v2':
      case 'parley.post.unliked.v1':
        return applyLikeEvent(event, db, context);
      case 'parley.comment.posted.v3':
      case 'parley.comment.approved.v1':
      case 'parley.comment.unapproved.v1':
      case 'parley.comment.marked-spam.v1':
      case 'parley.comment.trashed.v1':
      case 'parley.comment.restored.v1':
      case 'parley.comment.deleted.v1':
      case 'parley.comment.author-erased.v1':
        return applyCommentEvent(event, db, context);
      case 'parley.account.registered.v2':
      case 'parley.account.display-name-changed.v2':
      case 'parley.account.erased.v1':
        return applyAccountEvent(event, db, context);
      case 'parley.comment.edited.v1':
      case 'parley.comment.liked.v1':
      case 'parley.comment.unliked.v1':
      case 'parley.comment-settings.changed.v1':
      case 'parley.account.email-verified.v2':
      case 'parley.account.roles-changed.v1':
      case 'parley.session.ended.v1':
        // Nothing a post shows depends on these.
        return;
      default:
        return assertNever(event, 'event of the posts projection');
    }
  },
};
