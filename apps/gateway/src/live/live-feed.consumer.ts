import { Controller, Inject } from '@nestjs/common';
import { COMMENT_PERSONAL_FIELDS as F, ERASED_PERSON_NAME, type EventOf } from '@parley/contracts';
import { OnEvent } from '@parley/messaging';
import { PERSONAL_DATA_OPENER, type PersonalDataOpener, showSubjects } from '@parley/platform';
import { LiveAccountNames } from './account-names';
import { LiveHub } from './live-hub';

/** Events every gateway instance receives (a consumer group of its own), for its open streams. */
export const LIVE = Symbol('live-feeds');

@Controller()
export class LiveFeedConsumer {
  constructor(
    private readonly hub: LiveHub,
    @Inject(PERSONAL_DATA_OPENER) private readonly personalData: PersonalDataOpener,
    private readonly accountNames: LiveAccountNames,
  ) {}

  /** The public view of a comment's author: a guest's name and website opened by comments, never the email. */
  private async publicAuthor(author: EventOf<'parley.comment.posted.v3'>['data']['author']) {
    if (author.kind === 'account')
      return {
        kind: 'account' as const,
        accountId: author.accountId,
        name: author.displayName ?? (await this.accountNames.nameOf(author.accountId)),
        url: null,
      };
    const [name, url] = await this.personalData.open([
      { field: F.authorName, value: author.name },
      ...(author.url === null ? [] : [{ field: F.authorUrl, value: author.url }]),
    ]);
    const shown = name?.status === 'plain';
    return {
      kind: 'guest' as const,
      accountId: null,
      name: shown ? name.value : ERASED_PERSON_NAME,
      url: shown && url?.status === 'plain' ? url.value : null,
    };
  }

  @OnEvent('parley.comment.posted.v3', LIVE)
  async onPosted(event: EventOf<'parley.comment.posted.v3'>): Promise<void> {
    if (event.data.status !== 'approved') return;
    const author = await this.publicAuthor(event.data.author);
    this.hub.publish(`post:${event.data.postId}`, {
      id: event.id,
      type: 'comment',
      data: {
        commentId: event.data.commentId,
        postId: event.data.postId,
        parentId: event.data.parentId,
        depth: event.data.depth,
        author,
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

  @OnEvent('parley.notification.created.v3', LIVE)
  async onNotification(event: EventOf<'parley.notification.created.v3'>): Promise<void> {
    const accountId = event.data.recipient.accountId;
    if (!accountId || !event.data.channels.includes('in-app')) return;
    const [subject] = await showSubjects([event.data.subject], {
      opener: this.personalData,
      accountNames: this.accountNames.lookup,
    });
    if (!subject) return;
    this.hub.publish(`account:${accountId}`, {
      id: notificationEventId(event.data.createdAt, event.data.notificationId),
      type: 'notification',
      data: {
        id: event.data.notificationId,
        reason: event.data.reason,
        subject,
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
