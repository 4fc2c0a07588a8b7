import type { Channel, Frequency, NotificationReason, SubscriptionKind } from '@parley/contracts';
import { subscriptionIdOf } from '../shared/ids';

/** A person as the policy compares them: by account, by subscriber id and by address. */
export interface Identity {
  subscriberId: string;
  accountId: string | null;
  email: string | null;
}

/** A subscription as the read model knows it (inactive ones too: they turn implicit ones off). */
export interface SubscriptionFact {
  id: string;
  subscriberId: string;
  accountId: string | null;
  email: string | null;
  kind: SubscriptionKind;
  targetId: string | null;
  active: boolean;
  channels: Channel[];
  frequency: Frequency;
}

export interface Recipient {
  subscriberId: string;
  accountId: string | null;
  reason: NotificationReason;
  subscriptionId: string | null;
  channels: Channel[];
  frequency: Frequency;
}

export interface VisibleComment {
  commentId: string;
  postId: string;
  /** The thread's root first, the parent last. */
  ancestorIds: readonly string[];
  author: Identity;
  parentAuthor: Identity | null;
  postAuthor: Identity | null;
}

/** Most specific first: a person who is several of these is told once, for the first. */
const RANK: Record<NotificationReason, number> = {
  reply: 0,
  branch: 1,
  post: 2,
  'post-author': 3,
  blog: 4,
  moderation: 5,
};

const ACCOUNT_DEFAULT: Channel[] = ['email', 'in-app'];

function sameEmail(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Nobody is notified of their own comment or post, whichever way they are recognised. */
export function isSamePerson(a: Identity, b: Identity): boolean {
  return (
    a.subscriberId === b.subscriberId ||
    (a.accountId !== null && a.accountId === b.accountId) ||
    sameEmail(a.email, b.email)
  );
}

function fromSubscription(fact: SubscriptionFact, reason: NotificationReason): Recipient {
  return {
    subscriberId: fact.subscriberId,
    accountId: fact.accountId,
    reason,
    subscriptionId: fact.id,
    channels: fact.accountId === null ? fact.channels.filter((c) => c === 'email') : fact.channels,
    frequency: fact.frequency,
  };
}

/** What an account has without asking: on, to email and in-app, at once. */
function implicit(
  who: Identity,
  kind: SubscriptionKind,
  targetId: string | null,
  reason: NotificationReason,
): Recipient {
  return {
    subscriberId: who.subscriberId,
    accountId: who.accountId,
    reason,
    subscriptionId: subscriptionIdOf(who.subscriberId, kind, targetId),
    channels: ACCOUNT_DEFAULT,
    frequency: 'immediate',
  };
}

/** One per person, with the most specific reason; never the author; in a stable order. */
export function dedupe(candidates: readonly Recipient[], author: Identity): Recipient[] {
  const best = new Map<string, Recipient>();
  for (const candidate of candidates) {
    const person: Identity = {
      subscriberId: candidate.subscriberId,
      accountId: candidate.accountId,
      email: null,
    };
    if (isSamePerson(person, author)) continue;
    const key = candidate.accountId ?? candidate.subscriberId;
    const current = best.get(key);
    if (!current || RANK[candidate.reason] < RANK[current.reason]) best.set(key, candidate);
  }
  return [...best.values()].sort(
    (a, b) => RANK[a.reason] - RANK[b.reason] || a.subscriberId.localeCompare(b.subscriberId),
  );
}

/**
 * Who hears of a comment that became visible: the parent's author (reply), followers of
 * any ancestor branch (branch), followers of the post (post) and the post's author
 * (post-author). Accounts follow replies to their comments and their own posts unless
 * they turned that off; guests only what they asked for.
 */
export function recipientsOfVisibleComment(
  comment: VisibleComment,
  subscriptions: readonly SubscriptionFact[],
): Recipient[] {
  const candidates: Recipient[] = [];
  const author = withEmails(comment.author, subscriptions);
  const explicit = (who: Identity, kind: SubscriptionKind, targetId: string | null) =>
    subscriptions.find(
      (s) => s.subscriberId === who.subscriberId && s.kind === kind && s.targetId === targetId,
    );

  const parent = comment.parentAuthor;
  if (parent) {
    const own = explicit(parent, 'replies', null);
    if (own) {
      if (own.active) candidates.push(fromSubscription(own, 'reply'));
    } else if (parent.accountId !== null) {
      candidates.push(implicit(parent, 'replies', null, 'reply'));
    }
  }
  const ancestors = new Set(comment.ancestorIds);
  for (const s of subscriptions) {
    if (!s.active) continue;
    if (s.kind === 'branch' && s.targetId !== null && ancestors.has(s.targetId))
      candidates.push(fromSubscription(s, 'branch'));
    if (s.kind === 'post' && s.targetId === comment.postId) {
      const isPostAuthor =
        comment.postAuthor !== null && s.subscriberId === comment.postAuthor.subscriberId;
      candidates.push(fromSubscription(s, isPostAuthor ? 'post-author' : 'post'));
    }
  }
  const postAuthor = comment.postAuthor;
  if (postAuthor && postAuthor.accountId !== null && !explicit(postAuthor, 'post', comment.postId))
    candidates.push(implicit(postAuthor, 'post', comment.postId, 'post-author'));
  return dedupe(
    candidates.filter((c) => !isSamePerson(identityOf(c, subscriptions), author)),
    author,
  );
}

/** A held comment: moderators and the post's author are asked to look at it, in the app. */
export function recipientsOfHeldComment(
  comment: Pick<VisibleComment, 'author' | 'postAuthor'>,
  moderators: readonly Identity[],
): Recipient[] {
  const people = [...moderators, ...(comment.postAuthor ? [comment.postAuthor] : [])];
  return dedupe(
    people
      .filter((p) => p.accountId !== null && !isSamePerson(p, comment.author))
      .map((p) => ({
        subscriberId: p.subscriberId,
        accountId: p.accountId,
        reason: 'moderation' as const,
        subscriptionId: null,
        channels: ['in-app'] as Channel[],
        frequency: 'immediate' as const,
      })),
    comment.author,
  );
}

/** A post published for the first time: its blog's followers, except its author. */
export function recipientsOfPublishedPost(
  author: Identity,
  subscriptions: readonly SubscriptionFact[],
): Recipient[] {
  return dedupe(
    subscriptions
      .filter((s) => s.active && s.kind === 'blog')
      .filter((s) => !isSamePerson(identityOf(s, subscriptions), author))
      .map((s) => fromSubscription(s, 'blog')),
    author,
  );
}

function identityOf(
  who: { subscriberId: string; accountId: string | null },
  subscriptions: readonly SubscriptionFact[],
): Identity {
  const email = subscriptions.find((s) => s.subscriberId === who.subscriberId)?.email ?? null;
  return { subscriberId: who.subscriberId, accountId: who.accountId, email };
}

function withEmails(who: Identity, subscriptions: readonly SubscriptionFact[]): Identity {
  if (who.email !== null) return who;
  return { ...who, email: identityOf(who, subscriptions).email };
}
