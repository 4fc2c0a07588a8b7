import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  type ErasureRequest,
  type ErasureResult,
  emailSchema,
  erasureModeSchema,
  erasureRequestSchema,
  erasureResultSchema,
} from '@parley/contracts';
import { z } from 'zod';
import { Authenticated, Caller } from '../auth/authentication.guard';
import { ApiJson, ApiProblems } from '../http/api-docs';
import { RateLimited, WRITE_LIMIT } from '../http/rate-limits';
import { identityProblem } from '../identity/auth.controller';
import { IdentityService, type Outcome } from '../identity/identity.service';
import { PersonalDataErasure } from './personal-data-erasure.service';

/** A link that is not valid (forged, expired) is refused as the identity's other links are. */
function unwrapLink<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw identityProblem(outcome.error);
  return outcome.value;
}

const erasureRequestBodySchema = z
  .object({ email: emailSchema, mode: erasureModeSchema.default('anonymize') })
  .strict();
const confirmBodySchema = z.object({ token: z.string().min(1).max(2000) }).strict();
const confirmQuerySchema = z.object({ token: z.string().min(1).max(2000) }).strict();
const erasurePreviewSchema = z.object({ mode: erasureModeSchema, confirmed: z.literal(false) });

const eraseMeQuerySchema = z.object({ mode: erasureModeSchema.default('anonymize') }).strict();

@ApiTags('Personal data')
@Controller('api/v1')
export class ErasureController {
  constructor(
    private readonly erasure: PersonalDataErasure,
    private readonly identity: IdentityService,
  ) {}

  @Post('personal-data/erasure-requests')
  @HttpCode(202)
  @RateLimited(WRITE_LIMIT)
  @ApiOperation({
    summary:
      'A guest asks for the data of their address to be erased: a link, valid for an hour, is mailed to it, and erases once sent back with POST. The answer is the same whether anyone wrote with the address or a mail went out (a few an hour at most).',
  })
  @ApiResponse({ status: 202, description: 'Accepted: a mail is on its way unless too many were' })
  @ApiProblems(400)
  async requestGuestErasure(
    @Body({ schema: erasureRequestBodySchema }) body: z.output<typeof erasureRequestBodySchema>,
  ): Promise<void> {
    await this.identity.requestGuestErasure(body.email, body.mode);
  }

  @Get('personal-data/erasure-requests/confirm')
  @ApiOperation({
    summary:
      'What a mailed erasure link would do, without doing it (link scanners follow links with GET): send it with POST to erase.',
  })
  @ApiJson(200, erasurePreviewSchema, 'What the link erases once confirmed')
  @ApiProblems(400, 401)
  async previewGuestErasure(
    @Query({ schema: confirmQuerySchema }) query: z.output<typeof confirmQuerySchema>,
  ): Promise<z.infer<typeof erasurePreviewSchema>> {
    const claims = unwrapLink(await this.identity.guestErasureOf(query.token));
    return { mode: claims.mode, confirmed: false };
  }

  @Post('personal-data/erasure-requests/confirm')
  @HttpCode(200)
  @RateLimited(WRITE_LIMIT)
  @ApiOperation({
    summary:
      'Erases the guest data of the address a mailed link names, in the mode asked for: their comments stay as by "Deleted reader" or become tombstones, their subscriptions end, and nothing is mailed to them again.',
  })
  @ApiJson(200, erasureResultSchema, 'What was erased')
  @ApiProblems(400, 401)
  async confirmGuestErasure(
    @Body({ schema: confirmBodySchema }) body: z.output<typeof confirmBodySchema>,
  ): Promise<ErasureResult> {
    const claims = unwrapLink(await this.identity.guestErasureOf(body.token));
    return this.erasure.eraseGuest(claims.email, claims.mode);
  }

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
