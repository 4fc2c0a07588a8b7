import { Controller, Delete, Inject, Param, Put } from '@nestjs/common';
import { type Actor, type CommentLikeState, commentIdParamSchema } from '@parley/contracts';
import { type EventStore, handleCommand } from '@parley/eventstore';
import { CLOCK, type Clock, CurrentActor, EVENT_STORE, requireActor } from '@parley/platform';
import { commandContext, runCommand } from '../command-context';
import { CommentUseCases } from '../comments/comment-use-cases';
import { commentLikeDecider, commentLikeStream, type LikeComment } from './comment-like.decider';

/** Liking a comment: PUT to like, DELETE to take it back; both idempotent. */
@Controller('v1/comments/:commentId/like')
export class LikesController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly comments: CommentUseCases,
  ) {}

  @Put()
  async like(
    @CurrentActor() actor: Actor | null,
    @Param('commentId', { schema: commentIdParamSchema }) commentId: string,
  ): Promise<CommentLikeState> {
    return this.run('LikeComment', commentId, requireActor(actor));
  }

  @Delete()
  async unlike(
    @CurrentActor() actor: Actor | null,
    @Param('commentId', { schema: commentIdParamSchema }) commentId: string,
  ): Promise<CommentLikeState> {
    return this.run('UnlikeComment', commentId, requireActor(actor));
  }

  private async run(
    type: LikeComment['type'],
    commentId: string,
    actor: Actor,
  ): Promise<CommentLikeState> {
    const comment = await this.comments.load(commentId);
    const { state } = await runCommand(() =>
      handleCommand(
        this.store,
        commentLikeDecider,
        commentLikeStream(commentId, actor.accountId),
        { type, commentId, accountId: actor.accountId, comment },
        commandContext(),
        { now: this.clock },
      ),
    );
    return { commentId, liked: state.liked };
  }
}
