import { Body, Controller, Inject, Param, Req, Res } from '@nestjs/common';
import {
  type Actor,
  COMMENT_ROUTES,
  commentPostIdParamSchema,
  postCommentRequestSchema,
} from '@parley/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { Caller } from '../auth/authentication.guard';
import { CommentPosting } from './comment-posting';
import { TableRoute, routedController } from '../proxy/routed-controller';
import { passThrough } from '../proxy/service-client';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';

/** The comments routes: the table's, and posting, which first checks the name a guest gives. */
@Controller()
export class CommentsController extends routedController(COMMENT_ROUTES, { written: ['post'] }) {
  constructor(
    @Inject(SERVICE_CLIENTS) services: ServiceClients,
    private readonly posting: CommentPosting,
  ) {
    super(services);
  }

  @TableRoute(COMMENT_ROUTES.routes.post)
  async post(
    @Caller() caller: Actor | null,
    @Param('id', { schema: commentPostIdParamSchema }) postId: string,
    @Body({ schema: postCommentRequestSchema }) body: z.output<typeof postCommentRequestSchema>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const path = `/v1/posts/${encodeURIComponent(postId)}/comments`;
    return passThrough(
      reply,
      await this.posting.post({ method: 'POST', path, body, actor: caller }, request),
    );
  }
}
