import { Inject, Injectable } from '@nestjs/common';
import type { Actor, CommentQuery, ThreadItem, ThreadPage, ThreadQuery } from '@parley/contracts';
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

  /** Serialized anonymous thread pages, up to 32 MiB of them. */
  private readonly kept = new KeptAnswers<Buffer>(32 * 1024 * 1024, (json) => json.length);

  /** Whether this read is the same for every anonymous reader, so its answer may be kept. */
  static shared(query: ThreadQuery, actor: Actor | null): boolean {
    return actor === null && query.view === 'public' && (query.viewerToken ?? []).length === 0;
  }

  /**
   * The serialized thread page an anonymous reader gets, with its ETag. The answer is kept
   * per post and page and served again while the thread's version, the settings it shows and
   * whether comments are open are unchanged; the version is read from the store on every call,
   * so no replica serves a page older than a write it answered.
   */
  async sharedThread(postId: string, query: ThreadQuery): Promise<KeptAnswer<Buffer>> {
    const now = this.clock();
    // Read before the page: a change landing meanwhile moves it on and the next read remakes the page.
    const [version, post, settings] = await Promise.all([
      this.queries.threadVersion(postId),
      this.posts.find(postId, now),
      this.settings.current(),
    ]);
    const shown = this.readable(post, query, null);
    const order = query.order ?? settings.defaultOrder;
    const key = [
      postId,
      version,
      query.page,
      order,
      settings.commentsPerPage,
      settings.threadDepth,
      settings.editWindowMinutes,
      refusalOf(post, now) === null,
    ].join('|');
    const slot = `${postId}|${query.page}|${order}`;
    const kept = this.kept.get(slot, key);
    if (kept) return kept;
    // The post and settings just read make the page: they are the ones its key names.
    const page = await this.page(shown, settings, { ...query, order }, null);
    // Kept as bytes: sent as they are, with no size to measure and no text to encode per request.
    return this.kept.set(slot, key, Buffer.from(JSON.stringify(page)));
  }

  private readable(post: PostFacts | null, query: ThreadQuery, actor: Actor | null): PostFacts {
    const notFound = () => commentsProblem(domainError('PostNotFound', 'There is no such post'));
    if (!post || post.deleted) throw notFound();
    const moderator = actor !== null && mayModerate(actor, post.authorId);
    if (post.status !== 'published' && !moderator) throw notFound();
    if (query.view === 'moderation' && !mayModerate(requireActor(actor), post.authorId))
      throw commentsProblem(
        domainError('NotAllowed', 'Only moderators and the post’s author see held comments'),
      );
    return post;
  }

  async thread(postId: string, query: ThreadQuery, actor: Actor | null): Promise<ThreadPage> {
    const [post, settings] = await Promise.all([
      this.posts.find(postId, this.clock()),
      this.settings.current(),
    ]);
    return this.page(this.readable(post, query, actor), settings, query, actor);
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
