import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  type Actor,
  type ImportPostRequest,
  type ImportStepResponse,
  type ImportedPresence,
  can,
  importPostRequestSchema,
  postIdParamSchema,
} from '@parley/contracts';
import { domainError } from '@parley/eventstore';
import { CurrentActor, requireActor } from '@parley/platform';
import { PostUseCases } from './post-use-cases';
import { failure } from './posts.errors';

function importer(actor: Actor | null): Actor {
  const who = requireActor(actor);
  if (!can(who, 'write'))
    throw failure(domainError('NotAllowed', 'Only an author or an admin imports posts'));
  return who;
}

/**
 * Posts of another blog, one at a time, as an import brings them in (internal: the gateway
 * runs imports and calls it; it is not forwarded to the public).
 */
@Controller('v1/imported-posts')
export class ImportsController {
  constructor(private readonly posts: PostUseCases) {}

  @Post()
  @HttpCode(200)
  async import(
    @CurrentActor() actor: Actor | null,
    @Body({ schema: importPostRequestSchema }) body: ImportPostRequest,
  ): Promise<ImportStepResponse> {
    importer(actor);
    const outcome = await this.posts.importPost({ ...body, date: new Date(body.date) });
    if (!outcome.ok) throw failure(outcome.error);
    return { outcome: outcome.value.added ? 'added' : 'existing' };
  }

  @Get(':id')
  async presence(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: postIdParamSchema }) id: string,
  ): Promise<ImportedPresence> {
    importer(actor);
    return { id, exists: (await this.posts.load(id)).exists };
  }
}
