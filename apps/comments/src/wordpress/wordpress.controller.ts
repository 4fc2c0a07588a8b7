import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  type Actor,
  type CommentQuery,
  commentQuerySchema,
  type WordpressComment,
  type WordpressCommentPage,
  type WordpressCommentsQuery,
  wordpressCommentsQuerySchema,
  wordpressIdSchema,
} from '@parley/contracts';
import { domainError } from '@parley/eventstore';
import { CurrentActor } from '@parley/platform';
import { commentsProblem } from '../comments.errors';
import { ThreadQueries } from '../thread/thread.queries';
import { ThreadService } from '../thread/thread.service';

/** What the gateway's WordPress dialect reads: comments by integer id, and flat pages of a post's. */
@Controller('v1/wordpress/comments')
export class WordpressCommentsController {
  constructor(
    private readonly queries: ThreadQueries,
    private readonly threads: ThreadService,
  ) {}

  @Get()
  async list(
    @Query({ schema: wordpressCommentsQuerySchema }) query: WordpressCommentsQuery,
  ): Promise<WordpressCommentPage> {
    let parentIds: (string | null)[] | undefined;
    if (query.parent) {
      const ids = await this.queries.idsOfWordpressIds(query.parent.filter((id) => id !== 0));
      parentIds = query.parent.flatMap((id) => {
        if (id === 0) return [null];
        const found = ids.get(id);
        return found ? [found] : [];
      });
      if (parentIds.length === 0) return { items: [], total: 0 };
    }
    return this.queries.wordpressPage({ ...query, ...(parentIds ? { parentIds } : {}) });
  }

  @Get(':wordpressId')
  async byWordpressId(
    @CurrentActor() actor: Actor | null,
    @Param('wordpressId', { schema: wordpressIdSchema }) wordpressId: number,
    @Query({ schema: commentQuerySchema }) query: CommentQuery,
  ): Promise<WordpressComment> {
    const commentId = (await this.queries.idsOfWordpressIds([wordpressId])).get(wordpressId);
    if (!commentId)
      throw commentsProblem(domainError('CommentNotFound', 'There is no such comment'));
    return this.shown(commentId, query, actor);
  }

  /** The comment if the caller may see it (the same rule as Parley's own read), with its integer ids. */
  private async shown(
    commentId: string,
    query: CommentQuery,
    actor: Actor | null,
  ): Promise<WordpressComment> {
    const [item, doc] = await Promise.all([
      this.threads.comment(commentId, query, actor),
      this.queries.document(commentId),
    ]);
    if (!doc) throw commentsProblem(domainError('CommentNotFound', 'There is no such comment'));
    const [ids] = await this.queries.asWordpressComments([doc]);
    const {
      number: _n,
      replyCount: _r,
      likeCount: _l,
      likedByViewer: _b,
      message: _m,
      moderationReason: _x,
      ...fields
    } = item;
    return { ...fields, wordpressId: ids!.wordpressId, parentWordpressId: ids!.parentWordpressId };
  }
}
