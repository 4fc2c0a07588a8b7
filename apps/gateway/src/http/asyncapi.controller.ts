import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { buildAsyncApiDocument } from '@parley/contracts';
import type { FastifyReply } from 'fastify';
import { stringify } from 'yaml';

/** The events on the topics, described next to the OpenAPI document (the same text as libs/contracts/asyncapi.yaml). */
@ApiExcludeController()
@Controller('api')
export class AsyncApiController {
  private readonly document = buildAsyncApiDocument();
  private readonly yaml = `# Generated from libs/contracts by: npm run docs:asyncapi\n${stringify(this.document, { lineWidth: 0 })}`;

  @Get('asyncapi.yaml')
  async asYaml(@Res() reply: FastifyReply): Promise<void> {
    await reply
      .header('content-type', 'application/yaml; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(this.yaml);
  }

  @Get('asyncapi.json')
  async asJson(@Res() reply: FastifyReply): Promise<void> {
    await reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(JSON.stringify(this.document));
  }
}
