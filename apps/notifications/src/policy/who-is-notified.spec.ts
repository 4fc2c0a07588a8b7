import { subscriptionIdOf } from '../shared/ids';
import {
  type Identity,
  type SubscriptionFact,
  type VisibleComment,
  recipientsOfHeldComment,
  recipientsOfPublishedPost,
  recipientsOfVisibleComment,
} from './who-is-notified';

const person = (id: string): Identity => ({
  subscriberId: `subscriber-${id}`,
  accountId: id,
  email: `${id}@example.com`,
});
const guest = (email: string): Identity => ({
  subscriberId: `subscriber-guest-${email}`,
  accountId: null,
  email,
});
const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(person) as [
  Identity,
  Identity,
  Identity,
  Identity,
  Identity,
];

function follows(
  who: Identity,
  kind: SubscriptionFact['kind'],
  targetId: string | null,
  overrides: Partial<SubscriptionFact> = {},
): SubscriptionFact {
  return {
    id: subscriptionIdOf(who.subscriberId, kind, targetId),
    subscriberId: who.subscriberId,
    accountId: who.accountId,
    email: who.email,
    kind,
    targetId,
    active: true,
    channels: who.accountId ? ['email', 'in-app'] : ['email'],
    frequency: 'immediate',
    ...overrides,
  };
}

/** A comments, B replies to A, C replies to B, on E's post. */
const cReply: VisibleComment = {
  commentId: 'c3',
  postId: 'p1',
  ancestorIds: ['c1', 'c2'],
  author: c,
  parentAuthor: b,
  postAuthor: e,
};

const who = (list: { accountId: string | null; subscriberId: string; reason: string }[]) =>
  list.map((r) => `${r.accountId ?? r.subscriberId}:${r.reason}`);

describe('who is notified of a visible comment', () => {
  it("tells the parent's author, the post's followers and its author, once each", () => {
    const recipients = recipientsOfVisibleComment(cReply, [follows(d, 'post', 'p1')]);
    expect(who(recipients)).toEqual(['b:reply', 'd:post', 'e:post-author']);
  });

  it("tells the thread's root author only when they follow the branch", () => {
    expect(who(recipientsOfVisibleComment(cReply, []))).not.toContain('a:branch');
    const recipients = recipientsOfVisibleComment(cReply, [follows(a, 'branch', 'c1')]);
    expect(who(recipients)).toEqual(['b:reply', 'a:branch', 'e:post-author']);
  });

  it('gives the most specific reason to someone who is several recipients at once', () => {
    const recipients = recipientsOfVisibleComment({ ...cReply, postAuthor: b }, [
      follows(b, 'post', 'p1'),
      follows(b, 'branch', 'c1'),
    ]);
    expect(who(recipients)).toEqual(['b:reply']);
    expect(who(recipientsOfVisibleComment(cReply, [follows(e, 'branch', 'c2')]))).toEqual([
      'b:reply',
      'e:branch',
    ]);
  });

  it('never tells the author of the comment, even as a follower or the post author', () => {
    const own = recipientsOfVisibleComment({ ...cReply, parentAuthor: c, postAuthor: c }, [
      follows(c, 'post', 'p1'),
      follows(c, 'branch', 'c1'),
    ]);
    expect(own).toEqual([]);
  });

  it('recognises a guest author by address, across a guest subscription and an account', () => {
    const gus = guest('gus@example.com');
    const comment = { ...cReply, author: gus, parentAuthor: null, postAuthor: null };
    expect(recipientsOfVisibleComment(comment, [follows(gus, 'post', 'p1')])).toEqual([]);
    const sameAddress = { ...d, email: 'GUS@example.com' };
    expect(recipientsOfVisibleComment(comment, [follows(sameAddress, 'post', 'p1')])).toEqual([]);
  });

  it('respects an account that turned replies off, and a post author who stopped following', () => {
    const recipients = recipientsOfVisibleComment(cReply, [
      follows(b, 'replies', null, { active: false }),
      follows(e, 'post', 'p1', { active: false }),
    ]);
    expect(recipients).toEqual([]);
  });

  it('tells a guest parent author only when they asked for replies, by email only', () => {
    const gus = guest('gus@example.com');
    const comment = { ...cReply, parentAuthor: gus, postAuthor: null };
    expect(recipientsOfVisibleComment(comment, [])).toEqual([]);
    const recipients = recipientsOfVisibleComment(comment, [follows(gus, 'replies', null)]);
    expect(recipients).toEqual([
      expect.objectContaining({
        subscriberId: gus.subscriberId,
        reason: 'reply',
        channels: ['email'],
      }),
    ]);
  });

  it('carries the subscription and its preferences, implicit ones included', () => {
    const [reply, post] = recipientsOfVisibleComment({ ...cReply, postAuthor: null }, [
      follows(d, 'post', 'p1', { channels: ['in-app'], frequency: 'daily' }),
    ]);
    expect(reply).toEqual({
      subscriberId: b.subscriberId,
      accountId: 'b',
      reason: 'reply',
      subscriptionId: subscriptionIdOf(b.subscriberId, 'replies', null),
      channels: ['email', 'in-app'],
      frequency: 'immediate',
    });
    expect(post).toMatchObject({ reason: 'post', channels: ['in-app'], frequency: 'daily' });
  });
});

describe('who is asked to moderate a held comment', () => {
  it('moderators and the post author, in the app, never the comment author', () => {
    const recipients = recipientsOfHeldComment({ author: c, postAuthor: e }, [a, c, e]);
    expect(who(recipients)).toEqual(['a:moderation', 'e:moderation']);
    expect(recipients.every((r) => r.channels.join() === 'in-app')).toBe(true);
  });
});

describe('who hears of a new post', () => {
  it("the blog's followers except the post's author", () => {
    const recipients = recipientsOfPublishedPost(e, [
      follows(a, 'blog', null),
      follows(e, 'blog', null),
      follows(b, 'blog', null, { active: false }),
      follows(d, 'post', 'p1'),
    ]);
    expect(who(recipients)).toEqual(['a:blog']);
  });
});
