import { Controller, Get, Query } from '@nestjs/common';
import {
  type LegacyLinkQuery,
  type LegacyLinkTarget,
  legacyLinkQuerySchema,
} from '@parley/contracts';
import { notFound } from '../posts/posts.errors';
import { PostQueries } from './post-queries';

/** Where an old address of an imported blog leads: the post it named there, once published here. */
@Controller('v1/legacy-links')
export class LegacyLinksController {
  constructor(private readonly queries: PostQueries) {}

  @Get()
  async find(
    @Query({ schema: legacyLinkQuerySchema }) query: LegacyLinkQuery,
  ): Promise<LegacyLinkTarget> {
    const target = await this.queries.byLegacyLink(query);
    if (!target) throw notFound();
    return target;
  }
}
