import { Controller, Get, Query } from '@nestjs/common';
import {
  type Actor,
  type ExportPostsPage,
  type ExportPostsQuery,
  exportPostsQuerySchema,
} from '@parley/contracts';
import { CurrentActor, requireCapability } from '@parley/platform';
import { PostQueries } from './post-queries';

/** The blog's posts for an export of the whole blog: admins only, drafts and all. */
@Controller('v1/exports/posts')
export class PostsExportController {
  constructor(private readonly queries: PostQueries) {}

  @Get()
  async page(
    @CurrentActor() actor: Actor | null,
    @Query({ schema: exportPostsQuerySchema }) query: ExportPostsQuery,
  ): Promise<ExportPostsPage> {
    requireCapability(actor, 'administer');
    return this.queries.exportPage(query);
  }
}
