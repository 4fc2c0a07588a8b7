import { Body, Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import {
  type Actor,
  COMMENT_ROUTES,
  commentPostIdParamSchema,
  postCommentRequestSchema,
  postCommentResponseSchema,
} from '@parley/contracts';
import { ProblemException } from '@parley/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { Caller } from '../auth/authentication.guard';
import { ApiJson, ApiProblems } from '../http/api-docs';
import { ClientKeys } from '../http/client-key';
import { RateLimited, WRITE_LIMIT } from '../http/rate-limits';
import { IdentityService } from '../identity/identity.service';
import { routedController } from '../proxy/routed-controller';
import { passThrough } from '../proxy/service-client';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';

/** The comments routes: the table's, and posting, which first checks the name a guest gives. */
@Controller()
export class CommentsController extends routedController(COMMENT_ROUTES) {
  constructor(
    @Inject(SERVICE_CLIENTS) services: ServiceClients,
    private readonly clientKeys: ClientKeys,
    private readonly identity: IdentityService,
  ) {
    super(services);
  }

  @Post('api/v1/posts/:id/comments')
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
      await this.services.comments.call({
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
}
