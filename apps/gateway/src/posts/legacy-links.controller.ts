import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  type LegacyLinkQuery,
  legacyLinkQuerySchema,
  legacyLinkTargetSchema,
} from '@parley/contracts';
import type { FastifyReply } from 'fastify';
import { Caller } from '../auth/authentication.guard';
import { ApiJson, ApiProblems } from '../http/api-docs';
import { passThrough } from '../proxy/service-client';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';

@ApiTags('Posts')
@Controller('api/v1/legacy-links')
export class LegacyLinksController {
  constructor(@Inject(SERVICE_CLIENTS) private readonly services: ServiceClients) {}

  @Get()
  @ApiOperation({
    summary:
      'The published post an old address of an imported blog leads to: the path of its permalink there, or the id of `/?p=123`. The pages answer those addresses with a redirect to the post.',
  })
  @ApiJson(200, legacyLinkTargetSchema, 'The post')
  @ApiProblems(404)
  async find(
    @Caller() caller: Actor | null,
    @Query({ schema: legacyLinkQuerySchema }) query: LegacyLinkQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.services.posts.call({
        method: 'GET',
        path: '/v1/legacy-links',
        query,
        actor: caller,
      }),
    );
  }
}
