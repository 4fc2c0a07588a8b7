import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@parley/contracts';
import { type EventStore, handleCommand, loadState } from '@parley/eventstore';
import { CLOCK, type Clock, EVENT_STORE } from '@parley/platform';
import { loadPost } from '../posts/post-stream';
import { type Outcome, commandContext, runCommand } from '../posts/command-context';
import { likeDecider, likeStream } from './like.decider';

/** Readers' likes: one stream per reader and post. */
@Injectable()
export class LikeUseCases {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async like(actor: Actor, postId: string): Promise<Outcome<boolean>> {
    const post = await loadPost(this.store, postId);
    const outcome = await runCommand(() =>
      handleCommand(
        this.store,
        likeDecider,
        likeStream(postId, actor.accountId),
        {
          type: 'LikePost',
          postId,
          accountId: actor.accountId,
          displayName: actor.displayName,
          post: { exists: post.exists, status: post.status },
        },
        commandContext(),
        { now: this.clock },
      ),
    );
    return outcome.ok ? { ok: true, value: outcome.value.liked } : outcome;
  }

  /** Whether the reader likes the post now, read from the like's own stream. */
  async likes(actor: Actor, postId: string): Promise<boolean> {
    return (await loadState(this.store, likeDecider, likeStream(postId, actor.accountId))).liked;
  }

  async unlike(actor: Actor, postId: string): Promise<Outcome<boolean>> {
    const post = await loadPost(this.store, postId);
    const outcome = await runCommand(() =>
      handleCommand(
        this.store,
        likeDecider,
        likeStream(postId, actor.accountId),
        {
          type: 'UnlikePost',
          postId,
          accountId: actor.accountId,
          post: { exists: post.exists, status: post.status },
        },
        commandContext(),
        { now: this.clock },
      ),
    );
    return outcome.ok ? { ok: true, value: outcome.value.liked } : outcome;
  }
}
