import { Body, Controller, Get, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  type PersonalDataExport,
  type PersonalDataRequest,
  type TokenQuery,
  personalDataExportSchema,
  personalDataRequestSchema,
  tokenQuerySchema,
} from '@parley/contracts';
import { APP_LOGGER, CLOCK, type Clock, ProblemException } from '@parley/platform';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { Authenticated, Caller } from '../auth/authentication.guard';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { ApiJson, ApiProblems } from '../http/api-docs';
import { RateLimited, WRITE_LIMIT } from '../http/rate-limits';
import { IdentityService } from '../identity/identity.service';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';
import {
  type ExportedPerson,
  PERSONAL_DATA_OPERATOR,
  collectPersonalData,
  holdsAnything,
} from './personal-data';

/** A download of the JSON, never kept by a cache on the way. */
function asAttachment(reply: FastifyReply, now: Date): void {
  void reply
    .header(
      'content-disposition',
      `attachment; filename="parley-personal-data-${now.toISOString().slice(0, 10)}.json"`,
    )
    .header('cache-control', 'no-store');
}

/** A person downloads their data: an account while logged in, a guest through a mailed link. */
@ApiTags('Personal data')
@Controller('api/v1')
export class PersonalDataController {
  constructor(
    @Inject(SERVICE_CLIENTS) private readonly services: ServiceClients,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly identity: IdentityService,
  ) {}

  private collect(person: ExportedPerson, actor: Actor): Promise<PersonalDataExport> {
    return collectPersonalData({
      services: this.services,
      person,
      actor,
      publicBaseUrl: this.options.publicBaseUrl,
      now: this.clock(),
    });
  }

  @Get('me/personal-data')
  @Authenticated()
  @ApiOperation({
    summary:
      "The logged-in account's data as JSON (a download): account details, every comment with its post and link, likes, subscriptions, notifications and the ledger of their deliveries.",
  })
  @ApiJson(
    200,
    personalDataExportSchema,
    'The account’s data (format parley.personal-data, version 1)',
  )
  @ApiProblems(401, 404)
  async mine(
    @Caller() caller: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PersonalDataExport> {
    const account = await this.identity.me(caller.accountId);
    if (!account.ok)
      throw new ProblemException({
        status: 404,
        code: 'account-not-found',
        title: 'There is no such account',
      });
    const data = await this.collect({ kind: 'account', account: account.value }, caller);
    asAttachment(reply, this.clock());
    return data;
  }

  @Post('personal-data/requests')
  @HttpCode(202)
  @RateLimited(WRITE_LIMIT)
  @ApiOperation({
    summary:
      'A guest asks for their data: if anything is held of the address, a mail with a signed link that downloads it (for 24 hours) goes to it (a few a day at most). ' +
      'The answer is the same whether or not anything is known of the address.',
  })
  @ApiResponse({
    status: 202,
    description: 'Accepted: a mail is on its way if anything is held of the address',
  })
  @ApiProblems()
  requestLink(@Body({ schema: personalDataRequestSchema }) body: PersonalDataRequest): void {
    // Not awaited: the time to answer must not tell whether anything is known of the address.
    this.mailLinkIfKnown(body.email).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'personal data request failed');
    });
  }

  private async mailLinkIfKnown(email: string): Promise<void> {
    const data = await this.collect({ kind: 'guest', email }, PERSONAL_DATA_OPERATOR);
    if (holdsAnything(data)) await this.identity.mailPersonalDataLink(email);
  }

  @Get('personal-data')
  @ApiOperation({
    summary:
      "A guest's data as JSON (a download), with the token of the link mailed to them: every comment they wrote with the address, with its post and link, their subscriptions, notifications and the ledger of their deliveries.",
  })
  @ApiJson(
    200,
    personalDataExportSchema,
    'The guest’s data (format parley.personal-data, version 1)',
  )
  @ApiProblems(401)
  async byLink(
    @Query({ schema: tokenQuerySchema }) query: TokenQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PersonalDataExport> {
    const email = await this.identity.personalDataLinkAddress(query.token);
    if (!email)
      throw new ProblemException({
        status: 401,
        code: 'invalid-link',
        title: 'This link is not valid or has expired',
        detail: 'Ask for a new link on the privacy page.',
        errors: [{ field: 'query.token', reason: 'not valid or expired' }],
      });
    const data = await this.collect({ kind: 'guest', email }, PERSONAL_DATA_OPERATOR);
    asAttachment(reply, this.clock());
    return data;
  }
}
