import { Inject, Injectable } from '@nestjs/common';
import type { Actor, CommentQuery, ThreadItem, ThreadPage, ThreadQuery } from '@parley/contracts';
import { domainError } from '@parley/eventstore';
import { CLOCK, type Clock, requireActor } from '@parley/platform';
import { commentsProblem } from '../comments.errors';
import { authorKeyOf, viewerTokenHashOf } from '../comments/comment-keys';
import { mayModerate } from '../comments/comment.decider';
import { refusalOf } from '../post-status/post-facts';
import { PostStatusQueries } from '../post-status/post-status.queries';
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

  async thread(postId: string, query: ThreadQuery, actor: Actor | null): Promise<ThreadPage> {
    const post = await this.posts.find(postId, this.clock());
    const notFound = commentsProblem(domainError('PostNotFound', 'There is no such post'));
    if (!post || post.deleted) throw notFound;
    const moderator = actor !== null && mayModerate(actor, post.authorId);
    if (post.status !== 'published' && !moderator) throw notFound;
    if (query.view === 'moderation' && !mayModerate(requireActor(actor), post.authorId))
      throw commentsProblem(
        domainError('NotAllowed', 'Only moderators and the post’s author see held comments'),
      );
    const settings = await this.settings.current();
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
