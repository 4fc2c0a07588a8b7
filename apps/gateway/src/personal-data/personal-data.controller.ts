import { Body, Controller, Delete, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  type ErasureRequest,
  type ErasureResult,
  erasureModeSchema,
  erasureRequestSchema,
  erasureResultSchema,
} from '@parley/contracts';
import { z } from 'zod';
import { Authenticated, Caller } from '../auth/authentication.guard';
import { ApiJson, ApiProblems } from '../http/api-docs';
import { RateLimited, WRITE_LIMIT } from '../http/rate-limits';
import { PersonalDataErasure } from './personal-data-erasure.service';

const eraseMeQuerySchema = z.object({ mode: erasureModeSchema.default('anonymize') }).strict();

@ApiTags('Personal data')
@Controller('api/v1')
export class PersonalDataController {
  constructor(private readonly erasure: PersonalDataErasure) {}

  @Post('personal-data/erasures')
  @HttpCode(200)
  @Authenticated('admin')
  @RateLimited(WRITE_LIMIT)
  @ApiOperation({
    summary:
      'Erase a person at their request (admins): a guest by their address (and the account registered with it), or an account. `anonymize` (the default) keeps their comments as by "Deleted reader"; `remove` leaves tombstones that keep the replies. Their keys are destroyed, their subscriptions end and nothing is mailed to them again. Running it again changes nothing. An admin account is refused (409) until another admin takes its role away.',
  })
  @ApiJson(200, erasureResultSchema, 'What was erased')
  @ApiProblems(400, 401, 403, 409)
  async erase(
    @Caller() caller: Actor,
    @Body({ schema: erasureRequestSchema }) body: ErasureRequest,
  ): Promise<ErasureResult> {
    return this.erasure.erase(body, caller);
  }

  @Delete('me')
  @HttpCode(200)
  @Authenticated()
  @RateLimited(WRITE_LIMIT)
  @ApiOperation({
    summary:
      'Delete the logged-in account and its personal data: its comments stay as by "Deleted reader" (mode=anonymize, the default) or become tombstones (mode=remove); it signs in no more. An admin is refused (409) until another admin takes its role away.',
  })
  @ApiJson(200, erasureResultSchema, 'What was erased')
  @ApiProblems(400, 401, 409)
  async eraseMe(
    @Caller() caller: Actor,
    @Query({ schema: eraseMeQuerySchema }) query: z.output<typeof eraseMeQuerySchema>,
  ): Promise<ErasureResult> {
    return this.erasure.erase({ accountId: caller.accountId, mode: query.mode }, caller);
  }
}
