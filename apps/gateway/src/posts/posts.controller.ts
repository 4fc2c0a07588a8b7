import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  commentSettingsInputSchema,
  createPostRequestSchema,
  likeStateSchema,
  likersPageSchema,
  listLikesQuerySchema,
  listPostsQuerySchema,
  postIdOrSlugParamSchema,
  postIdParamSchema,
  postPageSchema,
  postViewSchema,
  schedulePostRequestSchema,
  updatePostRequestSchema,
} from '@parley/contracts';
import { ProblemException } from '@parley/platform';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { Authenticated, Caller } from '../auth/authentication.guard';
import { ApiJson, ApiNoContent, ApiProblems } from '../http/api-docs';
import { passThrough } from '../proxy/service-client';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';

/** `If-Match: "7"` (or 7): the revision an editor started from. */
function revisionFrom(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined) return undefined;
  const value = Number(ifMatch.replace(/^W\//, '').replace(/"/g, ''));
  if (!Number.isInteger(value) || value < 1) {
    throw new ProblemException({
      status: 400,
      code: 'validation-failed',
      title: 'The request is not valid',
      errors: [{ field: 'header.if-match', reason: 'must be a revision number, e.g. "3"' }],
    });
  }
  return value;
}

@ApiTags('Posts')
@Controller('api/v1/posts')
export class PostsController {
  constructor(@Inject(SERVICE_CLIENTS) private readonly services: ServiceClients) {}

  @Post()
  @Authenticated('author')
  @ApiOperation({
    summary: 'Write a draft (authors and admins). The slug comes from the title and is unique.',
  })
  @ApiJson(201, postViewSchema, 'The draft')
  @ApiProblems(401, 403, 422)
  async create(
    @Caller() caller: Actor,
    @Body({ schema: createPostRequestSchema }) body: z.output<typeof createPostRequestSchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.services.posts.call({ method: 'POST', path: '/v1/posts', body, actor: caller }),
    );
  }

  @Get()
  @ApiOperation({
    summary:
      'Published posts, newest first, with comment and like counts. Authors also list their drafts and scheduled posts (status).',
  })
  @ApiJson(200, postPageSchema, 'A page of posts and the cursor of the next one')
  @ApiProblems()
  async list(
    @Caller() caller: Actor | null,
    @Query({ schema: listPostsQuerySchema }) query: z.output<typeof listPostsQuerySchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.services.posts.call({ method: 'GET', path: '/v1/posts', query, actor: caller }),
    );
  }

  @Get(':idOrSlug')
  @ApiOperation({ summary: 'A post by id, by its slug, or by any slug it had before.' })
  @ApiJson(200, postViewSchema, 'The post')
  @ApiProblems(404)
  async get(
    @Caller() caller: Actor | null,
    @Param('idOrSlug', { schema: postIdOrSlugParamSchema }) idOrSlug: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.services.posts.call({
        method: 'GET',
        path: `/v1/posts/${encodeURIComponent(idOrSlug)}`,
        actor: caller,
      }),
    );
  }

  @Patch(':id')
  @Authenticated()
  @ApiOperation({
    summary:
      'Edit a post (its author or an admin). Send the revision you started from as If-Match or expectedRevision: a newer one is a 409.',
  })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The revision the edit starts from, e.g. "3"',
  })
  @ApiJson(200, postViewSchema, 'The post after the edit')
  @ApiProblems(401, 403, 404, 409, 422)
  async update(
    @Caller() caller: Actor,
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Body({ schema: updatePostRequestSchema }) body: z.output<typeof updatePostRequestSchema>,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const expectedRevision = revisionFrom(ifMatch) ?? body.expectedRevision;
    return passThrough(
      reply,
      await this.services.posts.call({
        method: 'PATCH',
        path: `/v1/posts/${encodeURIComponent(id)}`,
        body: { ...body, ...(expectedRevision !== undefined ? { expectedRevision } : {}) },
        actor: caller,
      }),
    );
  }

  @Post(':id/publish')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: 'Publish now (its author or an admin).' })
  @ApiJson(200, postViewSchema, 'The published post')
  @ApiProblems(401, 403, 404, 409)
  async publish(
    @Caller() caller: Actor,
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.services.posts.call({
        method: 'POST',
        path: `/v1/posts/${encodeURIComponent(id)}/publish`,
        actor: caller,
      }),
    );
  }

  @Post(':id/schedule')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary:
      'Publish at a future time; the scheduler publishes it once, even with several replicas.',
  })
  @ApiJson(200, postViewSchema, 'The scheduled post')
  @ApiProblems(401, 403, 404, 409, 422)
  async schedule(
    @Caller() caller: Actor,
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Body({ schema: schedulePostRequestSchema }) body: z.output<typeof schedulePostRequestSchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.services.posts.call({
        method: 'POST',
        path: `/v1/posts/${encodeURIComponent(id)}/schedule`,
        body,
        actor: caller,
      }),
    );
  }

  @Post(':id/unpublish')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: 'Back to draft: hidden from readers, comments kept.' })
  @ApiJson(200, postViewSchema, 'The post, a draft again')
  @ApiProblems(401, 403, 404, 409)
  async unpublish(
    @Caller() caller: Actor,
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.services.posts.call({
        method: 'POST',
        path: `/v1/posts/${encodeURIComponent(id)}/unpublish`,
        actor: caller,
      }),
    );
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Delete a post: gone for readers, its history kept.' })
  @ApiNoContent('Deleted')
  @ApiProblems(401, 403, 404, 409)
  async remove(
    @Caller() caller: Actor,
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.services.posts.call({
        method: 'DELETE',
        path: `/v1/posts/${encodeURIComponent(id)}`,
        actor: caller,
      }),
    );
  }

  @Put(':id/comment-settings')
  @Authenticated()
  @ApiOperation({ summary: 'Open, close, or auto-close the comments of a post.' })
  @ApiJson(200, postViewSchema, 'The post')
  @ApiProblems(401, 403, 404, 409)
  async commentSettings(
    @Caller() caller: Actor,
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Body({ schema: commentSettingsInputSchema }) body: z.output<typeof commentSettingsInputSchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.services.posts.call({
        method: 'PATCH',
        path: `/v1/posts/${encodeURIComponent(id)}`,
        body: { commentSettings: body },
        actor: caller,
      }),
    );
  }

  @Get(':id/like')
  @Authenticated()
  @ApiOperation({ summary: 'Whether you like the post.' })
  @ApiJson(200, likeStateSchema, 'Your like')
  @ApiProblems(401, 404)
  async likeState(
    @Caller() caller: Actor,
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.services.posts.call({
        method: 'GET',
        path: `/v1/posts/${encodeURIComponent(id)}/like`,
        actor: caller,
      }),
    );
  }

  @Put(':id/like')
  @Authenticated()
  @ApiOperation({ summary: 'Like a published post (liking twice changes nothing).' })
  @ApiJson(200, likeStateSchema, 'The like')
  @ApiProblems(401, 404, 409)
  async like(
    @Caller() caller: Actor,
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.services.posts.call({
        method: 'PUT',
        path: `/v1/posts/${encodeURIComponent(id)}/like`,
        actor: caller,
      }),
    );
  }

  @Delete(':id/like')
  @Authenticated()
  @ApiOperation({ summary: 'Take a like back.' })
  @ApiJson(200, likeStateSchema, 'No like any more')
  @ApiProblems(401, 404)
  async unlike(
    @Caller() caller: Actor,
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.services.posts.call({
        method: 'DELETE',
        path: `/v1/posts/${encodeURIComponent(id)}/like`,
        actor: caller,
      }),
    );
  }

  @Get(':id/likes')
  @ApiOperation({ summary: 'Who likes the post: display names only.' })
  @ApiJson(200, likersPageSchema, 'Likers, newest first')
  @ApiProblems(404)
  async likes(
    @Param('id', { schema: postIdParamSchema }) id: string,
    @Query({ schema: listLikesQuerySchema }) query: z.output<typeof listLikesQuerySchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.services.posts.call({
        method: 'GET',
        path: `/v1/posts/${encodeURIComponent(id)}/likes`,
        query,
        actor: null,
      }),
    );
  }
}
