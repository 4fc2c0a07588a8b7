import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  confirmResultSchema,
  idSchema,
  inboxQuerySchema,
  inboxResponseSchema,
  notificationWhySchema,
  optionalTokenQuerySchema,
  pauseRequestSchema,
  pausedViewSchema,
  readAllResponseSchema,
  registerWebhookRequestSchema,
  subscribeRequestSchema,
  subscriptionListSchema,
  subscriptionViewSchema,
  tokenQuerySchema,
  unsubscribeResultSchema,
  updateSubscriptionRequestSchema,
  webhookCreatedSchema,
  webhookListSchema,
} from '@parley/contracts';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { Authenticated, Caller } from '../auth/authentication.guard';
import { ApiJson, ApiNoContent, ApiProblems } from '../http/api-docs';
import { RateLimited, WRITE_LIMIT } from '../http/rate-limits';
import { passThrough } from '../proxy/service-client';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';

type TokenQuery = z.output<typeof optionalTokenQuerySchema>;

@ApiTags('Notifications')
@Controller('api/v1')
export class NotificationsController {
  constructor(@Inject(SERVICE_CLIENTS) private readonly services: ServiceClients) {}

  private get notifications() {
    return this.services.notifications;
  }

  @Get('notifications')
  @Authenticated()
  @ApiOperation({
    summary: 'The in-app inbox of the logged-in account, newest first, with the unread count.',
  })
  @ApiJson(200, inboxResponseSchema, 'A page of notifications')
  @ApiProblems(401)
  async inbox(
    @Caller() caller: Actor,
    @Query({ schema: inboxQuerySchema }) query: z.output<typeof inboxQuerySchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.notifications.call({
        method: 'GET',
        path: '/v1/notifications',
        query,
        actor: caller,
      }),
    );
  }

  @Post('notifications/read-all')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: 'Mark every notification read.' })
  @ApiJson(200, readAllResponseSchema, 'How many were marked')
  @ApiProblems(401)
  async readAll(
    @Caller() caller: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.notifications.call({
        method: 'POST',
        path: '/v1/notifications/read-all',
        actor: caller,
      }),
    );
  }

  @Post('notifications/:id/read')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Mark one notification read.' })
  @ApiNoContent('Marked read')
  @ApiProblems(401, 404)
  async read(
    @Caller() caller: Actor,
    @Param('id', { schema: idSchema }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.notifications.call({
        method: 'POST',
        path: `/v1/notifications/${encodeURIComponent(id)}/read`,
        actor: caller,
      }),
    );
  }

  @Get('notifications/:id/why')
  @ApiOperation({
    summary:
      'Why was I notified? The rule, the subscription and what happened on each channel. Logged in, or with the token of a manage link.',
  })
  @ApiJson(200, notificationWhySchema, 'The notification and its ledger')
  @ApiProblems(401, 403, 404)
  async why(
    @Caller() caller: Actor | null,
    @Param('id', { schema: idSchema }) id: string,
    @Query({ schema: optionalTokenQuerySchema }) query: TokenQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.notifications.call({
        method: 'GET',
        path: `/v1/notifications/${encodeURIComponent(id)}/why`,
        query,
        actor: caller,
      }),
    );
  }

  @Get('subscriptions')
  @ApiOperation({
    summary: 'My subscriptions: logged in, or with the token of a manage link (no login needed).',
  })
  @ApiJson(200, subscriptionListSchema, 'The subscriber and every subscription')
  @ApiProblems(401, 403)
  async list(
    @Caller() caller: Actor | null,
    @Query({ schema: optionalTokenQuerySchema }) query: TokenQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.notifications.call({
        method: 'GET',
        path: '/v1/subscriptions',
        query,
        actor: caller,
      }),
    );
  }

  @Post('subscriptions')
  @RateLimited(WRITE_LIMIT)
  @ApiOperation({
    summary:
      'Follow replies, a branch, a post or the blog. Guests give an email address and confirm it (double opt-in) before anything else is mailed.',
  })
  @ApiJson(
    201,
    subscriptionViewSchema,
    'The subscription (pending confirmation for a new guest address)',
  )
  @ApiProblems(401, 409, 422)
  async subscribe(
    @Caller() caller: Actor | null,
    @Body({ schema: subscribeRequestSchema }) body: z.output<typeof subscribeRequestSchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.notifications.call({
        method: 'POST',
        path: '/v1/subscriptions',
        body,
        actor: caller,
      }),
    );
  }

  @Get('subscriptions/confirm')
  @ApiOperation({
    summary:
      'The link of the confirmation mail: confirms the address. A browser is sent on to the blog.',
  })
  @ApiJson(200, confirmResultSchema, 'Confirmed')
  @ApiProblems(403, 422)
  async confirm(
    @Query({ schema: tokenQuerySchema }) query: z.output<typeof tokenQuerySchema>,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const result = passThrough(
      reply,
      await this.notifications.call({
        method: 'GET',
        path: '/v1/subscriptions/confirm',
        query,
        actor: null,
      }),
    );
    if ((accept ?? '').includes('text/html')) {
      reply.status(303).header('location', '/?subscription-confirmed=1');
      return '';
    }
    return result;
  }

  @Post('subscriptions/pause')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Pause every notification for N days (logged in, or with a manage token).',
  })
  @ApiJson(200, pausedViewSchema, 'Paused until')
  @ApiProblems(401, 403)
  async pause(
    @Caller() caller: Actor | null,
    @Query({ schema: optionalTokenQuerySchema }) query: TokenQuery,
    @Body({ schema: pauseRequestSchema }) body: z.output<typeof pauseRequestSchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.notifications.call({
        method: 'POST',
        path: '/v1/subscriptions/pause',
        query,
        body,
        actor: caller,
      }),
    );
  }

  @Post('subscriptions/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'End a pause.' })
  @ApiJson(200, pausedViewSchema, 'Not paused')
  @ApiProblems(401, 403)
  async resume(
    @Caller() caller: Actor | null,
    @Query({ schema: optionalTokenQuerySchema }) query: TokenQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.notifications.call({
        method: 'POST',
        path: '/v1/subscriptions/resume',
        query,
        actor: caller,
      }),
    );
  }

  @Patch('subscriptions/:id')
  @ApiOperation({
    summary:
      'Change the channels or the frequency (immediate, hourly or daily digest) of a subscription.',
  })
  @ApiJson(200, subscriptionViewSchema, 'The subscription')
  @ApiProblems(401, 403, 404, 422)
  async update(
    @Caller() caller: Actor | null,
    @Param('id', { schema: idSchema }) id: string,
    @Query({ schema: optionalTokenQuerySchema }) query: TokenQuery,
    @Body({ schema: updateSubscriptionRequestSchema })
    body: z.output<typeof updateSubscriptionRequestSchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.notifications.call({
        method: 'PATCH',
        path: `/v1/subscriptions/${encodeURIComponent(id)}`,
        query,
        body,
        actor: caller,
      }),
    );
  }

  @Delete('subscriptions/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop a subscription.' })
  @ApiNoContent('Stopped')
  @ApiProblems(401, 403, 404)
  async remove(
    @Caller() caller: Actor | null,
    @Param('id', { schema: idSchema }) id: string,
    @Query({ schema: optionalTokenQuerySchema }) query: TokenQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.notifications.call({
        method: 'DELETE',
        path: `/v1/subscriptions/${encodeURIComponent(id)}`,
        query,
        actor: caller,
      }),
    );
  }

  @Get('unsubscribe')
  @ApiOperation({
    summary:
      'The unsubscribe link: shows what would stop and changes nothing (mail scanners follow links). HTML for browsers.',
  })
  @ApiProduces('application/json', 'text/html')
  @ApiJson(200, unsubscribeResultSchema, 'What the link would stop')
  @ApiProblems(403, 422)
  async unsubscribePage(
    @Query({ schema: tokenQuerySchema }) query: z.output<typeof tokenQuerySchema>,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.raw(reply, 'GET', query.token, accept);
  }

  @Post('unsubscribe')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'One-click unsubscribe (RFC 8058): a POST with the link, no login; mail clients send List-Unsubscribe=One-Click.',
  })
  @ApiProduces('application/json', 'text/html')
  @ApiJson(200, unsubscribeResultSchema, 'Stopped')
  @ApiProblems(403, 422)
  async oneClick(
    @Query({ schema: tokenQuerySchema }) query: z.output<typeof tokenQuerySchema>,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.raw(reply, 'POST', query.token, accept);
  }

  @Get('webhooks')
  @Authenticated()
  @ApiOperation({ summary: "The account's webhook." })
  @ApiJson(200, webhookListSchema, 'Webhooks')
  @ApiProblems(401)
  async webhooks(
    @Caller() caller: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.notifications.call({ method: 'GET', path: '/v1/webhooks', actor: caller }),
    );
  }

  @Post('webhooks')
  @Authenticated()
  @ApiOperation({
    summary:
      'Register a URL that receives notifications as POSTs signed with HMAC-SHA256 (the secret is shown once).',
  })
  @ApiJson(201, webhookCreatedSchema, 'The webhook and its signing secret')
  @ApiProblems(401, 403, 422)
  async registerWebhook(
    @Caller() caller: Actor,
    @Body({ schema: registerWebhookRequestSchema })
    body: z.output<typeof registerWebhookRequestSchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.notifications.call({ method: 'POST', path: '/v1/webhooks', body, actor: caller }),
    );
  }

  @Delete('webhooks/:id')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Remove the webhook.' })
  @ApiNoContent('Removed')
  @ApiProblems(401, 404)
  async removeWebhook(
    @Caller() caller: Actor,
    @Param('id', { schema: idSchema }) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return passThrough(
      reply,
      await this.notifications.call({
        method: 'DELETE',
        path: `/v1/webhooks/${encodeURIComponent(id)}`,
        actor: caller,
      }),
    );
  }

  private async raw(
    reply: FastifyReply,
    method: 'GET' | 'POST',
    token: string,
    accept: string | undefined,
  ): Promise<void> {
    const html = (accept ?? '').includes('text/html');
    const answer = await this.notifications.callRaw({
      method,
      path: '/v1/unsubscribe',
      query: { token },
      actor: null,
      accept: html ? 'text/html' : 'application/json',
      ...(method === 'POST'
        ? {
            rawBody: 'List-Unsubscribe=One-Click',
            contentType: 'application/x-www-form-urlencoded',
          }
        : {}),
    });
    await reply.status(answer.status).header('content-type', answer.contentType).send(answer.text);
  }
}
