import type { Commit } from '@parley/eventstore';
import { oldCommit } from '@parley/testing';
import { accountSubscriberId, notificationStream } from '../shared/ids';

/** A notification as a log written before v3 holds it: its author's name copied, no author id. */
export interface OldNotification {
  notificationId: string;
  /** An account's name, or a guest's (sealed in v2, plaintext in v1), as the event copied it. */
  authorName: string;
  recipientAccountId: string;
  /** v1 also copied the recipient's name. */
  version: 1 | 2;
  recipientName?: string;
  /** A new post's notification instead of a comment's. */
  post?: boolean;
  at: string;
}

/** The commit of a `parley.notification.created.v1` or `v2` copying its author's name. */
export function oldNotificationCommit(n: OldNotification): Commit {
  const subject = n.post
    ? {
        kind: 'post',
        postId: `post-of-${n.notificationId}`,
        title: 'An old post',
        slug: 'an-old-post',
        authorName: n.authorName,
        excerpt: 'Written before v3.',
      }
    : {
        kind: 'comment',
        commentId: `comment-of-${n.notificationId}`,
        postId: `post-of-${n.notificationId}`,
        postTitle: 'An old post',
        postSlug: 'an-old-post',
        authorName: n.authorName,
        excerpt: 'Written before v3.',
        parentId: null,
      };
  const subscriberId = accountSubscriberId(n.recipientAccountId);
  return oldCommit(
    '/parley/notifications',
    notificationStream(n.notificationId),
    1,
    [
      {
        type: `parley.notification.created.v${n.version}`,
        data: {
          notificationId: n.notificationId,
          recipient: {
            subscriberId,
            accountId: n.recipientAccountId,
            ...(n.version === 1 ? { displayName: n.recipientName ?? null } : {}),
          },
          reason: n.post ? 'post' : 'reply',
          subscriptionId: null,
          subject,
          causeEventId: `cause-of-${n.notificationId}`,
          channels: ['email'],
          frequency: 'immediate',
          createdAt: n.at,
        },
      },
    ],
    n.at,
  );
}
