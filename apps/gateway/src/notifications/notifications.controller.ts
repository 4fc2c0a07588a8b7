import { Controller, Headers, Query, Res } from '@nestjs/common';
import { ApiProduces } from '@nestjs/swagger';
import { NOTIFICATION_ROUTES, tokenQuerySchema } from '@parley/contracts';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { TableRoute, routedController } from '../proxy/routed-controller';
import { passThrough } from '../proxy/service-client';

/**
 * The notifications routes: the table's, and the links of the mails, which answer a browser
 * otherwise than a program (a redirect, or the service's own HTML page).
 */
@Controller()
export class NotificationsController extends routedController(NOTIFICATION_ROUTES, {
  written: ['confirm', 'unsubscribePage', 'oneClick'],
}) {
  private get notifications() {
    return this.services.notifications;
  }

  @TableRoute(NOTIFICATION_ROUTES.routes.confirm)
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

  @TableRoute(NOTIFICATION_ROUTES.routes.unsubscribePage)
  @ApiProduces('application/json', 'text/html')
  async unsubscribePage(
    @Query({ schema: tokenQuerySchema }) query: z.output<typeof tokenQuerySchema>,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.raw(reply, 'GET', query.token, accept);
  }

  @TableRoute(NOTIFICATION_ROUTES.routes.oneClick)
  @ApiProduces('application/json', 'text/html')
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
