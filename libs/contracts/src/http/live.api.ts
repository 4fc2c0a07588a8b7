import { z } from 'zod';
import { notificationReasonSchema, notificationSubjectSchema } from '../notifications.events';

/** `event: comment` on a post's stream: a comment that has just become visible. */
export const liveCommentSchema = z.object({
  commentId: z.string(),
  postId: z.string(),
  parentId: z.string().nullable(),
  depth: z.number().int().positive(),
  author: z.object({
    kind: z.enum(['account', 'guest']),
    accountId: z.string().nullable(),
    name: z.string(),
    url: z.string().nullable(),
  }),
  /** Sanitized HTML of the body. */
  html: z.string(),
  postedAt: z.string(),
});
export type LiveComment = z.infer<typeof liveCommentSchema>;

/** `event: comment-approved` on a post's stream: a held comment is now shown (fetch it). */
export const liveCommentApprovedSchema = z.object({ commentId: z.string(), postId: z.string() });
export type LiveCommentApproved = z.infer<typeof liveCommentApprovedSchema>;

/** `event: notification` on the notification stream: a new in-app notification. */
export const liveNotificationSchema = z.object({
  id: z.string(),
  reason: notificationReasonSchema,
  subject: notificationSubjectSchema,
  createdAt: z.string(),
});
export type LiveNotification = z.infer<typeof liveNotificationSchema>;
