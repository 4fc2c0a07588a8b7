import { Controller, Get, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces } from '@nestjs/swagger';
import {
  NOTIFICATION_ROUTES,
  confirmResultSchema,
  tokenQuerySchema,
  unsubscribeResultSchema,
} from '@parley/contracts';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { ApiJson, ApiProblems } from '../http/api-docs';
import { routedController } from '../proxy/routed-controller';
import { passThrough } from '../proxy/service-client';

/**
 * The notifications routes: the table's, and the links of the mails, which answer a browser
 * otherwise than a program (a redirect, or the service's own HTML page).
 */
@Controller()
export class NotificationsController extends routedController(NOTIFICATION_ROUTES) {
  private get notifications() {
    return this.services.notifications;
  }

  @Get('api/v1/subscriptions/confirm')
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

  @Get('api/v1/unsubscribe')
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

  @Post('api/v1/unsubscribe')
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
