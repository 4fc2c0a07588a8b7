import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  type Actor,
  type CreatePostRequest,
  type ListPostsQuery,
  type PostPage,
  type PostView,
  type SchedulePostRequest,
  type UpdatePostRequest,
  createPostRequestSchema,
  listPostsQuerySchema,
  postIdOrSlugParamSchema,
  postIdParamSchema,
  schedulePostRequestSchema,
  updatePostRequestSchema,
} from '@parley/contracts';
import { domainError } from '@parley/eventstore';
import { CurrentActor, requireActor, validationProblem } from '@parley/platform';
import type { FastifyReply } from 'fastify';
import { PostQueries } from '../read-model/post-queries';
import { isVisible } from '../read-model/post-view';
import type { Post as PostState } from './post.decider';
import type { Outcome } from './command-context';
import { PostUseCases } from './post-use-cases';
import { failure, notFound } from './posts.errors';

/** `If-Match: "3"` (or `W/"3"`) as the revision an editor started from. */
function revisionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(header);
  const revision = match?.[1] === undefined ? NaN : Number(match[1]);
  if (!Number.isSafeInteger(revision) || revision < 1)
    throw validationProblem([{ field: 'header.if-match', reason: 'must be a revision, like "3"' }]);
  return revision;
}

/** The posts: drafting, editing, the publishing lifecycle, and reading them. */
@Controller('v1/posts')
export class PostsController {
  constructor(
    private readonly posts: PostUseCases,
    private readonly queries: PostQueries,
  ) {}

  @Post()
  async create(
    @CurrentActor() actor: Actor | null,
    @Body({ schema: createPostRequestSchema }) body: CreatePostRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PostView> {
    const { commentSettings, ...content } = body;
    const outcome = await this.posts.draft(requireActor(actor), {
      content: { ...content, excerpt: content.excerpt ?? null },
      commentSettings,
    });
    const view = await this.answer(outcome, reply);
    void reply.header('location', `/v1/posts/${view.id}`);
    return view;
  }

  @Get()
  async list(
    @CurrentActor() actor: Actor | null,
    @Query({ schema: listPostsQuerySchema }) query: ListPostsQuery,
  ): Promise<PostPage> {
    // Drafts and scheduled posts are listed for their author only.
    if (query.status !== 'published') requireActor(actor);
    return this.queries.list(query, actor);
  }

  @Get(':idOrSlug')
  async get(
    @CurrentActor() actor: Actor | null,
    @Param('idOrSlug', { schema: postIdOrSlugParamSchema }) idOrSlug: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PostView> {
    const view = await this.queries.get(idOrSlug, actor);
    if (!view) throw notFound();
    void reply.header('etag', `"${view.revision}"`);
    return view;
  }

  @Patch(':id')
  async edit(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Body({ schema: updatePostRequestSchema }) body: UpdatePostRequest,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PostView> {
    const { commentSettings, expectedRevision, ...changes } = body;
    const outcome = await this.posts.edit(requireActor(actor), id, {
      changes,
      commentSettings,
      expectedRevision: expectedRevision ?? revisionFromIfMatch(ifMatch),
    });
    return this.answer(outcome, reply);
  }

  @Post(':id/publish')
  @HttpCode(200)
  async publish(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PostView> {
    return this.answer(await this.posts.publish(requireActor(actor), id), reply);
  }

  @Post(':id/schedule')
  @HttpCode(200)
  async schedule(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Body({ schema: schedulePostRequestSchema }) body: SchedulePostRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PostView> {
    const outcome = await this.posts.schedule(requireActor(actor), id, new Date(body.publishAt));
    return this.answer(outcome, reply);
  }

  @Post(':id/unpublish')
  @HttpCode(200)
  async unpublish(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PostView> {
    return this.answer(await this.posts.unpublish(requireActor(actor), id), reply);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: postIdParamSchema }) id: string,
  ): Promise<void> {
    const outcome = await this.posts.delete(requireActor(actor), id);
    if (!outcome.ok) throw failure(outcome.error);
  }

  /** The post after a command, as its author sees it, with its revision as the ETag. */
  private async answer(outcome: Outcome<PostState>, reply: FastifyReply): Promise<PostView> {
    if (!outcome.ok) throw failure(outcome.error);
    const post = outcome.value;
    if (!isVisible(post)) throw failure(domainError('PostDeleted', 'The post has been deleted'));
    void reply.header('etag', `"${post.revision}"`);
    return this.queries.view(post);
  }
}
