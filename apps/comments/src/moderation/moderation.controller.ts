import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  type Actor,
  type CommentStatus,
  type CommentView,
  commentIdParamSchema,
  type ModerateCommentRequest,
  type ModerationQueuePage,
  type ModerationQueueQuery,
  moderateCommentRequestSchema,
  moderationQueueQuerySchema,
} from '@parley/contracts';
import { CurrentActor, ProblemException, requireActor } from '@parley/platform';
import { CommentUseCases } from '../comments/comment-use-cases';
import type { ModerationAction } from '../comments/comment.decider';
import { ThreadQueries } from '../thread/thread.queries';

const ACTION_FOR: Record<CommentStatus, ModerationAction> = {
  approved: 'approve',
  pending: 'unapprove',
  spam: 'spam',
  trash: 'trash',
};

/** Moderation: the queue of held comments, and moving a comment between statuses. */
@Controller('v1')
export class ModerationController {
  constructor(
    private readonly comments: CommentUseCases,
    private readonly queries: ThreadQueries,
  ) {}

  @Get('moderation/queue')
  async queue(
    @CurrentActor() actor: Actor | null,
    @Query({ schema: moderationQueueQuerySchema }) query: ModerationQueueQuery,
  ): Promise<ModerationQueuePage> {
    const caller = requireActor(actor);
    const moderator = caller.roles.includes('moderator') || caller.roles.includes('admin');
    if (!moderator && !caller.roles.includes('author'))
      throw new ProblemException({
        status: 403,
        code: 'forbidden',
        title: 'Only moderators and authors have a moderation queue',
      });
    return this.queries.moderationQueue({
      statuses: query.status === 'held' ? ['pending', 'spam'] : [query.status],
      ...(query.postId ? { postId: query.postId } : {}),
      // Authors moderate the comments on their own posts only.
      ...(moderator ? {} : { postAuthorId: caller.accountId }),
      page: query.page,
      limit: query.limit,
    });
  }

  @Post('comments/:commentId/moderation')
  @HttpCode(200)
  async moderate(
    @CurrentActor() actor: Actor | null,
    @Param('commentId', { schema: commentIdParamSchema }) commentId: string,
    @Body({ schema: moderateCommentRequestSchema }) body: ModerateCommentRequest,
  ): Promise<CommentView> {
    return this.comments.moderate(commentId, ACTION_FOR[body.status], requireActor(actor));
  }

  /** Back from spam or trash to the status it had before. */
  @Post('comments/:commentId/restore')
  @HttpCode(200)
  async restore(
    @CurrentActor() actor: Actor | null,
    @Param('commentId', { schema: commentIdParamSchema }) commentId: string,
  ): Promise<CommentView> {
    return this.comments.moderate(commentId, 'restore', requireActor(actor));
  }
}
