import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  type WordpressPost,
  type WordpressPostPage,
  type WordpressPostsQuery,
  wordpressIdSchema,
  wordpressPostsQuerySchema,
} from '@parley/contracts';
import { notFound } from '../posts/posts.errors';
import { PostQueries } from '../read-model/post-queries';

/** What the gateway's WordPress dialect reads: published posts by page, and one by integer id. */
@Controller('v1/wordpress/posts')
export class WordpressPostsController {
  constructor(private readonly queries: PostQueries) {}

  @Get()
  list(
    @Query({ schema: wordpressPostsQuerySchema }) query: WordpressPostsQuery,
  ): Promise<WordpressPostPage> {
    return this.queries.wordpressPage(query);
  }

  @Get(':wordpressId')
  async one(
    @Param('wordpressId', { schema: wordpressIdSchema }) wordpressId: number,
  ): Promise<WordpressPost> {
    const post = await this.queries.byWordpressId(wordpressId);
    if (!post) throw notFound();
    return post;
  }
}
