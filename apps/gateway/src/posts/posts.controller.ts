import { Body, Controller, Headers, Inject, Param, Patch, Put, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation } from '@nestjs/swagger';
import {
  type Actor,
  POST_ROUTES,
  commentSettingsInputSchema,
  postIdParamSchema,
  postViewSchema,
  updatePostRequestSchema,
} from '@parley/contracts';
import { ProblemException } from '@parley/platform';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { Authenticated, Caller } from '../auth/authentication.guard';
import { ApiJson, ApiProblems } from '../http/api-docs';
import { routedController } from '../proxy/routed-controller';
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

/** The posts routes: the table's, and the two that reshape what they forward. */
@Controller()
export class PostsController extends routedController(POST_ROUTES) {
  constructor(@Inject(SERVICE_CLIENTS) services: ServiceClients) {
    super(services);
  }

  @Patch('api/v1/posts/:id')
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

  @Put('api/v1/posts/:id/comment-settings')
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
}
