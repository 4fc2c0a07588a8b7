import { Controller, Get, Inject, Query } from '@nestjs/common';
import {
  type Actor,
  type ChannelLedger,
  type NotificationsPersonalData,
  type PersonalDataQuery,
  personalDataQuerySchema,
} from '@parley/contracts';
import { CurrentActor, READ_MODELS, requirePersonalDataReader } from '@parley/platform';
import type { LiveReadModels } from '@parley/readmodel';
import { EXPLANATION, InboxService } from '../inbox/inbox.service';
import { INBOX, type NotificationEntry } from '../inbox/inbox.projection';
import {
  SUBSCRIPTIONS,
  type SubscriberEntry,
  type SubscriptionEntry,
  subscriptionStateOf,
} from '../subscriptions/subscriptions.projection';
import type { Who } from '../subscriptions/subscriber.decider';
import { personWho } from '../subscriptions/subscriptions.service';

/**
 * One subscriber's subscriptions, notifications and deliveries, for the export of a person's
 * data: an account asks for its own, an admin (or the gateway on a guest's signed link) for
 * anyone's. Internal: the gateway never forwards this route.
 */
@Controller('v1/personal-data')
export class NotificationsPersonalDataController {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: LiveReadModels,
    private readonly inbox: InboxService,
  ) {}

  @Get()
  async personalData(
    @CurrentActor() actor: Actor | null,
    @Query({ schema: personalDataQuerySchema }) query: PersonalDataQuery,
  ): Promise<NotificationsPersonalData> {
    requirePersonalDataReader(actor, query);
    const who = personWho(query);
    const { subscriberId } = who;
    const subscriptions = this.readModels.db(SUBSCRIPTIONS);
    const [subscriber, followed, notified] = await Promise.all([
      subscriptions.collection<SubscriberEntry>('subscribers').findOne({ _id: subscriberId }),
      subscriptions.collection<SubscriptionEntry>('subscriptions').find({ subscriberId }),
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
      subscriptions: followed
        .sort((a, b) => a.subscribedAt.localeCompare(b.subscribedAt) || a._id.localeCompare(b._id))
        .map(subscriptionStateOf),
      notifications: await Promise.all(
        notified.map(async (n) => ({
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
          deliveries: await this.ledgerOf(who, n),
        })),
      ),
    };
  }

  /**
   * The ledger of a notification's deliveries as its own stream has it, as "why was I notified?"
   * shows it: the read model does not see the attempts started (they stay in the store).
   */
  private async ledgerOf(who: Who, entry: NotificationEntry): Promise<ChannelLedger[]> {
    const why = await this.inbox.ledger(who, entry._id);
    return why.ok ? why.value.channels : entry.ledger;
  }
}
