import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  type Actor,
  type ConfirmResult,
  type OptionalTokenQuery,
  type PausedView,
  type PauseRequest,
  type SubscribeRequest,
  type SubscriptionList,
  type SubscriptionView,
  type TokenQuery,
  type UnsubscribeResult,
  type UpdateSubscriptionRequest,
  idSchema,
  oneClickBodySchema,
  optionalTokenQuerySchema,
  pauseRequestSchema,
  subscribeRequestSchema,
  tokenQuerySchema,
  updateSubscriptionRequestSchema,
} from '@parley/contracts';
import { CurrentActor, errorTable, requireActor } from '@parley/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Outcome } from '../shared/runtime';
import type { Who } from './subscriber.decider';
import {
  type Caller,
  type SubscriptionsError,
  type SubscriptionsErrorCode,
  SubscriptionsService,
} from './subscriptions.service';
import { unsubscribePage } from './unsubscribe-page';

/** The HTTP answer to each domain error of subscriptions, in one place. */
const answer = errorTable<SubscriptionsErrorCode>({
  SubscriptionNotFound: { status: 404 },
  WebhookNotFound: { status: 404 },
  ChannelNotAvailable: { status: 422 },
  EmailRequired: { status: 422, field: 'email' },
  EmailNotExpected: { status: 422, field: 'email' },
  TokenExpired: { status: 422 },
  NotAGuest: { status: 409 },
  InvalidToken: { status: 403 },
  WebhookNeedsAccount: { status: 403 },
  WebhookTargetNotAllowed: { status: 422, field: 'url' },
});

/** An unsubscribe answer as a page for a browser (a mailed link opened), else as JSON. */
async function sendUnsubscribeResult(
  request: FastifyRequest,
  reply: FastifyReply,
  result: UnsubscribeResult,
): Promise<void> {
  if ((request.headers.accept ?? '').includes('text/html')) {
    await reply
      .status(200)
      .header('content-type', 'text/html; charset=utf-8')
      .send(unsubscribePage(result));
    return;
  }
  await reply.status(200).send(result);
}

export function unwrap<T>(outcome: Outcome<T, SubscriptionsError>): T {
  if (!outcome.ok) throw answer(outcome.error);
  return outcome.value;
}

function callerOf(actor: Actor | null, token: string | undefined): Caller {
  if (token !== undefined) return { kind: 'token', token };
  return { kind: 'actor', actor: requireActor(actor) };
}

/** Subscriptions: follow, confirm, change, pause and stop, logged in or with a signed link. */
@Controller('v1')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  private async who(actor: Actor | null, query: OptionalTokenQuery): Promise<Who> {
    return unwrap(await this.subscriptions.resolveCaller(callerOf(actor, query.token)));
  }

  @Get('subscriptions')
  async list(
    @CurrentActor() actor: Actor | null,
    @Query({ schema: optionalTokenQuerySchema }) query: OptionalTokenQuery,
  ): Promise<SubscriptionList> {
    return this.subscriptions.list(await this.who(actor, query));
  }

  @Post('subscriptions')
  async subscribe(
    @CurrentActor() actor: Actor | null,
    @Body({ schema: subscribeRequestSchema }) body: SubscribeRequest,
  ): Promise<SubscriptionView> {
    return unwrap(await this.subscriptions.subscribe(actor, body));
  }

  @Get('subscriptions/confirm')
  async confirm(@Query({ schema: tokenQuerySchema }) query: TokenQuery): Promise<ConfirmResult> {
    return unwrap(await this.subscriptions.confirm(query.token));
  }

  @Post('subscriptions/pause')
  @HttpCode(200)
  async pause(
    @CurrentActor() actor: Actor | null,
    @Query({ schema: optionalTokenQuerySchema }) query: OptionalTokenQuery,
    @Body({ schema: pauseRequestSchema }) body: PauseRequest,
  ): Promise<PausedView> {
    const view = unwrap(await this.subscriptions.pause(await this.who(actor, query), body.days));
    return { pausedUntil: view.pausedUntil };
  }

  @Post('subscriptions/resume')
  @HttpCode(200)
  async resume(
    @CurrentActor() actor: Actor | null,
    @Query({ schema: optionalTokenQuerySchema }) query: OptionalTokenQuery,
  ): Promise<PausedView> {
    const view = unwrap(await this.subscriptions.resume(await this.who(actor, query)));
    return { pausedUntil: view.pausedUntil };
  }

  @Patch('subscriptions/:id')
  async update(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: idSchema }) id: string,
    @Query({ schema: optionalTokenQuerySchema }) query: OptionalTokenQuery,
    @Body({ schema: updateSubscriptionRequestSchema }) body: UpdateSubscriptionRequest,
  ): Promise<SubscriptionView> {
    return unwrap(await this.subscriptions.update(await this.who(actor, query), id, body));
  }

  @Delete('subscriptions/:id')
  @HttpCode(204)
  async remove(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: idSchema }) id: string,
    @Query({ schema: optionalTokenQuerySchema }) query: OptionalTokenQuery,
  ): Promise<void> {
    unwrap(
      await this.subscriptions.unsubscribe(
        await this.who(actor, query),
        id,
        query.token !== undefined ? 'manage' : 'api',
      ),
    );
  }

  /** The page behind the unsubscribe link: shows what would stop, changes nothing (scanners GET links). */
  @Get('unsubscribe')
  async unsubscribePage(
    @Query({ schema: tokenQuerySchema }) query: TokenQuery,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const subscriptions = unwrap(await this.subscriptions.previewUnsubscribe(query.token));
    const result: UnsubscribeResult = { unsubscribed: false, subscriptions };
    await sendUnsubscribeResult(request, reply, result);
  }

  /** RFC 8058 one-click unsubscribe: a POST with the link's token, no login. */
  @Post('unsubscribe')
  @HttpCode(200)
  async oneClick(
    @Query({ schema: tokenQuerySchema }) query: TokenQuery,
    @Body({ schema: oneClickBodySchema }) _body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const result = unwrap(await this.subscriptions.oneClickUnsubscribe(query.token));
    await sendUnsubscribeResult(request, reply, result);
  }
}
