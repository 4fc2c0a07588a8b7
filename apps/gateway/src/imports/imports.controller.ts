import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  type ImportUploadQuery,
  type ImportView,
  can,
  importIdParamSchema,
  importUploadQuerySchema,
  importViewSchema,
} from '@parley/contracts';
import { ProblemException } from '@parley/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, Caller } from '../auth/authentication.guard';
import { ApiJson, ApiProblems } from '../http/api-docs';
import { ImportJobs } from './import-jobs';
import { UPLOAD_TYPES, uploadOf } from './upload';

const notFound = () =>
  new ProblemException({ status: 404, code: 'not-found', title: 'There is no such import' });

@ApiTags('Imports')
@Controller('api/v1/imports')
export class ImportsController {
  constructor(private readonly jobs: ImportJobs) {}

  @Post()
  @Authenticated('author')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Import a WordPress export (WXR, from Tools → Export) sent as the body (application/xml), for authors and admins. The file is streamed and read through as it arrives: one that is not WXR or was cut off is refused with 422 naming the reason, and nothing is written. Otherwise the import runs in the background, with the same rules and outcome as `npm run import`: imported posts and comments notify nobody, and the same file again adds nothing. Follow the Location for its progress.',
  })
  @ApiQuery({
    name: 'dryRun',
    required: false,
    enum: ['true', 'false'],
    description:
      'true: read the file and look everything up, and report what the import would bring, writing nothing',
  })
  @ApiConsumes(...UPLOAD_TYPES)
  @ApiBody({
    description: 'The WordPress export, as WordPress wrote it',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiJson(202, importViewSchema, 'Accepted: the import, queued (Location: its address)')
  @ApiProblems(401, 403, 413, 415, 422)
  async upload(
    @Caller() caller: Actor,
    @Query({ schema: importUploadQuerySchema }) query: ImportUploadQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportView> {
    const upload = uploadOf(request, this.jobs.maxBytes);
    const started = await this.jobs.start(caller, upload, { dryRun: query.dryRun === 'true' });
    void reply.header('location', `/api/v1/imports/${started.id}`);
    return started;
  }

  @Get(':id')
  @Authenticated('author')
  @ApiOperation({
    summary:
      'How far an uploaded import has come: its state (checking, queued, importing, then done or failed), the items done of the total, and once done its summary (posts, comments by status and kind, authors, categories, tags, what was skipped and why), or why it failed. An import whose gateway stopped is taken over by the next gateway to start, or by another replica: run again from its file (adding only what is missing), or failed asking for the file again when it is gone. For whoever uploaded it, and admins.',
  })
  @ApiJson(200, importViewSchema, 'The import')
  @ApiProblems(401, 403, 404)
  async get(
    @Caller() caller: Actor,
    @Param('id', { schema: importIdParamSchema }) id: string,
  ): Promise<ImportView> {
    const found = await this.jobs.find(id);
    if (!found) throw notFound();
    if (found.ownerId !== caller.accountId && !can(caller, 'administer'))
      throw new ProblemException({
        status: 403,
        code: 'forbidden',
        title: 'Your account may not do this',
        detail: 'An import is shown to whoever uploaded it and to admins',
      });
    return found.view;
  }
}
