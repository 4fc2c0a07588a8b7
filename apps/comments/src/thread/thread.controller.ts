import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import {
  type Actor,
  type CommentQuery,
  commentIdParamSchema,
  commentPostIdParamSchema,
  commentQuerySchema,
  type ThreadItem,
  type ThreadPage,
  type ThreadQuery,
  type ThreadViewerState,
  threadQuerySchema,
} from '@parley/contracts';
import { CurrentActor } from '@parley/platform';
import { matchesEtag } from '@parley/readmodel';
import type { FastifyReply } from 'fastify';
import { ThreadService } from './thread.service';

/** Reading threads: a post's comments in display order, and one comment. */
@Controller('v1')
export class ThreadController {
  constructor(private readonly threads: ThreadService) {}

  @Get('posts/:postId/comments')
  async thread(
    @CurrentActor() actor: Actor | null,
    @Param('postId', { schema: commentPostIdParamSchema }) postId: string,
    @Query({ schema: threadQuerySchema }) query: ThreadQuery,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ThreadPage | Buffer | undefined> {
    if (!ThreadService.shared(query, actor)) return this.threads.thread(postId, query, actor);
    // Every anonymous reader gets the same bytes: kept, tagged, and not sent again to a client that has them.
    const answer = await this.threads.sharedThread(postId, query);
    void reply.header('etag', answer.etag).header('cache-control', 'no-cache');
    if (matchesEtag(ifNoneMatch, answer.etag)) {
      void reply.status(304);
      return undefined;
    }
    void reply.header('content-type', 'application/json; charset=utf-8');
    return answer.value.bytes;
  }

  @Get('posts/:postId/comments/mine')
  async mine(
    @CurrentActor() actor: Actor | null,
    @Param('postId', { schema: commentPostIdParamSchema }) postId: string,
    @Query({ schema: commentQuerySchema }) query: CommentQuery,
  ): Promise<ThreadViewerState> {
    return this.threads.viewerState(postId, query, actor);
  }

  @Get('comments/:commentId')
  async comment(
    @CurrentActor() actor: Actor | null,
    @Param('commentId', { schema: commentIdParamSchema }) commentId: string,
    @Query({ schema: commentQuerySchema }) query: CommentQuery,
  ): Promise<ThreadItem> {
    return this.threads.comment(commentId, query, actor);
  }
}
