import { Body, Controller, Inject, Param, Req, Res } from '@nestjs/common';
import {
  type Actor,
  COMMENT_ROUTES,
  commentPostIdParamSchema,
  postCommentRequestSchema,
} from '@parley/contracts';
import { ProblemException } from '@parley/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { Caller } from '../auth/authentication.guard';
import { ClientKeys } from '../http/client-key';
import { IdentityService } from '../identity/identity.service';
import { TableRoute, routedController } from '../proxy/routed-controller';
import { passThrough } from '../proxy/service-client';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';

/** The comments routes: the table's, and posting, which first checks the name a guest gives. */
@Controller()
export class CommentsController extends routedController(COMMENT_ROUTES, { written: ['post'] }) {
  constructor(
    @Inject(SERVICE_CLIENTS) services: ServiceClients,
    private readonly clientKeys: ClientKeys,
    private readonly identity: IdentityService,
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
