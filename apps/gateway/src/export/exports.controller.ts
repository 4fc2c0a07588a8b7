import { Readable } from 'node:stream';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@parley/contracts';
import type { FastifyReply } from 'fastify';
import { Authenticated, Caller } from '../auth/authentication.guard';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { ApiProblems } from '../http/api-docs';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';
import { BlogIdentity } from '../web/blog-identity';
import { serviceExportSource } from './service-export-source';
import { gatherChannel, writeWxr } from './wxr-writer';

@ApiTags('Exports')
@Controller('api/v1/exports')
export class ExportsController {
  constructor(
    @Inject(SERVICE_CLIENTS) private readonly services: ServiceClients,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly blog: BlogIdentity,
  ) {}

  @Get('wordpress')
  @Authenticated('admin')
  @ApiOperation({
    summary:
      "The whole blog as a WordPress export (WXR 1.2) for WordPress's importer (admins): posts of every status with their categories and tags, and every comment with its parent, status and the guest's name, website and email.",
  })
  @ApiProduces('application/rss+xml')
  @ApiResponse({
    status: 200,
    description: 'The export, streamed as an attachment (parley-wordpress-<date>.xml)',
    content: { 'application/rss+xml': { schema: { type: 'string' } } },
  })
  @ApiProblems(401, 403)
  async wordpress(
    @Caller() caller: Actor,
    @Res({ passthrough: false }) reply: FastifyReply,
  ): Promise<void> {
    const source = serviceExportSource(this.services, caller);
    // The channel's lists are read before the first byte, so a refusal is still a problem answer.
    const [channel, blog] = await Promise.all([gatherChannel(source), this.blog.name()]);
    const now = new Date();
    const site = { ...blog, url: this.options.publicBaseUrl.replace(/\/+$/, '') };
    await reply
      .header('content-type', 'application/rss+xml; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="parley-wordpress-${now.toISOString().slice(0, 10)}.xml"`,
      )
      .header('cache-control', 'no-store')
      .send(Readable.from(writeWxr(source, channel, { site, personalData: true, now })));
  }
}
