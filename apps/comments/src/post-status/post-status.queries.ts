import { Inject, Injectable } from '@nestjs/common';
import { READ_MODELS } from '@parley/platform';
import type { LiveReadModels } from '@parley/readmodel';
import type { PostFacts } from './post-facts';
import {
  POST_STATUS_PROJECTION,
  postFactsOf,
  postStatusCollection,
} from './post-status.projection';

@Injectable()
export class PostStatusQueries {
  constructor(@Inject(READ_MODELS) private readonly readModels: LiveReadModels) {}

  /** The post as the posts topic told it so far; null when nothing was heard of it. */
  async find(postId: string): Promise<PostFacts | null> {
    const posts = postStatusCollection(this.readModels.db(POST_STATUS_PROJECTION));
    return postFactsOf(await posts.findOne({ _id: postId }));
  }
}
