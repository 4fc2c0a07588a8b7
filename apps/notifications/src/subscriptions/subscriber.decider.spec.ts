import type { Channel, Frequency } from '@parley/contracts';
import { deciderSpec } from '@parley/testing';
import { subscriptionIdOf } from '../shared/ids';
import {
  CONFIRMATION_COOLDOWN_MS,
  CONFIRMATION_DAILY_LIMIT,
  type SubscriberCommand,
  type SubscriberEvent,
  type Who,
  consentedBefore,
  subscriberDecider,
} from './subscriber.decider';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const at = NOW.toISOString();
const spec = deciderSpec(subscriberDecider, () => NOW);

const guest: Who = {
  subscriberId: 'subscriber-guest-abc',
  ref: { kind: 'email', email: 'gus@example.com' },
};
/** The guest's address as the use case seals it with the guest's key (the decider never opens it). */
const SEALED_GUS = 'pd1.key-gus.AAAAAAAAAAAAAAAA.Z3Vz.AAAAAAAAAAAAAAAAAAAAAA';
const amy: Who = { subscriberId: 'subscriber-amy', ref: { kind: 'account', accountId: 'amy' } };
const postSub = subscriptionIdOf(guest.subscriberId, 'post', 'p1');
const guestBlog = subscriptionIdOf(guest.subscriberId, 'blog', null);
const amyReplies = subscriptionIdOf(amy.subscriberId, 'replies', null);
const amyPost = subscriptionIdOf(amy.subscriberId, 'post', 'p1');
const amyBlog = subscriptionIdOf(amy.subscriberId, 'blog', null);
const blogWide = { kind: 'blog', targetId: null } as const;
const repliesToAmy = { kind: 'replies', targetId: null } as const;

function subscribed(
  who: Who,
  subscriptionId: string,
  overrides: Partial<
    Extract<SubscriberEvent, { type: 'parley.subscriber.subscribed.v2' }>['data']
  > = {},
): SubscriberEvent {
  return {
    type: 'parley.subscriber.subscribed.v2',
    data: {
      subscriberId: who.subscriberId,
      subscriptionId,
      subscriber: who.ref.kind === 'email' ? { kind: 'email', email: SEALED_GUS } : who.ref,
      kind: 'post',
      targetId: 'p1',
      channels: who.ref.kind === 'account' ? ['email', 'in-app'] : ['email'],
      frequency: 'immediate',
      subscribedAt: at,
      ...overrides,
    },
  };
}

const requested = (requestedAt = at): SubscriberEvent => ({
  type: 'parley.subscriber.confirmation-requested.v2',
  data: { subscriberId: guest.subscriberId, email: SEALED_GUS, requestedAt },
});

const confirmed = (confirmedAt = at): SubscriberEvent => ({
  type: 'parley.subscriber.confirmed.v1',
  data: { subscriberId: guest.subscriberId, confirmedAt },
});

function unsubscribed(
  who: Who,
  subscriptionId: string,
  via: 'one-click' | 'manage' | 'api',
): SubscriberEvent {
  return {
    type: 'parley.subscriber.unsubscribed.v1',
    data: { subscriberId: who.subscriberId, subscriptionId, via, unsubscribedAt: at },
  };
}

const amyChangedPreferences = (
  subscriptionId: string,
  channels: Channel[],
  frequency: Frequency,
): SubscriberEvent => ({
  type: 'parley.subscriber.preferences-changed.v1',
  data: { subscriberId: amy.subscriberId, subscriptionId, channels, frequency, changedAt: at },
});

const amyRegisteredWebhook = (
  webhookId: string,
  url: string,
  useForSubscriptions: boolean,
): SubscriberEvent => ({
  type: 'parley.subscriber.webhook-registered.v1',
  data: { subscriberId: amy.subscriberId, webhookId, url, registeredAt: at, useForSubscriptions },
});

const secretIssued = (webhookId: string, secret: string): SubscriberEvent => ({
  type: 'parley.webhook-secret.issued.v1',
  data: { webhookId, secret, issuedAt: at },
});

type Subscribe = Extract<SubscriberCommand, { type: 'Subscribe' }>;

/** The guest, with their sealed address, follows post p1 unless told otherwise. */
const guestSubscribes = (overrides: Partial<Subscribe> = {}): Subscribe => ({
  type: 'Subscribe',
  who: guest,
  sealedEmail: SEALED_GUS,
  subscriptionId: postSub,
  kind: 'post',
  targetId: 'p1',
  ...overrides,
});

describe('the subscriber', () => {
  describe('the address of a guest in events', () => {
    const subscribe = {
      type: 'Subscribe' as const,
      who: guest,
      subscriptionId: postSub,
      kind: 'post' as const,
      targetId: 'p1',
    };

    it('travels only sealed, in the subscription and in the confirmation request', () => {
      const events = subscriberDecider.decide(
        { ...subscribe, sealedEmail: SEALED_GUS },
        subscriberDecider.initialState,
        NOW,
      );
      expect(events).toEqual([subscribed(guest, postSub), requested()]);
      expect(JSON.stringify(events)).not.toContain('gus@example.com');
    });

    it('is never written in plaintext: a guest without the sealed address is refused', () => {
      expect(() =>
        subscriberDecider.decide(subscribe, subscriberDecider.initialState, NOW),
      ).toThrow(/sealed/);
    });
  });

  describe('double opt-in for guests', () => {
    it('asks an unconfirmed address to confirm when it subscribes', () => {
      spec
        .given([])
        .when(guestSubscribes())
        .then([subscribed(guest, postSub), requested()]);
    });

    it('sends no second confirmation within the cool-down', () => {
      const earlier = new Date(NOW.getTime() - CONFIRMATION_COOLDOWN_MS + 1000).toISOString();
      spec
        .given([subscribed(guest, postSub), requested(earlier)])
        .when(guestSubscribes({ subscriptionId: guestBlog, ...blogWide }))
        .then([subscribed(guest, guestBlog, blogWide)]);
    });

    it('asks again once the cool-down is over', () => {
      const earlier = new Date(NOW.getTime() - CONFIRMATION_COOLDOWN_MS - 1000).toISOString();
      spec
        .given([subscribed(guest, postSub), requested(earlier)])
        .when(guestSubscribes())
        .then([requested()]);
    });

    it('asks an address no more than a few times a day, however far apart', () => {
      const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
      const earlier = Array.from({ length: CONFIRMATION_DAILY_LIMIT }, (_, i) =>
        requested(hoursAgo(20 - 6 * i)),
      );
      const again = guestSubscribes();
      spec
        .given([subscribed(guest, postSub), ...earlier])
        .when(again)
        .then([]);
      // Once the first of them is a day old, one more may go.
      spec
        .given([subscribed(guest, postSub), requested(hoursAgo(25)), ...earlier.slice(1)])
        .when(again)
        .then([requested()]);
    });

    it('never asks a confirmed address or an account', () => {
      spec
        .given([subscribed(guest, postSub), requested(), confirmed()])
        .when(guestSubscribes({ subscriptionId: guestBlog, ...blogWide }))
        .then([subscribed(guest, guestBlog, blogWide)]);
      spec
        .given([])
        .when({
          type: 'Subscribe',
          who: amy,
          subscriptionId: amyPost,
          kind: 'post',
          targetId: 'p1',
        })
        .then([subscribed(amy, amyPost)]);
    });

    it('confirms once', () => {
      spec
        .given([subscribed(guest, postSub), requested()])
        .when({ type: 'Confirm', who: guest })
        .then([confirmed()]);
      spec
        .given([subscribed(guest, postSub), requested(), confirmed()])
        .when({ type: 'Confirm', who: guest })
        .then([]);
    });

    it('mails a guest only what was made after the address confirmed, however late its delivery runs', () => {
      const state = (events: SubscriberEvent[]) =>
        events.reduce(subscriberDecider.evolve, subscriberDecider.initialState);
      const confirmedAtFive = confirmed('2026-11-24T12:05:00.000Z');
      const before = '2026-11-24T12:04:59.999Z';
      const after = '2026-11-24T12:05:00.001Z';
      expect(consentedBefore(state([subscribed(guest, postSub), requested()]), after)).toBe(false);
      const answered = state([subscribed(guest, postSub), requested(), confirmedAtFive]);
      expect(consentedBefore(answered, before)).toBe(false);
      expect(consentedBefore(answered, after)).toBe(true);
    });

    it('offers guests email only', () => {
      spec
        .given([])
        .when(guestSubscribes({ channels: ['in-app'] }))
        .thenError('ChannelNotAvailable');
    });
  });

  describe('erasure', () => {
    const erased: SubscriberEvent = {
      type: 'parley.subscriber.erased.v1',
      data: { subscriberId: guest.subscriberId, erasedAt: at },
    };

    it('ends every subscription, once', () => {
      spec
        .given([subscribed(guest, postSub), confirmed()])
        .when({ type: 'Erase', who: guest })
        .then([erased]);
      spec
        .given([subscribed(guest, postSub), confirmed(), erased])
        .when({ type: 'Erase', who: guest })
        .then([]);
    });

    it('forgets the address and its consent, so no mail can go out to it', () => {
      const state = [subscribed(guest, postSub), confirmed(), erased].reduce(
        subscriberDecider.evolve,
        subscriberDecider.initialState,
      );
      expect(state.subscriptions[postSub]?.active).toBe(false);
      expect(state.ref).toBeNull();
      expect(consentedBefore(state, at)).toBe(false);
      expect(state.erased).toBe(true);
    });

    it('never subscribes the address again, nor asks it to confirm', () => {
      spec
        .given([subscribed(guest, postSub), erased])
        .when(guestSubscribes({ viaCommentId: 'c9' }))
        .then([]);
      spec.given([erased]).when({ type: 'Confirm', who: guest }).then([]);
    });
  });

  describe('subscribing from a comment', () => {
    it('applies a comment\'s "notify me" choice once, even after an unsubscribe', () => {
      const via = subscribed(guest, postSub, { viaCommentId: 'c1:post' });
      spec
        .given([via, requested(), unsubscribed(guest, postSub, 'one-click')])
        .when(guestSubscribes({ viaCommentId: 'c1:post' }))
        .then([]);
    });
  });

  describe('implicit subscriptions of accounts', () => {
    it('materializes the replies subscription when an account first turns it off', () => {
      spec
        .given([])
        .when({
          type: 'Unsubscribe',
          who: amy,
          subscriptionId: amyReplies,
          via: 'one-click',
          implicit: repliesToAmy,
        })
        .then([
          subscribed(amy, amyReplies, repliesToAmy),
          unsubscribed(amy, amyReplies, 'one-click'),
        ]);
    });

    it('unsubscribes once and refuses an unknown subscription', () => {
      const sub = subscribed(amy, amyReplies, repliesToAmy);
      spec
        .given([sub, unsubscribed(amy, amyReplies, 'api')])
        .when({ type: 'Unsubscribe', who: amy, subscriptionId: amyReplies, via: 'api' })
        .then([]);
      spec
        .given([])
        .when({ type: 'Unsubscribe', who: amy, subscriptionId: 'sub-nope', via: 'api' })
        .thenError('SubscriptionNotFound');
    });

    it('changes preferences, and decides nothing when they are the same', () => {
      const sub = subscribed(amy, amyReplies, repliesToAmy);
      const change = { type: 'ChangePreferences', who: amy, subscriptionId: amyReplies } as const;
      spec
        .given([sub])
        .when({ ...change, frequency: 'daily' })
        .then([amyChangedPreferences(amyReplies, ['email', 'in-app'], 'daily')]);
      spec
        .given([sub])
        .when({ ...change, channels: ['in-app', 'email'] })
        .then([]);
    });
  });

  describe('pause, digests and webhooks', () => {
    it('pauses for N days and resumes once', () => {
      spec
        .given([])
        .when({ type: 'Pause', who: amy, days: 3 })
        .then([
          {
            type: 'parley.subscriber.paused.v1',
            data: {
              subscriberId: amy.subscriberId,
              until: '2026-11-27T12:00:00.000Z',
              pausedAt: at,
            },
          },
        ]);
      spec.given([]).when({ type: 'Resume', who: amy }).then([]);
    });

    it("one-click on a digest stops every subscription of the digest's frequency", () => {
      const daily = subscribed(guest, postSub, { frequency: 'daily' });
      const immediate = subscribed(guest, guestBlog, blogWide);
      spec
        .given([daily, immediate])
        .when({ type: 'UnsubscribeDigest', who: guest, frequency: 'daily', via: 'one-click' })
        .then([unsubscribed(guest, postSub, 'one-click')]);
    });

    it('keeps one webhook per account: registering replaces it, with a new secret kept private', () => {
      const registered: SubscriberEvent[] = [
        {
          type: 'parley.subscriber.webhook-registered.v1',
          data: {
            subscriberId: amy.subscriberId,
            webhookId: 'wh-1',
            url: 'https://a.example/hook',
            registeredAt: at,
          },
        },
        secretIssued('wh-1', 's'.repeat(40)),
      ];
      spec
        .given(registered)
        .when({
          type: 'RegisterWebhook',
          who: amy,
          webhookId: 'wh-2',
          url: 'https://b.example/hook',
          secret: 't'.repeat(40),
          useForSubscriptions: false,
          implicit: [],
        })
        .then([
          {
            type: 'parley.subscriber.webhook-removed.v1',
            data: { subscriberId: amy.subscriberId, webhookId: 'wh-1', removedAt: at },
          },
          amyRegisteredWebhook('wh-2', 'https://b.example/hook', false),
          secretIssued('wh-2', 't'.repeat(40)),
        ]);
      spec
        .given([])
        .when({
          type: 'RegisterWebhook',
          who: guest,
          webhookId: 'wh-3',
          url: 'https://c.example',
          secret: 'x'.repeat(40),
          useForSubscriptions: true,
          implicit: [],
        })
        .thenError('WebhookNeedsAccount');
    });

    const registerForSubscriptions = {
      type: 'RegisterWebhook' as const,
      who: amy,
      webhookId: 'wh-1',
      url: 'https://a.example/hook',
      secret: 's'.repeat(40),
      useForSubscriptions: true,
      implicit: [{ subscriptionId: amyReplies, ...repliesToAmy }],
    };

    it('adds the webhook channel to every active subscription, the implicit replies one included, when asked', () => {
      spec
        .given([
          subscribed(amy, amyPost, { channels: ['in-app'], frequency: 'daily' }),
          subscribed(amy, amyBlog, blogWide),
          unsubscribed(amy, amyBlog, 'api'),
        ])
        .when(registerForSubscriptions)
        .then([
          amyRegisteredWebhook('wh-1', 'https://a.example/hook', true),
          secretIssued('wh-1', 's'.repeat(40)),
          amyChangedPreferences(amyPost, ['in-app', 'webhook'], 'daily'),
          subscribed(amy, amyReplies, {
            ...repliesToAmy,
            channels: ['email', 'in-app', 'webhook'],
          }),
        ]);
    });

    it('leaves an implicit subscription the account turned off as it is', () => {
      spec
        .given([subscribed(amy, amyReplies, repliesToAmy), unsubscribed(amy, amyReplies, 'api')])
        .when(registerForSubscriptions)
        .then([
          expect.objectContaining({ type: 'parley.subscriber.webhook-registered.v1' }),
          expect.objectContaining({ type: 'parley.webhook-secret.issued.v1' }),
        ]);
    });

    it('offers the webhook to new subscriptions only when it was registered for them', () => {
      const registered = (useForSubscriptions: boolean) =>
        amyRegisteredWebhook('wh-1', 'https://a.example/hook', useForSubscriptions);
      const follow = {
        type: 'Subscribe' as const,
        who: amy,
        subscriptionId: amyPost,
        kind: 'post' as const,
        targetId: 'p1',
      };
      spec
        .given([registered(true)])
        .when(follow)
        .then([subscribed(amy, amyPost, { channels: ['email', 'in-app', 'webhook'] })]);
      spec
        .given([registered(false)])
        .when(follow)
        .then([subscribed(amy, amyPost)]);
      spec
        .given([registered(true)])
        .when({ ...follow, channels: ['email'] })
        .then([subscribed(amy, amyPost, { channels: ['email'] })]);
    });
  });
});
