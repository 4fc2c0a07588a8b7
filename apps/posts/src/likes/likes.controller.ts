import { Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import {
  type Actor,
  type LikeState,
  type LikersPage,
  type ListLikesQuery,
  listLikesQuerySchema,
  postIdParamSchema,
} from '@parley/contracts';
import { CurrentActor, requireActor } from '@parley/platform';
import { failure, notFound } from '../posts/posts.errors';
import { PostQueries } from '../read-model/post-queries';
import { LikeUseCases } from './like-use-cases';

/** Readers like a post (twice is once), take the like back, and see who likes it. */
@Controller('v1/posts/:id')
export class LikesController {
  constructor(
    private readonly likes: LikeUseCases,
    private readonly queries: PostQueries,
  ) {}

  /** Whether the caller likes the post. */
  @Get('like')
  async state(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: postIdParamSchema }) id: string,
  ): Promise<LikeState> {
    const reader = requireActor(actor);
    if (!(await this.queries.visibleTo(id, reader))) throw notFound();
    return { postId: id, liked: await this.likes.likes(reader, id) };
  }

  @Put('like')
  async like(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: postIdParamSchema }) id: string,
  ): Promise<LikeState> {
    const outcome = await this.likes.like(requireActor(actor), id);
    if (!outcome.ok) throw failure(outcome.error);
    return { postId: id, liked: outcome.value };
  }

  @Delete('like')
  async unlike(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: postIdParamSchema }) id: string,
  ): Promise<LikeState> {
    const outcome = await this.likes.unlike(requireActor(actor), id);
    if (!outcome.ok) throw failure(outcome.error);
    return { postId: id, liked: outcome.value };
  }

  @Get('likes')
  async likers(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Query({ schema: listLikesQuerySchema }) query: ListLikesQuery,
  ): Promise<LikersPage> {
    if (!(await this.queries.visibleTo(id, actor))) throw notFound();
    return this.queries.likers(id, query);
  }
}
