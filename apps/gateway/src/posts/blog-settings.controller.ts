import { Body, Controller, Get, Inject, Put, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  type BlogSettingsInput,
  blogSettingsInputSchema,
  blogSettingsViewSchema,
} from '@parley/contracts';
import type { FastifyReply } from 'fastify';
import { Authenticated, Caller } from '../auth/authentication.guard';
import { ApiJson, ApiProblems } from '../http/api-docs';
import { passThrough } from '../proxy/service-client';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';
import { BlogIdentity } from '../web/blog-identity';

@ApiTags('Posts')
@Controller('api/v1/settings/blog')
export class BlogSettingsController {
  constructor(
    @Inject(SERVICE_CLIENTS) private readonly services: ServiceClients,
    private readonly identity: BlogIdentity,
  ) {}

  @Get()
  @ApiOperation({
    summary: "The blog's name, tagline and the comment settings new posts start with.",
  })
  @ApiJson(200, blogSettingsViewSchema, 'The settings')
  @ApiProblems()
  async get(
    @Caller() caller: Actor | null,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.services.posts.call({ method: 'GET', path: '/v1/blog', actor: caller }),
    );
  }

  @Put()
  @Authenticated('admin')
  @ApiOperation({ summary: "Change the blog's settings (admins); the others stay as they are." })
  @ApiJson(200, blogSettingsViewSchema, 'The settings')
  @ApiProblems(401, 403, 422)
  async change(
    @Caller() caller: Actor,
    @Body({ schema: blogSettingsInputSchema }) body: BlogSettingsInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const answer = await this.services.posts.call({
      method: 'PUT',
      path: '/v1/blog',
      body,
      actor: caller,
    });
    // The pages this replica renders next carry the new name at once.
    if (answer.status === 200) this.identity.forget();
    return passThrough(reply, answer);
  }
}
