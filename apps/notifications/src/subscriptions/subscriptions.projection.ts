import {
  type Channel,
  type Frequency,
  SUBSCRIBER_PERSONAL_FIELDS as F,
  type SubscriptionKind,
} from '@parley/contracts';
import { isLegacyPlaintext, PersonalDataCipher } from '@parley/privacy';
import {
  type Projection,
  type ProjectionContext,
  type Versioned,
  applyToOwnedDocument,
  updateEach,
} from '@parley/readmodel';
import { type SubscriptionState, subscriptionAfter, subscriptionOf } from './subscriber.decider';

export interface SubscriberEntry extends Versioned {
  kind: 'account' | 'guest';
  accountId: string | null;
  /** Guests only: accounts' addresses live in the account directory. */
  email: string | null;
  confirmed: boolean;
  pausedUntil: string | null;
  webhook: { id: string; url: string; registeredAt: string } | null;
  /**
   * The request (its time) whose confirmation mail has not gone out yet: the delivery
   * scheduler sends it again while the mail server refuses it for now.
   */
  confirmationDue: string | null;
  /** Erased at their request: no address, nothing active, nothing sent again. */
  erased?: boolean;
}

export interface SubscriptionEntry extends Versioned {
  subscriberId: string;
  accountId: string | null;
  email: string | null;
  kind: SubscriptionKind;
  targetId: string | null;
  channels: Channel[];
  frequency: Frequency;
  active: boolean;
  subscribedAt: string;
}

/** A subscription's entry as its subscriber's state holds it: what lists and exports show. */
export function subscriptionStateOf(entry: SubscriptionEntry): SubscriptionState {
  return {
    id: entry._id,
    kind: entry.kind,
    targetId: entry.targetId,
    channels: entry.channels,
    frequency: entry.frequency,
    active: entry.active,
    subscribedAt: entry.subscribedAt,
  };
}

export const SUBSCRIPTIONS = 'subscriptions';

function blankSubscriber(id: string): Omit<SubscriberEntry, '_v'> {
  const guest = id.startsWith('subscriber-guest-');
  return {
    _id: id,
    kind: guest ? 'guest' : 'account',
    accountId: guest ? null : id.slice('subscriber-'.length),
    email: null,
    confirmed: !guest,
    pausedUntil: null,
    webhook: null,
    confirmationDue: null,
  };
}

/**
 * A guest's address as the event carries it, opened with the service's own keys (the read model
 * holds plaintext): null once the subscriber is erased, in the live model and in a rebuild alike.
 */
async function openAddress(
  email: string,
  context: ProjectionContext | undefined,
): Promise<string | null> {
  if (isLegacyPlaintext(email)) return email;
  if (!context?.personKeys)
    throw new Error('The subscriptions projection opens addresses with the person keys');
  const opened = await new PersonalDataCipher(context.personKeys).open(email, F.email);
  return opened.status === 'plain' ? opened.value : null;
}

/** Who follows what, and each subscriber's confirmation, pause and webhook. */
export const subscriptionsProjection: Projection<'notifications'> = {
  name: SUBSCRIPTIONS,
  topics: ['notifications'],
  collections: {
    subscribers: [{ keys: { confirmationDue: 1 } }],
    subscriptions: [{ keys: { kind: 1, targetId: 1 } }, { keys: { subscriberId: 1 } }],
  },
  async apply(event, db, context) {
    const subscribers = db.collection<SubscriberEntry>('subscribers');
    const subscriptions = db.collection<SubscriptionEntry>('subscriptions');
    switch (event.type) {
      case 'parley.subscriber.subscribed.v2': {
        const d = event.data;
        const email =
          d.subscriber.kind === 'email' ? await openAddress(d.subscriber.email, context) : null;
        await applyToOwnedDocument<SubscriberEntry>(
          subscribers,
          d.subscriberId,
          event,
          (current) => ({
            ...(current ?? blankSubscriber(d.subscriberId)),
            ...(d.subscriber.kind === 'email' ? { email } : {}),
          }),
        );
        const { id, ...subscription } = subscriptionOf(d);
        await applyToOwnedDocument<SubscriptionEntry>(subscriptions, id, event, () => ({
          _id: id,
          subscriberId: d.subscriberId,
          accountId: d.subscriber.kind === 'account' ? d.subscriber.accountId : null,
          email,
          ...subscription,
        }));
        return;
      }
      case 'parley.subscriber.preferences-changed.v1':
      case 'parley.subscriber.unsubscribed.v1':
        await applyToOwnedDocument<SubscriptionEntry>(
          subscriptions,
          event.data.subscriptionId,
          event,
          (current) => current && subscriptionAfter(current, event),
        );
        return;
      case 'parley.subscriber.confirmation-requested.v2':
      case 'parley.subscriber.confirmation-mailed.v1':
      case 'parley.subscriber.confirmed.v1':
      case 'parley.subscriber.paused.v1':
      case 'parley.subscriber.resumed.v1':
      case 'parley.subscriber.webhook-registered.v1':
      case 'parley.subscriber.webhook-removed.v1': {
        const id = event.data.subscriberId;
        const requestedEmail =
          event.type === 'parley.subscriber.confirmation-requested.v2'
            ? await openAddress(event.data.email, context)
            : null;
        await applyToOwnedDocument<SubscriberEntry>(subscribers, id, event, (current) => {
          const base = current ?? blankSubscriber(id);
          switch (event.type) {
            case 'parley.subscriber.confirmation-requested.v2':
              // An erased address owes no confirmation mail.
              return requestedEmail === null
                ? base
                : { ...base, email: requestedEmail, confirmationDue: event.data.requestedAt };
            case 'parley.subscriber.confirmation-mailed.v1':
              return base.confirmationDue === event.data.requestedAt
                ? { ...base, confirmationDue: null }
                : base;
            case 'parley.subscriber.confirmed.v1':
              return { ...base, confirmed: true, confirmationDue: null };
            case 'parley.subscriber.paused.v1':
              return { ...base, pausedUntil: event.data.until };
            case 'parley.subscriber.resumed.v1':
              return { ...base, pausedUntil: null };
            case 'parley.subscriber.webhook-registered.v1':
              return {
                ...base,
                webhook: {
                  id: event.data.webhookId,
                  url: event.data.url,
                  registeredAt: event.data.registeredAt,
                },
              };
            case 'parley.subscriber.webhook-removed.v1':
              return base.webhook?.id === event.data.webhookId ? { ...base, webhook: null } : base;
          }
        });
        return;
      }
      case 'parley.subscriber.erased.v1': {
        const id = event.data.subscriberId;
        await applyToOwnedDocument<SubscriberEntry>(subscribers, id, event, (current) => ({
          ...(current ?? blankSubscriber(id)),
          email: null,
          confirmed: false,
          pausedUntil: null,
          webhook: null,
          confirmationDue: null,
          erased: true,
        }));
        // The subscriber's stream made each of them: after its erasure it makes no more.
        await updateEach(
          subscriptions,
          { subscriberId: id },
          { $set: { active: false, email: null } },
        );
        return;
      }
      case 'parley.notification.created.v3':
      case 'parley.notification.delivered.v1':
      case 'parley.notification.delivery-failed.v1':
      case 'parley.notification.suppressed.v1':
      case 'parley.notification.batched.v1':
      case 'parley.notification.read.v1':
        return;
    }
  },
};
