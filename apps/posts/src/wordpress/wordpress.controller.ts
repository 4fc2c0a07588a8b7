import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  type WordpressPost,
  type WordpressPostPage,
  type WordpressPostsQuery,
  type WordpressTerm,
  type WordpressTermKindQuery,
  type WordpressTermPage,
  type WordpressTermsQuery,
  wordpressIdSchema,
  wordpressTermKindQuerySchema,
  wordpressTermsQuerySchema,
  wordpressPostsQuerySchema,
} from '@parley/contracts';
import { notFound } from '../posts/posts.errors';
import { PostQueries } from '../read-model/post-queries';

/** What the gateway's WordPress dialect reads: published posts and their categories and tags, by page or integer id. */
@Controller('v1/wordpress')
export class WordpressPostsController {
  constructor(private readonly queries: PostQueries) {}

  @Get('posts')
  list(
    @Query({ schema: wordpressPostsQuerySchema }) query: WordpressPostsQuery,
  ): Promise<WordpressPostPage> {
    return this.queries.wordpressPage(query);
  }

  @Get('terms')
  terms(
    @Query({ schema: wordpressTermsQuerySchema }) query: WordpressTermsQuery,
  ): Promise<WordpressTermPage> {
    return this.queries.wordpressTerms(query);
  }

  @Get('terms/:wordpressId')
  async term(
    @Param('wordpressId', { schema: wordpressIdSchema }) wordpressId: number,
    @Query({ schema: wordpressTermKindQuerySchema }) query: WordpressTermKindQuery,
  ): Promise<WordpressTerm> {
    const term = await this.queries.wordpressTerm(query.kind, wordpressId);
    if (!term) throw notFound();
    return term;
  }

  @Get('posts/:wordpressId')
  async one(
    @Param('wordpressId', { schema: wordpressIdSchema }) wordpressId: number,
  ): Promise<WordpressPost> {
    const post = await this.queries.byWordpressId(wordpressId);
    if (!post) throw notFound();
    return post;
  }
}
