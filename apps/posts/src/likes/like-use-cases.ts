import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@parley/contracts';
import { type EventStore, handleCommand, loadState } from '@parley/eventstore';
import { CLOCK, type Clock, EVENT_STORE } from '@parley/platform';
import { loadPost } from '../posts/post-stream';
import { type Outcome, commandContext, runCommand } from '../posts/command-context';
import { type LikeCommand, type LikedPost, likeDecider, likeStream } from './like.decider';

/** Readers' likes: one stream per reader and post. */
@Injectable()
export class LikeUseCases {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  like(actor: Actor, postId: string): Promise<Outcome<boolean>> {
    return this.run(actor, postId, (post) => ({
      type: 'LikePost',
      postId,
      accountId: actor.accountId,
      post,
    }));
  }

  /** Whether the reader likes the post now, read from the like's own stream. */
  async likes(actor: Actor, postId: string): Promise<boolean> {
    return (await loadState(this.store, likeDecider, likeStream(postId, actor.accountId))).liked;
  }

  unlike(actor: Actor, postId: string): Promise<Outcome<boolean>> {
    return this.run(actor, postId, (post) => ({
      type: 'UnlikePost',
      postId,
      accountId: actor.accountId,
      post,
    }));
  }

  /** Runs a reader's command on their like of the post: whether they like it afterwards. */
  private async run(
    actor: Actor,
    postId: string,
    command: (post: LikedPost) => LikeCommand,
  ): Promise<Outcome<boolean>> {
    const post = await loadPost(this.store, postId);
    const outcome = await runCommand(() =>
      handleCommand(
        this.store,
        likeDecider,
        likeStream(postId, actor.accountId),
        command({ exists: post.exists, status: post.status }),
        commandContext(),
        { now: this.clock },
      ),
    );
    return outcome.ok ? { ok: true, value: outcome.value.liked } : outcome;
  }
}
