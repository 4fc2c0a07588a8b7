import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  type Actor,
  type ImportCommentRequest,
  type ImportStepResponse,
  type ImportedPresence,
  can,
  commentIdParamSchema,
  importCommentRequestSchema,
} from '@parley/contracts';
import { domainError } from '@parley/eventstore';
import { CurrentActor, requireActor } from '@parley/platform';
import { commentsProblem } from '../comments.errors';
import { guestIdOf } from './comment-keys';
import { CommentUseCases } from './comment-use-cases';

function importer(actor: Actor | null): Actor {
  const who = requireActor(actor);
  if (!can(who, 'write'))
    throw commentsProblem(domainError('NotAllowed', 'Only an author or an admin imports comments'));
  return who;
}

/**
 * Comments of another blog, one at a time, as an import brings them in (internal: the
 * gateway runs imports and calls it; it is not forwarded to the public).
 */
@Controller('v1/imported-comments')
export class ImportsController {
  constructor(private readonly comments: CommentUseCases) {}

  @Post()
  @HttpCode(200)
  async import(
    @CurrentActor() actor: Actor | null,
    @Body({ schema: importCommentRequestSchema }) body: ImportCommentRequest,
  ): Promise<ImportStepResponse> {
    const by = importer(actor);
    const { writer } = body;
    const outcome = await this.comments.importComment({
      ...body,
      writer: writer.kind === 'account' ? writer : { ...writer, guestId: guestIdOf(writer.email) },
      postedAt: new Date(body.postedAt),
      // The moderator of record of a comment imported in the trash.
      by: by.accountId,
    });
    if ('refused' in outcome) throw commentsProblem(outcome.refused);
    return { outcome: outcome.added ? 'added' : 'existing' };
  }

  @Get(':id')
  async presence(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: commentIdParamSchema }) id: string,
  ): Promise<ImportedPresence> {
    importer(actor);
    return { id, exists: (await this.comments.load(id)) !== null };
  }
}
