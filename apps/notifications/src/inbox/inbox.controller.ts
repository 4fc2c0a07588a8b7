import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  type Actor,
  type InboxQuery,
  type InboxResponse,
  type NotificationWhy,
  type OptionalTokenQuery,
  type ReadAllResponse,
  idSchema,
  inboxQuerySchema,
  optionalTokenQuerySchema,
} from '@parley/contracts';
import { CurrentActor, errorTable, requireActor } from '@parley/platform';
import type { Outcome } from '../shared/runtime';
import { unwrap as unwrapSubscriptions } from '../subscriptions/subscriptions.controller';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { type InboxError, InboxService } from './inbox.service';

const answer = errorTable<InboxError['code']>({
  NotificationNotFound: { status: 404 },
  InvalidCursor: { status: 400, field: 'query.cursor' },
});

function unwrap<T>(outcome: Outcome<T, InboxError>): T {
  if (!outcome.ok) throw answer(outcome.error);
  return outcome.value;
}

/** The in-app inbox of an account, and "why was I notified?". */
@Controller('v1/notifications')
export class InboxController {
  constructor(
    private readonly inbox: InboxService,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  @Get()
  async list(
    @CurrentActor() actor: Actor | null,
    @Query({ schema: inboxQuerySchema }) query: InboxQuery,
  ): Promise<InboxResponse> {
    return unwrap(await this.inbox.inbox(requireActor(actor).accountId, query));
  }

  @Post('read-all')
  @HttpCode(200)
  async readAll(@CurrentActor() actor: Actor | null): Promise<ReadAllResponse> {
    return { marked: await this.inbox.markAllRead(requireActor(actor).accountId) };
  }

  @Post(':id/read')
  @HttpCode(204)
  async read(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: idSchema }) id: string,
  ): Promise<void> {
    unwrap(await this.inbox.markRead(requireActor(actor).accountId, id));
  }

  /** Readable by its recipient: logged in, or (guests) with their manage link's token. */
  @Get(':id/why')
  async why(
    @CurrentActor() actor: Actor | null,
    @Param('id', { schema: idSchema }) id: string,
    @Query({ schema: optionalTokenQuerySchema }) query: OptionalTokenQuery,
  ): Promise<NotificationWhy> {
    const caller =
      query.token !== undefined
        ? ({ kind: 'token', token: query.token } as const)
        : ({ kind: 'actor', actor: requireActor(actor) } as const);
    const who = unwrapSubscriptions(await this.subscriptions.resolveCaller(caller));
    return unwrap(await this.inbox.why(who, id));
  }
}
