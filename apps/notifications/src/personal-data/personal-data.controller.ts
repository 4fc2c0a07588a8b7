import { Controller, Get, Inject, Query } from '@nestjs/common';
import {
  type Actor,
  type NotificationsPersonalData,
  type PersonalDataQuery,
  canOnOwn,
  personalDataQuerySchema,
} from '@parley/contracts';
import { CurrentActor, READ_MODELS, requireActor, requireCapability } from '@parley/platform';
import type { LiveReadModels } from '@parley/readmodel';
import { EXPLANATION } from '../inbox/inbox.service';
import { INBOX, type NotificationEntry } from '../inbox/inbox.projection';
import { accountSubscriberId, guestSubscriberId } from '../shared/ids';
import {
  SUBSCRIPTIONS,
  type SubscriberEntry,
  type SubscriptionEntry,
} from '../subscriptions/subscriptions.projection';

/**
 * One subscriber's subscriptions, notifications and deliveries, for the export of a person's
 * data: an account asks for its own, an admin (or the gateway on a guest's signed link) for
 * anyone's. Internal: the gateway never forwards this route.
 */
@Controller('v1/personal-data')
export class NotificationsPersonalDataController {
  constructor(@Inject(READ_MODELS) private readonly readModels: LiveReadModels) {}

  @Get()
  async personalData(
    @CurrentActor() actor: Actor | null,
    @Query({ schema: personalDataQuerySchema }) query: PersonalDataQuery,
  ): Promise<NotificationsPersonalData> {
    if (
      query.accountId === undefined ||
      !canOnOwn(requireActor(actor), query.accountId, 'administer')
    )
      requireCapability(actor, 'administer');
    const subscriberId =
      query.accountId !== undefined
        ? accountSubscriberId(query.accountId)
        : guestSubscriberId(query.email ?? '');
    const subscriptions = this.readModels.db(SUBSCRIPTIONS);
    const [subscriber, followed, notified] = await Promise.all([
      subscriptions.collection<SubscriberEntry>('subscribers').findOne({ _id: subscriberId }),
      subscriptions
        .collection<SubscriptionEntry>('subscriptions')
        .find({ subscriberId }, { sort: { _id: 1 } }),
      this.readModels
        .db(INBOX)
        .collection<NotificationEntry>('notifications')
        .find({ subscriberId }, { sort: { createdAt: -1, _id: -1 } }),
    ]);
    return {
      subscriber: subscriber
        ? {
            id: subscriber._id,
            kind: subscriber.kind,
            email: subscriber.email,
            confirmed: subscriber.confirmed,
            pausedUntil: subscriber.pausedUntil,
            webhook: subscriber.webhook
              ? { url: subscriber.webhook.url, registeredAt: subscriber.webhook.registeredAt }
              : null,
          }
        : null,
      subscriptions: followed.map((s) => ({
        id: s._id,
        kind: s.kind,
        targetId: s.targetId,
        channels: s.channels,
        frequency: s.frequency,
        active: s.active,
        subscribedAt: s.subscribedAt,
      })),
      notifications: notified.map((n) => ({
        id: n._id,
        reason: n.reason,
        explanation: EXPLANATION[n.reason],
        subscriptionId: n.subscriptionId,
        subject:
          n.subject.kind === 'comment'
            ? {
                kind: 'comment',
                postId: n.subject.postId,
                postTitle: n.subject.postTitle,
                postSlug: n.subject.postSlug,
                commentId: n.subject.commentId,
              }
            : {
                kind: 'post',
                postId: n.subject.postId,
                postTitle: n.subject.title,
                postSlug: n.subject.slug,
                commentId: null,
              },
        createdAt: n.createdAt,
        readAt: n.readAt,
        deliveries: n.ledger,
      })),
    };
  }
}
