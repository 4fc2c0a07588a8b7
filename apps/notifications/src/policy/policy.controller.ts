import { Controller } from '@nestjs/common';
import type { EventOf } from '@parley/contracts';
import { OnEvent } from '@parley/messaging';
import { PolicyService } from './policy.service';

/** The comments and posts consumer group: decides who is notified, never sends anything. */
export const POLICY = Symbol('notifications-policy');

@Controller()
export class PolicyController {
  constructor(private readonly policy: PolicyService) {}

  @OnEvent('parley.comment.posted.v3', POLICY)
  async onPosted(event: EventOf<'parley.comment.posted.v3'>): Promise<void> {
    await this.policy.onCommentPosted(event);
  }

  @OnEvent('parley.comment.approved.v1', POLICY)
  async onApproved(event: EventOf<'parley.comment.approved.v1'>): Promise<void> {
    await this.policy.onCommentApproved(event.data.commentId, event.id);
  }

  @OnEvent('parley.comment.restored.v1', POLICY)
  async onRestored(event: EventOf<'parley.comment.restored.v1'>): Promise<void> {
    if (event.data.status === 'approved')
      await this.policy.onCommentApproved(event.data.commentId, event.id);
  }

  @OnEvent('parley.post.published.v2', POLICY)
  async onPublished(event: EventOf<'parley.post.published.v2'>): Promise<void> {
    await this.policy.onPostPublished(event);
  }
}
