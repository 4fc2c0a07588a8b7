import { Inject, Injectable } from '@nestjs/common';
import type {
  Actor,
  CommentQuery,
  ThreadItem,
  ThreadPage,
  ThreadQuery,
  ThreadViewerState,
} from '@parley/contracts';
import { domainError } from '@parley/eventstore';
import { CLOCK, type Clock, requireActor } from '@parley/platform';
import { type KeptAnswer, KeptAnswers } from '@parley/readmodel';
import { commentsProblem } from '../comments.errors';
import { authorKeyOf, viewerTokenHashOf } from '../comments/comment-keys';
import { mayModerate } from '../comments/comment.decider';
import { type PostFacts, refusalOf } from '../post-status/post-facts';
import { PostStatusQueries } from '../post-status/post-status.queries';
import type { CommentSettings } from '../settings/comment-settings.decider';
import { SettingsService } from '../settings/settings.service';
import { ThreadQueries } from './thread.queries';
import type { ThreadViewer } from './thread-tree';

/**
 * Replies written deeper than the blog's depth allows now (it was lowered) show at the
 * deepest allowed level, still in their place under their parents; the events keep their depth.
 */
export function atMostDepth<T extends { depth: number }>(item: T, threadDepth: number): T {
  return item.depth > threadDepth ? { ...item, depth: threadDepth } : item;
}

/** An anonymous page served as this reader's: the same, with the comments they like marked. */
function withLikes(page: ThreadPage, liked: readonly string[]): ThreadPage {
  if (liked.length === 0) return page;
  const likes = new Set(liked);
  return {
    ...page,
    items: page.items.map((item) => (likes.has(item.id) ? { ...item, likedByViewer: true } : item)),
  };
}

/** A thread page kept for anonymous readers: its JSON to send, and the page to mark likes on. */
interface SharedPage {
  bytes: Buffer;
  page: ThreadPage;
}

function viewerOf(
  actor: Actor | null,
  view: ThreadViewer['view'],
  tokens: readonly string[] = [],
): ThreadViewer {
  return {
    view,
    authorKey: actor ? authorKeyOf({ kind: 'account', accountId: actor.accountId }) : null,
    viewerTokenHashes: tokens.map(viewerTokenHashOf),
  };
}

/** The thread of a post as a reader, a guest with viewer tokens, or a moderator sees it. */
@Injectable()
export class ThreadService {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly posts: PostStatusQueries,
    private readonly settings: SettingsService,
    private readonly queries: ThreadQueries,
  ) {}

  /** Anonymous thread pages, serialized and parsed, up to 32 MiB of them. */
  private readonly kept = new KeptAnswers<SharedPage>(
    32 * 1024 * 1024,
    // The parsed page beside its bytes takes about twice their size again.
    (shared) => shared.bytes.length * 3,
  );

  /** Pages being made, by their key. */
  private readonly making = new Map<string, Promise<KeptAnswer<SharedPage>>>();

  /** Whether this read is the same for every anonymous reader, so its answer may be kept. */
  static shared(query: ThreadQuery, actor: Actor | null): boolean {
    return actor === null && query.view === 'public' && (query.viewerToken ?? []).length === 0;
  }

  /**
   * The thread page an anonymous reader gets, with its ETag. The answer is kept per post and
   * page and served again while the thread's version, the settings it shows and whether
   * comments are open are unchanged; the version is read from the store on every call, so no
   * replica serves a page older than a write it answered.
   */
  async sharedThread(postId: string, query: ThreadQuery): Promise<KeptAnswer<SharedPage>> {
    const now = this.clock();
    // Read before the page: a change landing meanwhile moves it on and the next read remakes the page.
    const [version, post, settings] = await Promise.all([
      this.queries.threadVersion(postId),
      this.posts.find(postId, now),
      this.settings.current(),
    ]);
    return this.keptPage(this.readable(post, query.view, null), settings, version, query);
  }

  /** The anonymous page of a post at a thread version, made once from the post and settings read with it. */
  private async keptPage(
    post: PostFacts,
    settings: CommentSettings,
    version: string,
    query: ThreadQuery,
  ): Promise<KeptAnswer<SharedPage>> {
    const postId = post.postId;
    const order = query.order ?? settings.defaultOrder;
    const key = [
      postId,
      version,
      query.page,
      order,
      settings.commentsPerPage,
      settings.threadDepth,
      settings.editWindowMinutes,
      refusalOf(post, this.clock()) === null,
    ].join('|');
    const slot = `${postId}|${query.page}|${order}`;
    const kept = this.kept.get(slot, key);
    if (kept) return kept;
    // Readers who come together while it is made wait for the one page being made.
    const making = this.making.get(key);
    if (making) return making;
    const made = this.page(post, settings, { page: query.page, view: 'public', order }, null)
      // Kept as bytes too: sent as they are, with no size to measure and no text to encode per request.
      .then((page) => this.kept.set(slot, key, { page, bytes: Buffer.from(JSON.stringify(page)) }))
      .finally(() => this.making.delete(key));
    this.making.set(key, made);
    return made;
  }

  private readable(
    post: PostFacts | null,
    view: ThreadQuery['view'],
    actor: Actor | null,
  ): PostFacts {
    const notFound = () => commentsProblem(domainError('PostNotFound', 'There is no such post'));
    if (!post || post.deleted) throw notFound();
    const moderator = actor !== null && mayModerate(actor, post.authorId);
    if (post.status !== 'published' && !moderator) throw notFound();
    if (view === 'moderation' && !mayModerate(requireActor(actor), post.authorId))
      throw commentsProblem(
        domainError('NotAllowed', 'Only moderators and the post’s author see held comments'),
      );
    return post;
  }

  /**
   * The thread as this reader sees it. A reader with none of their own comments held sees the
   * page every anonymous reader gets with their likes marked: the kept page, not one made again.
   */
  async thread(postId: string, query: ThreadQuery, actor: Actor | null): Promise<ThreadPage> {
    const now = this.clock();
    const personal = query.view === 'public';
    const [post, settings, version, mine] = await Promise.all([
      this.posts.find(postId, now),
      this.settings.current(),
      personal ? this.queries.threadVersion(postId) : null,
      personal ? this.viewerMarks(postId, query.viewerToken, actor) : null,
    ]);
    const shown = this.readable(post, query.view, actor);
    if (version !== null && mine?.held === 0) {
      const kept = await this.keptPage(shown, settings, version, query);
      return withLikes(kept.value.page, mine.liked);
    }
    return this.page(shown, settings, query, actor);
  }

  /** What the thread of a post shows this reader alone: their likes, their held comments. */
  async viewerState(
    postId: string,
    query: CommentQuery,
    actor: Actor | null,
  ): Promise<ThreadViewerState> {
    const [post, mine] = await Promise.all([
      this.posts.find(postId, this.clock()),
      this.viewerMarks(postId, query.viewerToken, actor),
    ]);
    this.readable(post, 'public', actor);
    return { postId, ...mine };
  }

  private viewerMarks(
    postId: string,
    tokens: readonly string[] | undefined,
    actor: Actor | null,
  ): Promise<Omit<ThreadViewerState, 'postId'>> {
    return this.queries.viewerState(
      postId,
      viewerOf(actor, 'public', tokens),
      actor?.accountId ?? null,
    );
  }

  private async page(
    post: PostFacts,
    settings: CommentSettings,
    query: ThreadQuery,
    actor: Actor | null,
  ): Promise<ThreadPage> {
    const postId = post.postId;
    const order = query.order ?? settings.defaultOrder;
    const { items, totals } = await this.queries.page({
      postId,
      viewer: viewerOf(actor, query.view, query.viewerToken),
      accountId: actor?.accountId ?? null,
      page: query.page,
      perPage: settings.commentsPerPage,
      order,
    });
    return {
      postId,
      order,
      view: query.view,
      page: query.page,
      perPage: settings.commentsPerPage,
      threadDepth: settings.threadDepth,
      editWindowMinutes: settings.editWindowMinutes,
      commentsOpen: refusalOf(post, this.clock()) === null,
      totals,
      items: items.map((item) => atMostDepth(item, settings.threadDepth)),
    };
  }

  async comment(commentId: string, query: CommentQuery, actor: Actor | null): Promise<ThreadItem> {
    const asReader = viewerOf(actor, 'public', query.viewerToken);
    let item = await this.queries.comment(commentId, asReader, actor?.accountId ?? null);
    if (!item && actor) {
      const asModerator = await this.queries.comment(
        commentId,
        viewerOf(actor, 'moderation'),
        actor.accountId,
      );
      const post = asModerator ? await this.posts.find(asModerator.postId, this.clock()) : null;
      if (asModerator && mayModerate(actor, post?.authorId ?? null)) item = asModerator;
    }
    if (!item) throw commentsProblem(domainError('CommentNotFound', 'There is no such comment'));
    return atMostDepth(item, (await this.settings.current()).threadDepth);
  }
}
