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
  Req,
  Res,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  blogCommentSettingsInputSchema,
  commentIdParamSchema,
  commentLikeStateSchema,
  commentPostIdParamSchema,
  commentQuerySchema,
  commentSettingsViewSchema,
  commentViewSchema,
  editCommentRequestSchema,
  emptyTrashResultSchema,
  moderateCommentRequestSchema,
  moderationQueuePageSchema,
  moderationQueueQuerySchema,
  postCommentRequestSchema,
  postCommentResponseSchema,
  threadPageSchema,
  threadQuerySchema,
  threadItemSchema,
} from '@parley/contracts';
import { ProblemException } from '@parley/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { Authenticated, Caller } from '../auth/authentication.guard';
import { ApiJson, ApiNoContent, ApiProblems } from '../http/api-docs';
import { ClientKeys } from '../http/client-key';
import { RateLimited, WRITE_LIMIT } from '../http/rate-limits';
import { passThrough } from '../proxy/service-client';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';
import { IdentityService } from '../identity/identity.service';

/** The viewer tokens travel on as the comma-separated list the service reads. */
function withTokens<T extends { viewerToken?: string[] | undefined }>(
  query: T,
): Omit<T, 'viewerToken'> & { viewerToken?: string } {
  const { viewerToken, ...rest } = query;
  return viewerToken && viewerToken.length > 0
    ? { ...rest, viewerToken: viewerToken.join(',') }
    : rest;
}

@ApiTags('Comments')
@Controller('api/v1')
export class CommentsController {
  constructor(
    @Inject(SERVICE_CLIENTS) private readonly services: ServiceClients,
    private readonly clientKeys: ClientKeys,
    private readonly identity: IdentityService,
  ) {}

  private get comments() {
    return this.services.comments;
  }

  @Get('posts/:id/comments')
  @ApiOperation({
    summary:
      'The thread of a post in display order: top-level numbering, nesting to the blog depth, reply and like counts, paginated by top-level thread. ' +
      'view=moderation (moderators and the post author) includes held and spam comments; a guest sees their own held comment with viewerToken.',
  })
  @ApiJson(200, threadPageSchema, 'A page of the thread')
  @ApiProblems(401, 403, 404)
  async thread(
    @Caller() caller: Actor | null,
    @Param('id', { schema: commentPostIdParamSchema }) postId: string,
    @Query({ schema: threadQuerySchema }) query: z.output<typeof threadQuerySchema>,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    // A whole thread can be megabytes: passed on as the service wrote it, and 304 when unchanged.
    const answer = await this.comments.relay({
      method: 'GET',
      path: `/v1/posts/${encodeURIComponent(postId)}/comments`,
      query: withTokens(query),
      actor: caller,
      ...(ifNoneMatch ? { headers: { 'if-none-match': ifNoneMatch } } : {}),
    });
    if (answer.body !== undefined)
      void reply.header('content-type', 'application/json; charset=utf-8');
    return passThrough(reply, answer);
  }

  @Post('posts/:id/comments')
  @RateLimited(WRITE_LIMIT)
  @ApiOperation({
    summary:
      'Post a comment or a reply (parentId). Logged in, or as a guest with author {name, email, url?}; the email is never shown. ' +
      'The answer says what happened: approved, or pending ("Your comment is awaiting moderation"). Posting again within the flood interval is a 429.',
  })
  @ApiJson(201, postCommentResponseSchema, 'The comment and its status')
  @ApiProblems(401, 404, 409, 422)
  async post(
    @Caller() caller: Actor | null,
    @Param('id', { schema: commentPostIdParamSchema }) postId: string,
    @Body({ schema: postCommentRequestSchema }) body: z.output<typeof postCommentRequestSchema>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    if (!caller && body.author && (await this.identity.nameReserved(body.author.name, null))) {
      throw new ProblemException({
        status: 422,
        code: 'name-reserved',
        title: 'This name belongs to someone who writes or moderates this blog',
        errors: [{ field: 'author.name', reason: 'is the name of a member of the blog staff' }],
      });
    }
    return passThrough(
      reply,
      await this.comments.call({
        method: 'POST',
        path: `/v1/posts/${encodeURIComponent(postId)}/comments`,
        body,
        actor: caller,
        // Flood control and duplicate detection also go by the client, whatever name it gives.
        client: this.clientKeys.of(request.ip),
        // Kept sealed for moderators until the retention period ends (as WordPress's comment_author_IP).
        origin: { ip: request.ip, userAgent: request.headers['user-agent'] },
      }),
    );
  }

  @Get('comments/:id')
  @ApiOperation({
    summary: 'One comment (its author sees it while it is held; guests with their viewerToken).',
  })
  @ApiJson(200, threadItemSchema, 'The comment as its thread shows it')
  @ApiProblems(404)
  async get(
    @Caller() caller: Actor | null,
    @Param('id', { schema: commentIdParamSchema }) id: string,
    @Query({ schema: commentQuerySchema }) query: z.output<typeof commentQuerySchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.comments.call({
        method: 'GET',
        path: `/v1/comments/${encodeURIComponent(id)}`,
        query: withTokens(query),
        actor: caller,
      }),
    );
  }

  @Patch('comments/:id')
  @Authenticated()
  @ApiOperation({
    summary:
      'Edit your own comment within the edit window; moderators edit any. The comment shows it was edited.',
  })
  @ApiJson(200, commentViewSchema, 'The comment')
  @ApiProblems(401, 403, 404, 409, 422)
  async edit(
    @Caller() caller: Actor,
    @Param('id', { schema: commentIdParamSchema }) id: string,
    @Body({ schema: editCommentRequestSchema }) body: z.output<typeof editCommentRequestSchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.comments.call({
        method: 'PATCH',
        path: `/v1/comments/${encodeURIComponent(id)}`,
        body,
        actor: caller,
      }),
    );
  }

  @Delete('comments/:id')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({
    summary:
      'Delete your own comment: with replies it stays as "This comment was deleted", otherwise it disappears.',
  })
  @ApiNoContent('Deleted')
  @ApiProblems(401, 403, 404)
  async remove(
    @Caller() caller: Actor,
    @Param('id', { schema: commentIdParamSchema }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.comments.call({
        method: 'DELETE',
        path: `/v1/comments/${encodeURIComponent(id)}`,
        actor: caller,
      }),
    );
  }

  @Put('comments/:id/like')
  @Authenticated()
  @ApiOperation({ summary: 'Like a comment (liking twice changes nothing).' })
  @ApiJson(200, commentLikeStateSchema, 'Liked')
  @ApiProblems(401, 404, 409)
  async like(
    @Caller() caller: Actor,
    @Param('id', { schema: commentIdParamSchema }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.comments.call({
        method: 'PUT',
        path: `/v1/comments/${encodeURIComponent(id)}/like`,
        actor: caller,
      }),
    );
  }

  @Delete('comments/:id/like')
  @Authenticated()
  @ApiOperation({ summary: 'Take a like back.' })
  @ApiJson(200, commentLikeStateSchema, 'Not liked')
  @ApiProblems(401, 404)
  async unlike(
    @Caller() caller: Actor,
    @Param('id', { schema: commentIdParamSchema }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.comments.call({
        method: 'DELETE',
        path: `/v1/comments/${encodeURIComponent(id)}/like`,
        actor: caller,
      }),
    );
  }

  @Get('moderation/queue')
  @Authenticated()
  @ApiOperation({
    summary:
      'Held comments awaiting a decision (moderators: every post; authors: their posts), newest first; status=trash lists the trash. ' +
      "Moderators and admins also see a guest's email, website and how many comments came from the same client.",
  })
  @ApiJson(200, moderationQueuePageSchema, 'A page of the queue')
  @ApiProblems(401, 403)
  async queue(
    @Caller() caller: Actor,
    @Query({ schema: moderationQueueQuerySchema })
    query: z.output<typeof moderationQueueQuerySchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.comments.call({
        method: 'GET',
        path: '/v1/moderation/queue',
        query,
        actor: caller,
      }),
    );
  }

  @Post('comments/:id/moderation')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary:
      'Approve, hold (pending), mark spam or trash a comment; restore by setting pending or approved again.',
  })
  @ApiJson(200, commentViewSchema, 'The comment')
  @ApiProblems(401, 403, 404, 409)
  async moderate(
    @Caller() caller: Actor,
    @Param('id', { schema: commentIdParamSchema }) id: string,
    @Body({ schema: moderateCommentRequestSchema })
    body: z.output<typeof moderateCommentRequestSchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.comments.call({
        method: 'POST',
        path: `/v1/comments/${encodeURIComponent(id)}/moderation`,
        body,
        actor: caller,
      }),
    );
  }

  @Post('comments/:id/restore')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Take a comment out of spam or trash, back to the status it had before.',
  })
  @ApiJson(200, commentViewSchema, 'The comment')
  @ApiProblems(401, 403, 404, 409)
  async restore(
    @Caller() caller: Actor,
    @Param('id', { schema: commentIdParamSchema }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.comments.call({
        method: 'POST',
        path: `/v1/comments/${encodeURIComponent(id)}/restore`,
        actor: caller,
      }),
    );
  }

  @Post('moderation/trash/empty')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary:
      'Empty the trash: delete every trashed comment for good (moderators: every post; authors: their posts).',
  })
  @ApiJson(200, emptyTrashResultSchema, 'How many were deleted')
  @ApiProblems(401, 403)
  async emptyTrash(
    @Caller() caller: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.comments.call({
        method: 'POST',
        path: '/v1/moderation/trash/empty',
        actor: caller,
      }),
    );
  }

  @Get('settings/comments')
  // The moderation word lists are in them: only the blog's admins read them.
  @Authenticated('admin')
  @ApiOperation({
    summary: "The blog's comment settings (depth, edit window, moderation rules), for admins.",
  })
  @ApiJson(200, commentSettingsViewSchema, 'The settings')
  @ApiProblems(401, 403)
  async settings(
    @Caller() caller: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.comments.call({ method: 'GET', path: '/v1/settings', actor: caller }),
    );
  }

  @Put('settings/comments')
  @Authenticated('admin')
  @ApiOperation({
    summary: "Change the blog's comment settings (admins); the others stay as they are.",
  })
  @ApiJson(200, commentSettingsViewSchema, 'The settings')
  @ApiProblems(401, 403, 422)
  async changeSettings(
    @Caller() caller: Actor,
    @Body({ schema: blogCommentSettingsInputSchema })
    body: z.output<typeof blogCommentSettingsInputSchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.comments.call({ method: 'PUT', path: '/v1/settings', body, actor: caller }),
    );
  }
}
