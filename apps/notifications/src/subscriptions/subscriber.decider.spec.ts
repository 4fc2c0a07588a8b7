import { deciderSpec } from '@parley/testing';
import { subscriptionIdOf } from '../shared/ids';
import {
  CONFIRMATION_COOLDOWN_MS,
  CONFIRMATION_DAILY_LIMIT,
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
const amyReplies = subscriptionIdOf(amy.subscriberId, 'replies', null);

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
        .when({
          type: 'Subscribe',
          who: guest,
          sealedEmail: SEALED_GUS,
          subscriptionId: postSub,
          kind: 'post',
          targetId: 'p1',
        })
        .then([subscribed(guest, postSub), requested()]);
    });

    it('sends no second confirmation within the cool-down', () => {
      const earlier = new Date(NOW.getTime() - CONFIRMATION_COOLDOWN_MS + 1000).toISOString();
      spec
        .given([subscribed(guest, postSub), requested(earlier)])
        .when({
          type: 'Subscribe',
          who: guest,
          sealedEmail: SEALED_GUS,
          subscriptionId: subscriptionIdOf(guest.subscriberId, 'blog', null),
          kind: 'blog',
          targetId: null,
        })
        .then([
          subscribed(guest, subscriptionIdOf(guest.subscriberId, 'blog', null), {
            kind: 'blog',
            targetId: null,
          }),
        ]);
    });

    it('asks again once the cool-down is over', () => {
      const earlier = new Date(NOW.getTime() - CONFIRMATION_COOLDOWN_MS - 1000).toISOString();
      spec
        .given([subscribed(guest, postSub), requested(earlier)])
        .when({
          type: 'Subscribe',
          who: guest,
          sealedEmail: SEALED_GUS,
          subscriptionId: postSub,
          kind: 'post',
          targetId: 'p1',
        })
        .then([requested()]);
    });

    it('asks an address no more than a few times a day, however far apart', () => {
      const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
      const earlier = Array.from({ length: CONFIRMATION_DAILY_LIMIT }, (_, i) =>
        requested(hoursAgo(20 - 6 * i)),
      );
      const again = {
        type: 'Subscribe',
        who: guest,
        sealedEmail: SEALED_GUS,
        subscriptionId: postSub,
        kind: 'post',
        targetId: 'p1',
      } as const;
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
        .given([
          subscribed(guest, postSub),
          requested(),
          {
            type: 'parley.subscriber.confirmed.v1',
            data: { subscriberId: guest.subscriberId, confirmedAt: at },
          },
        ])
        .when({
          type: 'Subscribe',
          who: guest,
          sealedEmail: SEALED_GUS,
          subscriptionId: subscriptionIdOf(guest.subscriberId, 'blog', null),
          kind: 'blog',
          targetId: null,
        })
        .then([
          subscribed(guest, subscriptionIdOf(guest.subscriberId, 'blog', null), {
            kind: 'blog',
            targetId: null,
          }),
        ]);
      const amyPost = subscriptionIdOf(amy.subscriberId, 'post', 'p1');
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
      const confirmed: SubscriberEvent = {
        type: 'parley.subscriber.confirmed.v1',
        data: { subscriberId: guest.subscriberId, confirmedAt: at },
      };
      spec
        .given([subscribed(guest, postSub), requested()])
        .when({ type: 'Confirm', who: guest })
        .then([confirmed]);
      spec
        .given([subscribed(guest, postSub), requested(), confirmed])
        .when({ type: 'Confirm', who: guest })
        .then([]);
    });

    it('mails a guest only what was made after the address confirmed, however late its delivery runs', () => {
      const state = (events: SubscriberEvent[]) =>
        events.reduce(subscriberDecider.evolve, subscriberDecider.initialState);
      const confirmed: SubscriberEvent = {
        type: 'parley.subscriber.confirmed.v1',
        data: { subscriberId: guest.subscriberId, confirmedAt: '2026-11-24T12:05:00.000Z' },
      };
      const before = '2026-11-24T12:04:59.999Z';
      const after = '2026-11-24T12:05:00.001Z';
      expect(consentedBefore(state([subscribed(guest, postSub), requested()]), after)).toBe(false);
      const answered = state([subscribed(guest, postSub), requested(), confirmed]);
      expect(consentedBefore(answered, before)).toBe(false);
      expect(consentedBefore(answered, after)).toBe(true);
    });

    it('offers guests email only', () => {
      spec
        .given([])
        .when({
          type: 'Subscribe',
          who: guest,
          sealedEmail: SEALED_GUS,
          subscriptionId: postSub,
          kind: 'post',
          targetId: 'p1',
          channels: ['in-app'],
        })
        .thenError('ChannelNotAvailable');
    });
  });

  describe('erasure', () => {
    const confirmed: SubscriberEvent = {
      type: 'parley.subscriber.confirmed.v1',
      data: { subscriberId: guest.subscriberId, confirmedAt: at },
    };
    const erased: SubscriberEvent = {
      type: 'parley.subscriber.erased.v1',
      data: { subscriberId: guest.subscriberId, erasedAt: at },
    };

    it('ends every subscription, once', () => {
      spec
        .given([subscribed(guest, postSub), confirmed])
        .when({ type: 'Erase', who: guest })
        .then([erased]);
      spec
        .given([subscribed(guest, postSub), confirmed, erased])
        .when({ type: 'Erase', who: guest })
        .then([]);
    });

    it('forgets the address and its consent, so no mail can go out to it', () => {
      const state = [subscribed(guest, postSub), confirmed, erased].reduce(
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
        .when({
          type: 'Subscribe',
          who: guest,
          sealedEmail: SEALED_GUS,
          subscriptionId: postSub,
          kind: 'post',
          targetId: 'p1',
          viaCommentId: 'c9',
        })
        .then([]);
      spec.given([erased]).when({ type: 'Confirm', who: guest }).then([]);
    });
  });

  describe('subscribing from a comment', () => {
    it('applies a comment\'s "notify me" choice once, even after an unsubscribe', () => {
      const via = subscribed(guest, postSub, { viaCommentId: 'c1:post' });
      const unsubscribed: SubscriberEvent = {
        type: 'parley.subscriber.unsubscribed.v1',
        data: {
          subscriberId: guest.subscriberId,
          subscriptionId: postSub,
          via: 'one-click',
          unsubscribedAt: at,
        },
      };
      spec
        .given([via, requested(), unsubscribed])
        .when({
          type: 'Subscribe',
          who: guest,
          sealedEmail: SEALED_GUS,
          subscriptionId: postSub,
          kind: 'post',
          targetId: 'p1',
          viaCommentId: 'c1:post',
        })
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
          implicit: { kind: 'replies', targetId: null },
        })
        .then([
          subscribed(amy, amyReplies, { kind: 'replies', targetId: null }),
          {
            type: 'parley.subscriber.unsubscribed.v1',
            data: {
              subscriberId: amy.subscriberId,
              subscriptionId: amyReplies,
              via: 'one-click',
              unsubscribedAt: at,
            },
          },
        ]);
    });

    it('unsubscribes once and refuses an unknown subscription', () => {
      const sub = subscribed(amy, amyReplies, { kind: 'replies', targetId: null });
      const off: SubscriberEvent = {
        type: 'parley.subscriber.unsubscribed.v1',
        data: {
          subscriberId: amy.subscriberId,
          subscriptionId: amyReplies,
          via: 'api',
          unsubscribedAt: at,
        },
      };
      spec
        .given([sub, off])
        .when({ type: 'Unsubscribe', who: amy, subscriptionId: amyReplies, via: 'api' })
        .then([]);
      spec
        .given([])
        .when({ type: 'Unsubscribe', who: amy, subscriptionId: 'sub-nope', via: 'api' })
        .thenError('SubscriptionNotFound');
    });

    it('changes preferences, and decides nothing when they are the same', () => {
      const sub = subscribed(amy, amyReplies, { kind: 'replies', targetId: null });
      spec
        .given([sub])
        .when({
          type: 'ChangePreferences',
          who: amy,
          subscriptionId: amyReplies,
          frequency: 'daily',
        })
        .then([
          {
            type: 'parley.subscriber.preferences-changed.v1',
            data: {
              subscriberId: amy.subscriberId,
              subscriptionId: amyReplies,
              channels: ['email', 'in-app'],
              frequency: 'daily',
              changedAt: at,
            },
          },
        ]);
      spec
        .given([sub])
        .when({
          type: 'ChangePreferences',
          who: amy,
          subscriptionId: amyReplies,
          channels: ['in-app', 'email'],
        })
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
      const blog = subscriptionIdOf(guest.subscriberId, 'blog', null);
      const immediate = subscribed(guest, blog, { kind: 'blog', targetId: null });
      spec
        .given([daily, immediate])
        .when({ type: 'UnsubscribeDigest', who: guest, frequency: 'daily', via: 'one-click' })
        .then([
          {
            type: 'parley.subscriber.unsubscribed.v1',
            data: {
              subscriberId: guest.subscriberId,
              subscriptionId: postSub,
              via: 'one-click',
              unsubscribedAt: at,
            },
          },
        ]);
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
        {
          type: 'parley.webhook-secret.issued.v1',
          data: { webhookId: 'wh-1', secret: 's'.repeat(40), issuedAt: at },
        },
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
          {
            type: 'parley.subscriber.webhook-registered.v1',
            data: {
              subscriberId: amy.subscriberId,
              webhookId: 'wh-2',
              url: 'https://b.example/hook',
              registeredAt: at,
              useForSubscriptions: false,
            },
          },
          {
            type: 'parley.webhook-secret.issued.v1',
            data: { webhookId: 'wh-2', secret: 't'.repeat(40), issuedAt: at },
          },
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
      implicit: [{ subscriptionId: amyReplies, kind: 'replies' as const, targetId: null }],
    };
    const amyPost = subscriptionIdOf(amy.subscriberId, 'post', 'p1');
    const amyBlog = subscriptionIdOf(amy.subscriberId, 'blog', null);

    it('adds the webhook channel to every active subscription, the implicit replies one included, when asked', () => {
      spec
        .given([
          subscribed(amy, amyPost, { channels: ['in-app'], frequency: 'daily' }),
          subscribed(amy, amyBlog, { kind: 'blog', targetId: null }),
          {
            type: 'parley.subscriber.unsubscribed.v1',
            data: {
              subscriberId: amy.subscriberId,
              subscriptionId: amyBlog,
              via: 'api',
              unsubscribedAt: at,
            },
          },
        ])
        .when(registerForSubscriptions)
        .then([
          {
            type: 'parley.subscriber.webhook-registered.v1',
            data: {
              subscriberId: amy.subscriberId,
              webhookId: 'wh-1',
              url: 'https://a.example/hook',
              registeredAt: at,
              useForSubscriptions: true,
            },
          },
          {
            type: 'parley.webhook-secret.issued.v1',
            data: { webhookId: 'wh-1', secret: 's'.repeat(40), issuedAt: at },
          },
          {
            type: 'parley.subscriber.preferences-changed.v1',
            data: {
              subscriberId: amy.subscriberId,
              subscriptionId: amyPost,
              channels: ['in-app', 'webhook'],
              frequency: 'daily',
              changedAt: at,
            },
          },
          subscribed(amy, amyReplies, {
            kind: 'replies',
            targetId: null,
            channels: ['email', 'in-app', 'webhook'],
          }),
        ]);
    });

    it('leaves an implicit subscription the account turned off as it is', () => {
      spec
        .given([
          subscribed(amy, amyReplies, { kind: 'replies', targetId: null }),
          {
            type: 'parley.subscriber.unsubscribed.v1',
            data: {
              subscriberId: amy.subscriberId,
              subscriptionId: amyReplies,
              via: 'api',
              unsubscribedAt: at,
            },
          },
        ])
        .when(registerForSubscriptions)
        .then([
          expect.objectContaining({ type: 'parley.subscriber.webhook-registered.v1' }),
          expect.objectContaining({ type: 'parley.webhook-secret.issued.v1' }),
        ]);
    });

    it('offers the webhook to new subscriptions only when it was registered for them', () => {
      const registered = (useForSubscriptions: boolean): SubscriberEvent => ({
        type: 'parley.subscriber.webhook-registered.v1',
        data: {
          subscriberId: amy.subscriberId,
          webhookId: 'wh-1',
          url: 'https://a.example/hook',
          registeredAt: at,
          useForSubscriptions,
        },
      });
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
