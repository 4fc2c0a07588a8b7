import { Controller, Get, Query } from '@nestjs/common';
import {
  type Actor,
  type ExportCommentsPage,
  type ExportCommentsQuery,
  exportCommentsQuerySchema,
} from '@parley/contracts';
import { CurrentActor, requireCapability } from '@parley/platform';
import { ThreadQueries } from './thread.queries';

/** A post's comments for an export of the whole blog: admins only, held, spam and trash too. */
@Controller('v1/exports/comments')
export class CommentsExportController {
  constructor(private readonly queries: ThreadQueries) {}

  @Get()
  async page(
    @CurrentActor() actor: Actor | null,
    @Query({ schema: exportCommentsQuerySchema }) query: ExportCommentsQuery,
  ): Promise<ExportCommentsPage> {
    requireCapability(actor, 'administer');
    return this.queries.exportPage(query);
  }
}
