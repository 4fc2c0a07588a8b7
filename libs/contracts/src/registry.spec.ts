import { z } from 'zod';
import { envelopeToHeaders, headersToAttributes, type EventEnvelope } from './envelope';
import {
  EventSchemaError,
  isPrivateEventType,
  parseEvent,
  topicOfType,
  Upcasters,
} from './registry';

const attributes = {
  specversion: '1.0' as const,
  id: 'e-1',
  source: '/parley/posts',
  subject: 'post-1',
  time: '2026-11-24T10:00:00.000Z',
  datacontenttype: 'application/json' as const,
  streamVersion: 3,
  correlationId: 'corr-123456',
  causationId: null,
};

describe('event registry', () => {
  it('knows the topic of each published type and keeps private types off the bus', () => {
    expect(topicOfType('parley.comment.posted.v3')).toBe('comments');
    expect(topicOfType('parley.comment-settings.changed.v1')).toBe('comments');
    // An older version travels where its newest does: a commit appended before an upgrade.
    expect(topicOfType('parley.comment.posted.v1')).toBe('comments');
    expect(topicOfType('parley.subscriber.subscribed.v1')).toBe('notifications');
    expect(topicOfType('parley.account.registered.v1')).toBe('accounts');
    expect(topicOfType('parley.credentials.password-set.v1')).toBeUndefined();
    expect(isPrivateEventType('parley.credentials.password-set.v1')).toBe(true);
    expect(isPrivateEventType('parley.post.liked.v2')).toBe(false);
  });

  it('validates data where an event enters a process', () => {
    const event = parseEvent(
      { ...attributes, type: 'parley.post.liked.v2' },
      { postId: 'p1', accountId: 'a1', displayName: 'Amy', likedAt: '2026-11-24T10:00:00.000Z' },
    );
    expect(event.type).toBe('parley.post.liked.v2');
    expect(() =>
      parseEvent(
        { ...attributes, type: 'parley.post.liked.v2' },
        { postId: 'p1', displayName: '' },
      ),
    ).toThrow(EventSchemaError);
    expect(() => parseEvent({ ...attributes, type: 'parley.post.exploded.v1' }, {})).toThrow(
      /unknown event type/,
    );
  });

  it('upcasts an old version through every step to the newest before validating', () => {
    const schemas = {
      'parley.thing.named.v3': z.object({
        first: z.string(),
        last: z.string(),
        nickname: z.string().nullable(),
      }),
    };
    const upcasters = new Upcasters([
      {
        from: 'parley.thing.named.v1',
        to: 'parley.thing.named.v2',
        upcast: (data) => {
          const [first = '', last = ''] = String((data as { name: string }).name).split(' ');
          return { first, last };
        },
      },
      {
        from: 'parley.thing.named.v2',
        to: 'parley.thing.named.v3',
        upcast: (data) => ({ ...(data as object), nickname: null }),
      },
    ]);
    const event = parseEvent(
      { ...attributes, type: 'parley.thing.named.v1' },
      { name: 'Ada Lovelace' },
      upcasters,
      schemas,
    );
    expect(event.type).toBe('parley.thing.named.v3');
    expect(event.data).toEqual({ first: 'Ada', last: 'Lovelace', nickname: null });
  });

  describe('a comment posted before personal data was sealed', () => {
    const v1 = {
      commentId: 'c1',
      postId: 'p1',
      parentId: null,
      ancestorIds: [],
      ancestorAuthorIds: [],
      depth: 1,
      author: {
        kind: 'guest',
        guestId: 'g1',
        name: 'Gus',
        email: 'gus@example.com',
        url: 'https://gus.example',
      },
      body: 'Hello',
      html: '<p>Hello</p>',
      status: 'approved',
      moderationReason: null,
      notify: 'none',
      postAuthorId: null,
      postTitle: 'A post',
      postSlug: 'a-post',
      viewerTokenHash: null,
      postedAt: '2026-11-24T10:00:00.000Z',
    };
    const comment = { ...attributes, source: '/parley/comments', subject: 'comment-c1' };

    it('reads as v2 with its plaintext kept as it was written', () => {
      const event = parseEvent({ ...comment, type: 'parley.comment.posted.v1' }, v1);
      expect(event.type).toBe('parley.comment.posted.v3');
      expect(event.data).toEqual(v1);
    });

    it('v2 takes sealed values, and no value that is neither sealed nor a well-formed plaintext', () => {
      const sealed = 'pd1.k1.AAAAAAAAAAAAAAAA.Z3Vz.AAAAAAAAAAAAAAAAAAAAAA';
      const author = { kind: 'guest', guestId: 'g1', name: sealed, email: sealed, url: sealed };
      const event = parseEvent({ ...comment, type: 'parley.comment.posted.v3' }, { ...v1, author });
      expect(event.data).toMatchObject({ author });
      expect(() =>
        parseEvent(
          { ...comment, type: 'parley.comment.posted.v3' },
          { ...v1, author: { ...author, email: 'not an address' } },
        ),
      ).toThrow(EventSchemaError);
    });
  });

  it('refuses two upcasters from the same version', () => {
    const u = { from: 'parley.a.b.v1', to: 'parley.a.b.v2', upcast: (d: unknown) => d };
    expect(() => new Upcasters([u, u])).toThrow(/Two upcasters/);
  });

  it('carries envelope attributes as CloudEvents binary-mode headers and back', () => {
    const envelope: EventEnvelope = {
      ...attributes,
      type: 'parley.post.liked.v2',
      causationId: 'cause-1',
      data: {},
    };
    const headers = envelopeToHeaders(envelope);
    expect(headers.ce_type).toBe('parley.post.liked.v2');
    expect(headers.ce_streamversion).toBe('3');
    expect(headers['content-type']).toBe('application/json');
    const { data: _data, ...expected } = envelope;
    expect(headersToAttributes(headers)).toEqual(expected);
  });
});
