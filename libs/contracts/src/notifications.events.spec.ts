import { parseEvent } from './registry';

const attributes = {
  specversion: '1.0' as const,
  id: 'e-1',
  source: '/parley/notifications',
  subject: 'subscriber-guest-1',
  time: '2026-11-24T10:00:00.000Z',
  datacontenttype: 'application/json' as const,
  streamVersion: 1,
  correlationId: 'corr-123456',
  causationId: null,
};
const at = '2026-11-24T10:00:00.000Z';
const notification = {
  notificationId: 'ntf-1',
  recipient: { subscriberId: 'subscriber-bo', accountId: 'bo' },
  reason: 'blog',
  subscriptionId: null,
  causeEventId: 'e-0',
  channels: ['in-app'],
  frequency: 'immediate',
  createdAt: at,
};

describe('notification events written before personal data was sealed', () => {
  it('reads a v1 subscription as v2, the plaintext address kept as legacy text', () => {
    const event = parseEvent(
      { ...attributes, type: 'parley.subscriber.subscribed.v1' },
      {
        subscriberId: 'subscriber-guest-1',
        subscriptionId: 'sub-1',
        subscriber: { kind: 'email', email: 'gus@example.com' },
        kind: 'post',
        targetId: 'p1',
        channels: ['email'],
        frequency: 'immediate',
        subscribedAt: at,
      },
    );
    expect(event.type).toBe('parley.subscriber.subscribed.v2');
    expect(event.data).toMatchObject({ subscriber: { kind: 'email', email: 'gus@example.com' } });
  });

  it('reads a v1 confirmation request as v2 with its plaintext address', () => {
    const event = parseEvent(
      { ...attributes, type: 'parley.subscriber.confirmation-requested.v1' },
      { subscriberId: 'subscriber-guest-1', email: 'gus@example.com', requestedAt: at },
    );
    expect(event.type).toBe('parley.subscriber.confirmation-requested.v2');
    expect(event.data).toMatchObject({ email: 'gus@example.com' });
  });

  it('reads a v1 notification as v3: the author name as it was, the recipient without a name', () => {
    const event = parseEvent(
      { ...attributes, type: 'parley.notification.created.v1' },
      {
        notificationId: 'ntf-1',
        recipient: { subscriberId: 'subscriber-bo', accountId: 'bo', displayName: 'Bo' },
        reason: 'reply',
        subscriptionId: null,
        subject: {
          kind: 'comment',
          commentId: 'c1',
          postId: 'p1',
          postTitle: 'Hello',
          postSlug: 'hello',
          authorName: 'Gus Guest',
          excerpt: 'Hi',
          parentId: null,
        },
        causeEventId: 'e-0',
        channels: ['email'],
        frequency: 'immediate',
        createdAt: at,
      },
    );
    expect(event.type).toBe('parley.notification.created.v3');
    expect(event.data).toMatchObject({
      recipient: { subscriberId: 'subscriber-bo', accountId: 'bo' },
      subject: { author: { kind: 'named', name: 'Gus Guest' } },
    });
    expect(JSON.stringify(event.data)).not.toContain('"Bo"');
  });

  it('reads a v2 notification, which copied its author name, as v3 with the name as it was', () => {
    const subject = {
      kind: 'post',
      postId: 'p1',
      title: 'Hello',
      slug: 'hello',
      authorName: 'Ada Author',
      excerpt: 'Hi',
    };
    const event = parseEvent(
      { ...attributes, type: 'parley.notification.created.v2' },
      { ...notification, subject },
    );
    expect(event.type).toBe('parley.notification.created.v3');
    expect(event.data).toMatchObject({
      subject: { kind: 'post', postId: 'p1', author: { kind: 'named', name: 'Ada Author' } },
    });
    expect(event.data).not.toHaveProperty('subject.authorName');
  });

  it('takes a v3 account author by id, and no name beside it', () => {
    const subject = {
      kind: 'comment',
      commentId: 'c1',
      postId: 'p1',
      postTitle: 'Hello',
      postSlug: 'hello',
      author: { kind: 'account', accountId: 'ada', name: 'Ada' },
      excerpt: 'Hi',
      parentId: null,
    };
    const event = parseEvent(
      { ...attributes, type: 'parley.notification.created.v3' },
      { ...notification, subject },
    );
    expect(JSON.stringify(event.data)).not.toContain('"Ada"');
    expect(event.data).toMatchObject({
      subject: { author: { kind: 'account', accountId: 'ada' } },
    });
  });

  it('refuses a v2 address that is neither sealed nor an address', () => {
    expect(() =>
      parseEvent(
        { ...attributes, type: 'parley.subscriber.confirmation-requested.v2' },
        { subscriberId: 'subscriber-guest-1', email: 'pd1.not-sealed', requestedAt: at },
      ),
    ).toThrow(/email/);
  });
});
