import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  type Actor,
  type CommentStatus,
  type CommentView,
  type EmptyTrashResult,
  commentIdParamSchema,
  type ModerateCommentRequest,
  type ModerationQueuePage,
  type ModerationQueueQuery,
  moderateCommentRequestSchema,
  moderationQueueQuerySchema,
  can,
} from '@parley/contracts';
import { CurrentActor, ProblemException, requireActor } from '@parley/platform';
import { CommentUseCases } from '../comments/comment-use-cases';
import { mayModerate, type ModerationAction } from '../comments/comment.decider';
import { CommentOrigins } from '../origins/comment-origins';
import { ThreadQueries } from '../thread/thread.queries';

const ACTION_FOR: Record<CommentStatus, ModerationAction> = {
  approved: 'approve',
  pending: 'unapprove',
  spam: 'spam',
  trash: 'trash',
};

/** Moderators and admins see every post's comments; an author only those on their posts. */
function queueOwner(actor: Actor | null): { moderator: boolean; postAuthorId?: string } {
  const caller = requireActor(actor);
  if (mayModerate(caller, null)) return { moderator: true };
  if (!can(caller, 'write'))
    throw new ProblemException({
      status: 403,
      code: 'forbidden',
      title: 'Only moderators and authors have a moderation queue',
    });
  return { moderator: false, postAuthorId: caller.accountId };
}

/** Moderation: the queue of held comments, and moving a comment between statuses. */
@Controller('v1')
export class ModerationController {
  constructor(
    private readonly comments: CommentUseCases,
    private readonly queries: ThreadQueries,
    private readonly origins: CommentOrigins,
  ) {}

  @Get('moderation/queue')
  async queue(
    @CurrentActor() actor: Actor | null,
    @Query({ schema: moderationQueueQuerySchema }) query: ModerationQueueQuery,
  ): Promise<ModerationQueuePage> {
    const { moderator, postAuthorId } = queueOwner(actor);
    const page = await this.queries.moderationQueue({
      statuses: query.status === 'held' ? ['pending', 'spam'] : [query.status],
      ...(query.postId ? { postId: query.postId } : {}),
      ...(postAuthorId ? { postAuthorId } : {}),
      withGuestContact: moderator,
      page: query.page,
      limit: query.limit,
    });
    // Addresses and user agents are for moderators, as guests' emails are; authors see none.
    if (!moderator) return page;
    const origins = await this.origins.read(page.items.map((item) => item.id));
    return {
      ...page,
      items: page.items.map((item) => ({ ...item, origin: origins.get(item.id) ?? null })),
    };
  }

  /** WordPress's "Empty Trash": every trashed comment the caller moderates is deleted for good. */
  @Post('moderation/trash/empty')
  @HttpCode(200)
  async emptyTrash(@CurrentActor() actor: Actor | null): Promise<EmptyTrashResult> {
    const caller = requireActor(actor);
    const { postAuthorId } = queueOwner(actor);
    const done = new Set<string>();
    for (;;) {
      const batch = (await this.queries.trashed(postAuthorId, done.size + 100)).filter(
        (id) => !done.has(id),
      );
      if (batch.length === 0) return { deleted: done.size };
      for (const id of batch) {
        await this.comments.remove(id, caller);
        done.add(id);
      }
    }
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
