import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  type Actor,
  type CommentQuery,
  commentIdParamSchema,
  commentPostIdParamSchema,
  commentQuerySchema,
  type ThreadItem,
  type ThreadPage,
  type ThreadQuery,
  threadQuerySchema,
} from '@parley/contracts';
import { CurrentActor } from '@parley/platform';
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
  ): Promise<ThreadPage> {
    return this.threads.thread(postId, query, actor);
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
