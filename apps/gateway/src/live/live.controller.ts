import { Controller, Get, Headers, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  type InboxResponse,
  liveCommentApprovedSchema,
  liveCommentSchema,
  liveNotificationSchema,
} from '@parley/contracts';
import { CLOCK, type Clock, ProblemException } from '@parley/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { COOKIES } from '../web/web-session';
import { z } from 'zod';
import { ApiEventStream, ApiProblems } from '../http/api-docs';
import type { AccessClaims } from '../identity/credentials';
import { IdentityService } from '../identity/identity.service';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';
import { type LiveEvent, LiveHub } from './live-hub';
import { notificationEventId, parseNotificationEventId } from './live-feed.consumer';

const streamQuery = z.object({ access_token: z.string().min(1).max(4000).optional() }).strict();

@ApiTags('Live')
@Controller('api/v1')
export class LiveController {
  constructor(
    private readonly hub: LiveHub,
    private readonly identity: IdentityService,
    @Inject(SERVICE_CLIENTS) private readonly services: ServiceClients,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('posts/:id/comments/stream')
  @ApiOperation({
    summary:
      'Server-sent events: comments of the post as they become visible (event "comment", or "comment-approved"). ' +
      'A client (an account, or a guest by address) holds a limited number of live streams at once; one more is a 429.',
  })
  @ApiProduces('text/event-stream')
  @ApiEventStream({
    comment: liveCommentSchema,
    'comment-approved': liveCommentApprovedSchema,
  })
  @ApiProblems(404)
  async comments(
    @Param('id', { schema: z.string().min(1).max(200) }) postId: string,
    @Headers('authorization') authorization: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Anyone may read; a logged-in reader's streams count against the account.
    const claims = await this.claims(request, authorization, undefined);
    this.hub.open(`post:${postId}`, reply, {
      ip: request.ip,
      accountId: claims?.accountId ?? null,
    });
  }

  @Get('notifications/stream')
  @ApiOperation({
    summary:
      'Server-sent events: the caller\'s new in-app notifications (event "notification"). Send Last-Event-ID to resume without gaps. ' +
      'Authenticate with the Authorization header, or access_token in the query (EventSource cannot send headers). ' +
      'An account holds a limited number of live streams at once; one more is a 429.',
  })
  @ApiProduces('text/event-stream')
  @ApiEventStream({ notification: liveNotificationSchema })
  @ApiProblems(401)
  async notifications(
    @Query({ schema: streamQuery }) query: z.infer<typeof streamQuery>,
    @Headers('authorization') authorization: string | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const claims = await this.claims(request, authorization, query.access_token);
    if (!claims) {
      throw new ProblemException({
        status: 401,
        code: 'unauthenticated',
        title: 'You need to be logged in to do this',
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    const backlog = await this.missed(claims, parseNotificationEventId(lastEventId));
    this.hub.open(
      `account:${claims.accountId}`,
      reply,
      { ip: request.ip, accountId: claims.accountId },
      backlog,
    );
  }

  /** The caller's access token, from the header, the query (EventSource) or the page's cookie. */
  private async claims(
    request: FastifyRequest,
    authorization: string | undefined,
    accessToken: string | undefined,
  ): Promise<AccessClaims | null> {
    const token = authorization?.startsWith('Bearer ')
      ? authorization.slice(7)
      : (accessToken ?? request.cookies[COOKIES.access]);
    return token ? await this.identity.verifyAccess(token) : null;
  }

  /** What a reconnecting client missed since its Last-Event-ID, oldest first. */
  private async missed(
    claims: AccessClaims,
    since: { createdAt: string; notificationId: string } | null,
  ): Promise<LiveEvent[]> {
    if (!since) return [];
    const inbox = await this.services.notifications.call<InboxResponse>({
      method: 'GET',
      path: '/v1/notifications',
      query: { limit: 100 },
      actor: { accountId: claims.accountId, displayName: claims.displayName, roles: claims.roles },
    });
    return inbox.body.items
      .filter(
        (n) =>
          n.createdAt > since.createdAt ||
          (n.createdAt === since.createdAt && n.id > since.notificationId),
      )
      .sort((a, b) =>
        a.createdAt === b.createdAt
          ? a.id.localeCompare(b.id)
          : a.createdAt.localeCompare(b.createdAt),
      )
      .map((n) => ({
        id: notificationEventId(n.createdAt, n.id),
        type: 'notification',
        data: { id: n.id, reason: n.reason, subject: n.subject, createdAt: n.createdAt },
      }));
  }
}
