import { Inject, Injectable } from '@nestjs/common';
import { APP_LOGGER, READ_MODELS } from '@parley/platform';
import type { LiveReadModels } from '@parley/readmodel';
import type { Logger } from 'pino';
import { type CommentsRefusal, type PostFacts, refusalOf } from './post-facts';
import {
  POST_STATUS_PROJECTION,
  postFactsOf,
  postStatusCollection,
} from './post-status.projection';

/**
 * How long a refusal waits for this service's view of the posts to catch up with the posts
 * topic; past it, the view as it stands decides.
 */
export const CATCH_UP_MS = 3000;

/** What a post published (or reopened) a moment ago may still look like here. */
const STALE_REFUSALS: readonly CommentsRefusal[] = ['PostNotFound', 'PostNotPublished'];

@Injectable()
export class PostStatusQueries {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: LiveReadModels,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The post as the posts topic told it. When it would be refused for one of `refusals`, the
   * answer waits until this view has applied everything the topic held at the call: a post
   * published before the question is never refused as unknown or unpublished. Only a refusal
   * pays the wait.
   */
  async find(
    postId: string,
    now: Date,
    refusals: readonly CommentsRefusal[] = STALE_REFUSALS,
  ): Promise<PostFacts | null> {
    const post = await this.read(postId);
    const refusal = refusalOf(post, now);
    if (refusal === null || !refusals.includes(refusal)) return post;
    if (!(await this.readModels.caughtUp(POST_STATUS_PROJECTION, CATCH_UP_MS)))
      this.logger.warn(
        { postId, refusal, waitedMs: CATCH_UP_MS },
        'the post-status view has not caught up with the posts topic; deciding on it as it is',
      );
    return this.read(postId);
  }

  private async read(postId: string): Promise<PostFacts | null> {
    const posts = postStatusCollection(this.readModels.db(POST_STATUS_PROJECTION));
    return postFactsOf(await posts.findOne({ _id: postId }));
  }
}
