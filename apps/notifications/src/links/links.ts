import type { Frequency, SubscriptionKind } from '@parley/contracts';
import { CONFIRMATION_TTL_MS, type LinkTokens, MANAGE_TTL_MS } from './link-tokens';

/** The public URLs in mail: pages of the site, and the gateway's signed-link endpoints. */
export class Links {
  constructor(
    private readonly base: string,
    readonly tokens: LinkTokens,
  ) {}

  post(slug: string): string {
    return `${this.base}/posts/${encodeURIComponent(slug)}`;
  }

  comment(slug: string, commentId: string): string {
    return `${this.post(slug)}#comment-${encodeURIComponent(commentId)}`;
  }

  reply(slug: string, commentId: string): string {
    return `${this.post(slug)}?replyTo=${encodeURIComponent(commentId)}#respond`;
  }

  confirm(subscriberId: string, email: string, now: Date): string {
    const token = this.tokens.sign({
      purpose: 'confirm',
      subscriberId,
      email,
      expiresAt: now.getTime() + CONFIRMATION_TTL_MS,
    });
    return `${this.base}/api/v1/subscriptions/confirm?token=${token}`;
  }

  unsubscribe(
    subscriberId: string,
    subscription: { id: string; kind: SubscriptionKind; targetId: string | null },
  ): string {
    const token = this.tokens.sign({
      purpose: 'unsubscribe',
      subscriberId,
      subscriptionId: subscription.id,
      kind: subscription.kind,
      targetId: subscription.targetId,
    });
    return `${this.base}/api/v1/unsubscribe?token=${token}`;
  }

  unsubscribeDigest(subscriberId: string, frequency: Frequency): string {
    const token = this.tokens.sign({ purpose: 'unsubscribe-digest', subscriberId, frequency });
    return `${this.base}/api/v1/unsubscribe?token=${token}`;
  }

  manage(subscriberId: string, now: Date): string {
    const token = this.tokens.sign({
      purpose: 'manage',
      subscriberId,
      expiresAt: now.getTime() + MANAGE_TTL_MS,
    });
    return `${this.base}/subscriptions/manage?token=${token}`;
  }
}
