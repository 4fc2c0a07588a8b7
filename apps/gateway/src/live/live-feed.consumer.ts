import { Controller } from '@nestjs/common';
import type { EventOf } from '@parley/contracts';
import { OnEvent } from '@parley/messaging';
import { LiveHub } from './live-hub';

/** Events every gateway instance receives (a consumer group of its own), for its open streams. */
export const LIVE = Symbol('live-feeds');

/** The public view of a comment in a live event: never the guest's email. */
function publicAuthor(author: EventOf<'parley.comment.posted.v2'>['data']['author']) {
  return author.kind === 'account'
    ? { kind: 'account' as const, accountId: author.accountId, name: author.displayName, url: null }
    : { kind: 'guest' as const, accountId: null, name: author.name, url: author.url };
}

@Controller()
export class LiveFeedConsumer {
  constructor(private readonly hub: LiveHub) {}

  @OnEvent('parley.comment.posted.v2', LIVE)
  onPosted(event: EventOf<'parley.comment.posted.v2'>): void {
    if (event.data.status !== 'approved') return;
    this.hub.publish(`post:${event.data.postId}`, {
      id: event.id,
      type: 'comment',
      data: {
        commentId: event.data.commentId,
        postId: event.data.postId,
        parentId: event.data.parentId,
        depth: event.data.depth,
        author: publicAuthor(event.data.author),
        html: event.data.html,
        postedAt: event.data.postedAt,
      },
    });
  }

  @OnEvent('parley.comment.approved.v1', LIVE)
  onApproved(event: EventOf<'parley.comment.approved.v1'>): void {
    this.hub.publish(`post:${event.data.postId}`, {
      id: event.id,
      type: 'comment-approved',
      data: { commentId: event.data.commentId, postId: event.data.postId },
    });
  }

  @OnEvent('parley.notification.created.v1', LIVE)
  onNotification(event: EventOf<'parley.notification.created.v1'>): void {
    const accountId = event.data.recipient.accountId;
    if (!accountId || !event.data.channels.includes('in-app')) return;
    this.hub.publish(`account:${accountId}`, {
      id: notificationEventId(event.data.createdAt, event.data.notificationId),
      type: 'notification',
      data: {
        id: event.data.notificationId,
        reason: event.data.reason,
        subject: event.data.subject,
        createdAt: event.data.createdAt,
      },
    });
  }
}

/** Orderable ids for notification events, so Last-Event-ID says when a client stopped. */
export function notificationEventId(createdAt: string, notificationId: string): string {
  return `${createdAt}_${notificationId}`;
}

export function parseNotificationEventId(
  id: string | undefined,
): { createdAt: string; notificationId: string } | null {
  if (!id) return null;
  const at = id.indexOf('_');
  if (at <= 0) return null;
  const createdAt = id.slice(0, at);
  return Number.isNaN(Date.parse(createdAt))
    ? null
    : { createdAt, notificationId: id.slice(at + 1) };
}
