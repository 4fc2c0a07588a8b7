import { can } from '@parley/contracts';
import { Inject, Injectable } from '@nestjs/common';
import type {
  PostsPersonalData,
  Actor,
  ExportPostsPage,
  ExportPostsQuery,
  LegacyLinkTarget,
  LikersPage,
  ListLikesQuery,
  ListPostsQuery,
  PostPage,
  PostView,
  WordpressPost,
  WordpressPostPage,
  WordpressPostsQuery,
  WordpressTerm,
  WordpressTermPage,
  WordpressTermsQuery,
} from '@parley/contracts';
import { wordpressIdOf } from '@parley/domain';
import { postIdParamSchema } from '@parley/contracts';
import type { EventStore } from '@parley/eventstore';
import { CLOCK, type Clock, EVENT_STORE, READ_MODELS, validationProblem } from '@parley/platform';
import { type Filter, type LiveReadModels, reachedStream } from '@parley/readmodel';
import { canWrite, mayChange } from '../posts/post.decider';
import { type LegacyLink, legacyKey } from './legacy-links';
import { loadPost, postStream } from '../posts/post-stream';
import { type VisiblePost, isVisible, postSummary, postView } from './post-view';
import {
  type AccountNameDocument,
  COLLECTIONS,
  type LikeDocument,
  POSTS_PROJECTION,
  type PostDocument,
  figuresOf,
  NO_FIGURES,
  type PostFigures,
  type TermDocument,
  postFromDocument,
  termKey,
} from './posts.projection';

/** An opaque position in a list: the sort value and the id of the last item shown. */
function encodeCursor(sortValue: string, id: string): string {
  return Buffer.from(JSON.stringify([sortValue, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string'
    )
      return [parsed[0], parsed[1]];
  } catch {
    // Reported below.
  }
  throw validationProblem([{ field: 'query.cursor', reason: 'is not a cursor of this list' }]);
}

/** Items after the cursor in a list sorted on (field, _id), both in the given direction. */
function after(field: string, cursor: string | undefined, direction: 1 | -1): Filter {
  if (!cursor) return {};
  const [value, id] = decodeCursor(cursor);
  const beyond = direction === 1 ? '$gt' : '$lt';
  return { $or: [{ [field]: { [beyond]: value } }, { [field]: value, _id: { [beyond]: id } }] };
}

function termOf(doc: TermDocument): WordpressTerm {
  return {
    wordpressId: doc.wordpressId,
    name: doc.name,
    key: doc.key,
    slug: doc.slug,
    count: doc.count,
  };
}

/** What readers and authors ask of the posts read model. */
@Injectable()
export class PostQueries {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: LiveReadModels,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private get db() {
    return this.readModels.db(POSTS_PROJECTION);
  }

  private get posts() {
    return this.db.collection<PostDocument>(COLLECTIONS.posts);
  }

  /**
   * Waits until the read model shows the post at `version` or later, for at most `withinMs`:
   * signalled by this process's projection, or else read from the post's document.
   */
  reached(postId: string, version: number, withinMs: number): Promise<boolean> {
    return reachedStream({
      applied: this.readModels.applied,
      projection: POSTS_PROJECTION,
      stream: postStream(postId),
      version,
      withinMs,
      read: async () => ((await this.posts.findOne({ _id: postId }))?._v ?? 0) >= version,
    });
  }

  figures(postIds: readonly string[]): Promise<Map<string, PostFigures>> {
    return figuresOf(this.db, postIds);
  }

  async figuresOf(postId: string): Promise<PostFigures> {
    return (await this.figures([postId])).get(postId) ?? NO_FIGURES;
  }

  /**
   * A post folded from its stream with its figures, as its author sees it: named by its account's
   * current name, which the events name by id only.
   */
  async view(post: VisiblePost): Promise<PostView> {
    const [figures, account] = await Promise.all([
      this.figuresOf(post.postId),
      this.db.collection<AccountNameDocument>(COLLECTIONS.accounts).findOne({ _id: post.authorId }),
    ]);
    const named = account ? { ...post, authorName: account.displayName } : post;
    return postView(named, figures, this.clock());
  }

  /**
   * Published posts newest first, or (for their author, or an admin) drafts and scheduled
   * posts, filtered by category, tag, series and author.
   */
  async list(query: ListPostsQuery, actor: Actor | null): Promise<PostPage> {
    const filter: Filter = { status: query.status };
    // Other people's drafts stay private; an admin (the blog's editor) sees them all.
    if (query.status !== 'published' && !can(actor, 'administer'))
      filter.authorId = actor?.accountId ?? null;
    if (query.author !== undefined) {
      if (filter.authorId !== undefined && filter.authorId !== query.author)
        return { items: [], nextCursor: null };
      filter.authorId = query.author;
    }
    if (query.category !== undefined) filter.categoryKeys = termKey(query.category);
    if (query.tag !== undefined) filter.tagKeys = termKey(query.tag);
    if (query.series !== undefined) filter.seriesKey = termKey(query.series);

    const docs = await this.posts.find(
      { ...filter, ...after('sortAt', query.cursor, -1) },
      { sort: { sortAt: -1, _id: -1 }, limit: query.limit + 1 },
    );
    const page = docs.slice(0, query.limit);
    const figures = await this.figures(page.map((doc) => doc._id));
    const now = this.clock();
    const last = page.at(-1);
    return {
      items: page.flatMap((doc) => {
        const post = postFromDocument(doc);
        return isVisible(post) ? [postSummary(post, figures.get(doc._id) ?? NO_FIGURES, now)] : [];
      }),
      nextCursor: docs.length > query.limit && last ? encodeCursor(last.sortAt, last._id) : null,
    };
  }

  /**
   * Every post of one status with what an export of the blog carries, in the order the
   * lists use; the caller is an admin (the controller checks).
   */
  /** The posts an account likes, for the export of its data; a post gone since shows no title. */
  async postLikesOf(accountId: string): Promise<PostsPersonalData> {
    const likes = (
      await this.db.collection<LikeDocument>(COLLECTIONS.likes).find({ accountId })
    ).filter((like) => like.liked);
    const posts = likes.length
      ? await this.posts.find({ _id: { $in: likes.map((like) => like.postId) } })
      : [];
    const byId = new Map(posts.map((post) => [post._id, post]));
    return {
      postLikes: likes
        .sort((a, b) => a.likedAt.localeCompare(b.likedAt) || a._id.localeCompare(b._id))
        .map((like) => ({
          postId: like.postId,
          postTitle: byId.get(like.postId)?.title ?? null,
          postSlug: byId.get(like.postId)?.slug ?? null,
          likedAt: like.likedAt,
        })),
    };
  }

  async exportPage(query: ExportPostsQuery): Promise<ExportPostsPage> {
    const docs = await this.posts.find(
      { status: query.status, ...after('sortAt', query.cursor, -1) },
      { sort: { sortAt: -1, _id: -1 }, limit: query.limit + 1 },
    );
    const page = docs.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((doc) => ({
        id: doc._id,
        // The `?p=` key of an imported post's old address holds its WordPress id.
        wordpressId:
          doc.legacyLinks?.find((key) => key.startsWith('p:'))?.slice('p:'.length) ?? null,
        slug: doc.slug,
        title: doc.title,
        body: doc.body,
        excerpt: doc.excerpt,
        ownExcerpt: !doc.autoExcerpt,
        categories: doc.categories,
        tags: doc.tags,
        author: { id: doc.authorId, displayName: doc.authorName },
        status: query.status,
        publishAt: doc.publishAt,
        publishedAt: doc.firstPublishedAt,
        draftedAt: doc.draftedAt,
        updatedAt: doc.updatedAt,
        commentSettings: doc.commentSettings,
      })),
      nextCursor: docs.length > query.limit && last ? encodeCursor(last.sortAt, last._id) : null,
    };
  }

  /**
   * A post by id or by any slug it has had. Readers see published posts; the author and
   * admins also see drafts and scheduled posts, read from the post's stream so that the
   * revision they edit from is the latest.
   */
  async get(idOrSlug: string, actor: Actor | null): Promise<PostView | null> {
    const doc = await this.posts.findOne({ $or: [{ _id: idOrSlug }, { slugs: idOrSlug }] });
    // Only a post id names a post's stream; a slug not projected yet is not looked for there.
    const postId = doc?._id ?? (postIdParamSchema.safeParse(idOrSlug).success ? idOrSlug : null);
    if (actor && canWrite(actor) && postId !== null) {
      const post = await loadPost(this.store, postId);
      if (post.exists && isVisible(post) && mayChange(actor, post)) return this.view(post);
    }
    if (!doc || doc.status !== 'published') return null;
    const post = postFromDocument(doc);
    // The document is named already: the projection gives it the account's name.
    return isVisible(post) ? postView(post, await this.figuresOf(post.postId), this.clock()) : null;
  }

  /**
   * The published post an old address of the blog it was imported from leads to (the first
   * imported, when two imported blogs shared the address), or null.
   */
  async byLegacyLink(link: LegacyLink): Promise<LegacyLinkTarget | null> {
    const key = legacyKey(link);
    if (key === null) return null;
    const [doc] = await this.posts.find(
      { legacyLinks: key, status: 'published' },
      { sort: { _id: 1 }, limit: 1 },
    );
    return doc ? { id: doc._id, slug: doc.slug } : null;
  }

  /**
   * Published posts as WordPress lists them: a page by number (newest first unless asked
   * otherwise), filtered by slug, integer category or tag ids, words or a Parley id, with the total.
   */
  async wordpressPage(query: WordpressPostsQuery): Promise<WordpressPostPage> {
    const filter: Filter = { status: 'published' };
    if (query.parleyIds !== undefined) filter._id = { $in: query.parleyIds };
    if (query.slug !== undefined) filter.slugs = query.slug;
    if (query.categories !== undefined) filter.categoryIds = { $in: query.categories };
    if (query.tags !== undefined) filter.tagIds = { $in: query.tags };
    if (query.search !== undefined) {
      // Words are matched as written, like WordPress's own search, over the posts the filters leave.
      const words = new RegExp(query.search.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
      filter.$or = [{ title: { $regex: words } }, { body: { $regex: words } }];
    }
    const direction = query.order === 'asc' ? 1 : -1;
    const [docs, total] = await Promise.all([
      this.posts.find(filter, {
        sort: { sortAt: direction, _id: direction },
        skip: (query.page - 1) * query.perPage,
        limit: query.perPage,
      }),
      this.posts.count(filter),
    ]);
    return { items: await this.asWordpressPosts(docs), total };
  }

  /** The published post WordPress clients know by this integer id, or null. */
  async byWordpressId(wordpressId: number): Promise<WordpressPost | null> {
    const [doc] = await this.posts.find(
      { wordpressId, status: 'published' },
      { sort: { wordpressId: 1, _id: 1 }, limit: 1 },
    );
    return doc ? ((await this.asWordpressPosts([doc]))[0] ?? null) : null;
  }

  private async asWordpressPosts(docs: readonly PostDocument[]): Promise<WordpressPost[]> {
    const figures = await this.figures(docs.map((doc) => doc._id));
    const now = this.clock();
    return docs.flatMap((doc) => {
      const post = postFromDocument(doc);
      if (!isVisible(post)) return [];
      return [
        {
          ...postView(post, figures.get(doc._id) ?? NO_FIGURES, now),
          wordpressId: doc.wordpressId ?? wordpressIdOf(doc._id),
          categoryIds: doc.categoryIds ?? [],
          tagIds: doc.tagIds ?? [],
        },
      ];
    });
  }

  /** The categories or tags of published posts, by name, with how many posts carry each. */
  async wordpressTerms(query: WordpressTermsQuery): Promise<WordpressTermPage> {
    const terms = this.db.collection<TermDocument>(COLLECTIONS.terms);
    const filter: Filter = { kind: query.kind, ...(query.slug ? { slug: query.slug } : {}) };
    const [docs, total] = await Promise.all([
      terms.find(filter, {
        sort: { name: 1, _id: 1 },
        skip: (query.page - 1) * query.perPage,
        limit: query.perPage,
      }),
      terms.count(filter),
    ]);
    return { items: docs.map(termOf), total };
  }

  async wordpressTerm(
    kind: TermDocument['kind'],
    wordpressId: number,
  ): Promise<WordpressTerm | null> {
    const doc = await this.db
      .collection<TermDocument>(COLLECTIONS.terms)
      .findOne({ kind, wordpressId });
    return doc ? termOf(doc) : null;
  }

  /** Whether the actor may see the post at all: published, or theirs to change. */
  async visibleTo(postId: string, actor: Actor | null): Promise<boolean> {
    const doc = await this.posts.findOne({ _id: postId });
    if (doc?.status === 'published') return true;
    if (!actor || !canWrite(actor)) return false;
    const post = await loadPost(this.store, postId);
    return post.exists && isVisible(post) && mayChange(actor, post);
  }

  /** Who likes a post, first likers first: display names only. */
  async likers(postId: string, query: ListLikesQuery): Promise<LikersPage> {
    const likes = this.db.collection<LikeDocument>(COLLECTIONS.likes);
    const filter = { postId, liked: true };
    const [docs, total] = await Promise.all([
      likes.find(
        { ...filter, ...after('likedAt', query.cursor, 1) },
        { sort: { likedAt: 1, _id: 1 }, limit: query.limit + 1 },
      ),
      likes.count(filter),
    ]);
    const page = docs.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((like) => ({ displayName: like.displayName, likedAt: like.likedAt })),
      total,
      nextCursor: docs.length > query.limit && last ? encodeCursor(last.likedAt, last._id) : null,
    };
  }

  /** Scheduled posts whose time has come, oldest first. */
  async due(now: Date, limit: number): Promise<string[]> {
    const docs = await this.posts.find(
      { status: 'scheduled', publishAt: { $lte: now.toISOString() } },
      { sort: { publishAt: 1, _id: 1 }, limit },
    );
    return docs.map((doc) => doc._id);
  }
}
