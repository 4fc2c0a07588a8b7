import { Controller, Get, Query } from '@nestjs/common';
import {
  type Actor,
  type CommentsPersonalData,
  type PersonalDataQuery,
  personalDataQuerySchema,
} from '@parley/contracts';
import { CurrentActor, requirePersonalDataReader } from '@parley/platform';
import { authorKeyOf, guestIdOf } from '../comments/comment-keys';
import { ThreadQueries } from './thread.queries';

/**
 * One person's comments and likes, for the export of their data: an account asks for its own,
 * an admin (or the gateway on a guest's signed link) for anyone's. Internal: the gateway never
 * forwards this route.
 */
@Controller('v1/personal-data')
export class CommentsPersonalDataController {
  constructor(private readonly queries: ThreadQueries) {}

  @Get()
  async personalData(
    @CurrentActor() actor: Actor | null,
    @Query({ schema: personalDataQuerySchema }) query: PersonalDataQuery,
  ): Promise<CommentsPersonalData> {
    requirePersonalDataReader(actor, query);
    if (query.accountId !== undefined)
      return this.queries.personalData(
        authorKeyOf({ kind: 'account', accountId: query.accountId }),
        query.accountId,
      );
    return this.queries.personalData(
      authorKeyOf({ kind: 'guest', guestId: guestIdOf(query.email ?? '') }),
      null,
    );
  }
}
