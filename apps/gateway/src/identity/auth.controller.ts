import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  type AccountSummary,
  type AccountView,
  IDENTITY_ROUTES,
  type TokensResponse,
  accountSummarySchema,
  accountViewSchema,
  loginRequestSchema,
  passwordResetConfirmSchema,
  passwordResetRequestSchema,
  refreshRequestSchema,
  registerRequestSchema,
  setRolesRequestSchema,
  tokensResponseSchema,
  updateMeRequestSchema,
  verifyEmailRequestSchema,
} from '@parley/contracts';
import { APP_LOGGER, READ_MODELS, errorTable } from '@parley/platform';
import type { LiveReadModels } from '@parley/readmodel';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { Authenticated, Caller } from '../auth/authentication.guard';
import { ApiJson, ApiNoContent, ApiProblems } from '../http/api-docs';
import { WRITE_LIMIT, RateLimited } from '../http/rate-limits';
import { TableRoute } from '../proxy/routed-controller';
import { ACCOUNTS_DIRECTORY, type AccountDirectoryEntry } from './accounts.projection';
import { type IdentityErrorCode, IdentityService, type Outcome } from './identity.service';

/** The HTTP answer to each domain error of identity, in one place. */
export const identityProblem = errorTable<IdentityErrorCode>({
  InvalidCredentials: { status: 401 },
  InvalidToken: { status: 401 },
  AccountNotFound: { status: 404 },
  NotAllowed: { status: 403 },
  CannotDemoteSelf: { status: 409 },
  CannotEraseAdmin: { status: 409 },
  EmailMismatch: { status: 409 },
  NameReserved: { status: 422, field: 'displayName' },
  TooManyAttempts: { status: 429 },
});

function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok)
    throw identityProblem(
      outcome.error,
      outcome.retryAfterSeconds !== undefined
        ? { 'retry-after': String(outcome.retryAfterSeconds) }
        : undefined,
    );
  return outcome.value;
}

const accountIdParam = z.string().min(1).max(100);

@ApiTags('Identity')
@Controller()
export class AuthController {
  constructor(
    private readonly identity: IdentityService,
    @Inject(READ_MODELS) private readonly readModels: LiveReadModels,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  @TableRoute(IDENTITY_ROUTES.routes.register)
  async register(
    @Body({ schema: registerRequestSchema }) body: z.infer<typeof registerRequestSchema>,
  ): Promise<TokensResponse> {
    return unwrap(await this.identity.register(body));
  }

  @TableRoute(IDENTITY_ROUTES.routes.login)
  async login(
    @Body({ schema: loginRequestSchema }) body: z.infer<typeof loginRequestSchema>,
  ): Promise<TokensResponse> {
    return unwrap(await this.identity.login(body));
  }

  @Post('api/v1/auth/refresh')
  @HttpCode(200)
  @RateLimited(WRITE_LIMIT)
  @ApiOperation({
    summary:
      'Trade a refresh token for new tokens; the old refresh token stops working (rotation).',
  })
  @ApiJson(200, tokensResponseSchema, 'New tokens')
  @ApiProblems(401)
  async refresh(
    @Body({ schema: refreshRequestSchema }) body: z.infer<typeof refreshRequestSchema>,
  ): Promise<TokensResponse> {
    return unwrap(await this.identity.refresh(body.refreshToken));
  }

  @Post('api/v1/auth/logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the session of a refresh token.' })
  @ApiNoContent('The session has ended')
  @ApiProblems(401)
  async logout(
    @Body({ schema: refreshRequestSchema }) body: z.infer<typeof refreshRequestSchema>,
  ): Promise<void> {
    unwrap(await this.identity.logout(body.refreshToken));
  }

  @Post('api/v1/auth/password-reset')
  @HttpCode(202)
  @RateLimited(WRITE_LIMIT)
  @ApiOperation({
    summary:
      'Ask for a link to choose a new password. If the address has an account, a mail with a link that works once, within the hour, goes to it (a few an hour at most). ' +
      'The answer is the same whether or not the address has an account.',
  })
  @ApiResponse({
    status: 202,
    description: 'Accepted: a mail is on its way if the address has an account',
  })
  @ApiProblems()
  async requestPasswordReset(
    @Body({ schema: passwordResetRequestSchema }) body: z.infer<typeof passwordResetRequestSchema>,
  ): Promise<void> {
    // Not awaited: the time to answer must not tell whether a mail is being sent.
    this.identity.requestPasswordReset(body.email).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'password reset request failed');
    });
  }

  @Post('api/v1/auth/password-reset/confirm')
  @HttpCode(204)
  @RateLimited(WRITE_LIMIT)
  @ApiOperation({
    summary:
      'Set a new password with the token of a reset link. The link then stops working, and every session of the account ends (log in with the new password).',
  })
  @ApiNoContent('The password is changed')
  @ApiProblems(401)
  async confirmPasswordReset(
    @Body({ schema: passwordResetConfirmSchema }) body: z.infer<typeof passwordResetConfirmSchema>,
  ): Promise<void> {
    unwrap(await this.identity.confirmPasswordReset(body.token, body.password));
  }

  @Post('api/v1/auth/verify-email')
  @HttpCode(200)
  @ApiOperation({ summary: 'Confirm the email address with the token from the verification mail.' })
  @ApiJson(200, accountViewSchema, 'The account, now verified')
  @ApiProblems(401, 404, 409)
  async verifyEmail(
    @Body({ schema: verifyEmailRequestSchema }) body: z.infer<typeof verifyEmailRequestSchema>,
  ): Promise<AccountView> {
    return unwrap(await this.identity.verifyEmail(body.token));
  }

  @Get('api/v1/auth/verify-email')
  @ApiOperation({
    summary:
      'The link in the verification mail: confirms the address and sends the browser to the blog.',
  })
  @ApiResponse({ status: 303, description: 'Verified: see the blog (Location)' })
  @ApiProblems(401, 404, 409)
  async verifyEmailLink(
    @Query({ schema: verifyEmailRequestSchema }) query: z.infer<typeof verifyEmailRequestSchema>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    unwrap(await this.identity.verifyEmail(query.token));
    await reply.status(303).header('location', '/?email-verified=1').send();
  }

  @Post('api/v1/auth/resend-verification')
  @HttpCode(202)
  @Authenticated()
  @RateLimited(WRITE_LIMIT)
  @ApiOperation({
    summary:
      'Send the verification mail again (nothing happens once the address is verified). A few mails an hour at most per address and per account; the answer is the same either way.',
  })
  @ApiResponse({
    status: 202,
    description: 'Accepted: a mail is on its way unless the address is verified or had enough mail',
  })
  @ApiProblems(401, 404)
  async resendVerification(@Caller() caller: Actor): Promise<void> {
    unwrap(await this.identity.resendVerification(caller.accountId));
  }

  @Get('api/v1/me')
  @Authenticated()
  @ApiOperation({ summary: 'The logged-in account.' })
  @ApiJson(200, accountViewSchema, 'The account')
  @ApiProblems(401, 404)
  async me(@Caller() caller: Actor): Promise<AccountView> {
    return unwrap(await this.identity.me(caller.accountId));
  }

  @Patch('api/v1/me')
  @Authenticated()
  @ApiOperation({
    summary:
      'Change the display name; it reaches the comments already written. The names of the blog staff are theirs (422).',
  })
  @ApiJson(200, accountViewSchema, 'The account')
  @ApiProblems(401, 404, 422)
  async updateMe(
    @Caller() caller: Actor,
    @Body({ schema: updateMeRequestSchema }) body: z.infer<typeof updateMeRequestSchema>,
  ): Promise<AccountView> {
    return unwrap(await this.identity.changeDisplayName(caller.accountId, body.displayName));
  }

  @Get('api/v1/accounts')
  @Authenticated('admin')
  @ApiOperation({ summary: 'The accounts of the blog, newest first (admins).' })
  @ApiJson(200, z.object({ items: z.array(accountSummarySchema) }), 'Accounts')
  @ApiProblems(401, 403)
  async accounts(): Promise<{ items: AccountSummary[] }> {
    const entries = await this.readModels
      .db(ACCOUNTS_DIRECTORY.name)
      .collection<AccountDirectoryEntry>('accounts')
      .find({}, { sort: { registeredAt: -1 }, limit: 500 });
    return {
      items: entries.map((entry) => ({
        id: entry._id,
        displayName: entry.displayName,
        roles: entry.roles,
        emailVerified: entry.emailVerified,
        registeredAt: entry.registeredAt,
      })),
    };
  }

  @Put('api/v1/accounts/:id/roles')
  @Authenticated('admin')
  @ApiOperation({
    summary: 'Set the roles of an account (admins). Effective at its next token refresh.',
  })
  @ApiJson(200, accountViewSchema, 'The account')
  @ApiProblems(401, 403, 404, 409)
  async setRoles(
    @Caller() caller: Actor,
    @Param('id', { schema: accountIdParam }) accountId: string,
    @Body({ schema: setRolesRequestSchema }) body: z.infer<typeof setRolesRequestSchema>,
  ): Promise<AccountView> {
    return unwrap(
      await this.identity.setRoles(
        { accountId: caller.accountId, roles: caller.roles },
        accountId,
        body.roles,
      ),
    );
  }
}
