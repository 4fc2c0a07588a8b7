import { Controller, Get, Query } from '@nestjs/common';
import {
  type Actor,
  type PersonalDataQuery,
  type PostsPersonalData,
  personalDataQuerySchema,
} from '@parley/contracts';
import { CurrentActor, requirePersonalDataReader } from '@parley/platform';
import { PostQueries } from './post-queries';

/**
 * The posts one person likes, for the export of their data: an account asks for its own, an
 * admin (or the gateway on a guest's signed link) for anyone's. Guests like no posts. Internal:
 * the gateway never forwards this route.
 */
@Controller('v1/personal-data')
export class PostsPersonalDataController {
  constructor(private readonly queries: PostQueries) {}

  @Get()
  async personalData(
    @CurrentActor() actor: Actor | null,
    @Query({ schema: personalDataQuerySchema }) query: PersonalDataQuery,
  ): Promise<PostsPersonalData> {
    requirePersonalDataReader(actor, query);
    return query.accountId === undefined
      ? { postLikes: [] }
      : this.queries.postLikesOf(query.accountId);
  }
}
