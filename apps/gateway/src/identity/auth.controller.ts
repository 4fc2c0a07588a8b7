import { Body, Controller, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  type AccountsPage,
  type AccountView,
  IDENTITY_ROUTES,
  type TokensResponse,
  loginRequestSchema,
  passwordResetConfirmSchema,
  passwordResetRequestSchema,
  refreshRequestSchema,
  registerRequestSchema,
  setRolesRequestSchema,
  updateMeRequestSchema,
  verifyEmailRequestSchema,
} from '@parley/contracts';
import { APP_LOGGER, READ_MODELS, errorTable } from '@parley/platform';
import type { LiveReadModels } from '@parley/readmodel';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { Caller } from '../auth/authentication.guard';
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

  @TableRoute(IDENTITY_ROUTES.routes.refresh)
  async refresh(
    @Body({ schema: refreshRequestSchema }) body: z.infer<typeof refreshRequestSchema>,
  ): Promise<TokensResponse> {
    return unwrap(await this.identity.refresh(body.refreshToken));
  }

  @TableRoute(IDENTITY_ROUTES.routes.logout)
  async logout(
    @Body({ schema: refreshRequestSchema }) body: z.infer<typeof refreshRequestSchema>,
  ): Promise<void> {
    unwrap(await this.identity.logout(body.refreshToken));
  }

  @TableRoute(IDENTITY_ROUTES.routes.requestPasswordReset)
  async requestPasswordReset(
    @Body({ schema: passwordResetRequestSchema }) body: z.infer<typeof passwordResetRequestSchema>,
  ): Promise<void> {
    // Not awaited: the time to answer must not tell whether a mail is being sent.
    this.identity.requestPasswordReset(body.email).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'password reset request failed');
    });
  }

  @TableRoute(IDENTITY_ROUTES.routes.confirmPasswordReset)
  async confirmPasswordReset(
    @Body({ schema: passwordResetConfirmSchema }) body: z.infer<typeof passwordResetConfirmSchema>,
  ): Promise<void> {
    unwrap(await this.identity.confirmPasswordReset(body.token, body.password));
  }

  @TableRoute(IDENTITY_ROUTES.routes.verifyEmail)
  async verifyEmail(
    @Body({ schema: verifyEmailRequestSchema }) body: z.infer<typeof verifyEmailRequestSchema>,
  ): Promise<AccountView> {
    return unwrap(await this.identity.verifyEmail(body.token));
  }

  @TableRoute(IDENTITY_ROUTES.routes.verifyEmailLink)
  async verifyEmailLink(
    @Query({ schema: verifyEmailRequestSchema }) query: z.infer<typeof verifyEmailRequestSchema>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    unwrap(await this.identity.verifyEmail(query.token));
    await reply.status(303).header('location', '/?email-verified=1').send();
  }

  @TableRoute(IDENTITY_ROUTES.routes.resendVerification)
  async resendVerification(@Caller() caller: Actor): Promise<void> {
    unwrap(await this.identity.resendVerification(caller.accountId));
  }

  @TableRoute(IDENTITY_ROUTES.routes.me)
  async me(@Caller() caller: Actor): Promise<AccountView> {
    return unwrap(await this.identity.me(caller.accountId));
  }

  @TableRoute(IDENTITY_ROUTES.routes.updateMe)
  async updateMe(
    @Caller() caller: Actor,
    @Body({ schema: updateMeRequestSchema }) body: z.infer<typeof updateMeRequestSchema>,
  ): Promise<AccountView> {
    return unwrap(await this.identity.changeDisplayName(caller.accountId, body.displayName));
  }

  @TableRoute(IDENTITY_ROUTES.routes.accounts)
  async accounts(): Promise<AccountsPage> {
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

  @TableRoute(IDENTITY_ROUTES.routes.setRoles)
  async setRoles(
    @Caller() caller: Actor,
    @Param('id', { schema: IDENTITY_ROUTES.routes.setRoles.params.id }) accountId: string,
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
