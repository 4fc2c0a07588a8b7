import { Inject, Injectable } from '@nestjs/common';
import {
  COMMENT_PERSONAL_FIELDS as F,
  type EventOf,
  type NotifiedAuthor,
  type NotifiedSubject,
} from '@parley/contracts';
import { type EventStore, handleCommand } from '@parley/eventstore';
import {
  APP_LOGGER,
  EVENT_STORE,
  PERSONAL_DATA_OPENER,
  type PersonalDataOpener,
  READ_MODELS,
} from '@parley/platform';
import type { LiveReadModels } from '@parley/readmodel';
import type { Logger } from 'pino';
import {
  type AccountEntry,
  type CommentEntry,
  DIRECTORY,
  commentEntryOf,
  excerptOf,
} from '../directory/directory.projection';
import { notificationDecider } from '../inbox/notification.decider';
import { NOTIFICATIONS_OPTIONS, type ResolvedNotificationsOptions } from '../notifications.options';
import {
  accountSubscriberId,
  guestSubscriberId,
  notificationIdOf,
  notificationStream,
} from '../shared/ids';
import { appendContext } from '../shared/runtime';
import { SUBSCRIPTIONS, type SubscriptionEntry } from '../subscriptions/subscriptions.projection';
import { SubscriptionsService, accountWho, guestWho } from '../subscriptions/subscriptions.service';
import {
  type Identity,
  type Recipient,
  type SubscriptionFact,
  type VisibleComment,
  recipientsOfHeldComment,
  recipientsOfPublishedPost,
  recipientsOfVisibleComment,
} from './who-is-notified';

/** The comment facts the policy works from, whether it has the posted event or only its projection. */
interface CommentFacts {
  commentId: string;
  postId: string;
  parentId: string | null;
  ancestorIds: string[];
  ancestorAuthorIds: (string | null)[];
  author: Identity;
  /** How the notification names the author: an account by id, a guest by the sealed name. */
  named: NotifiedAuthor;
  excerpt: string;
  postAuthorId: string | null;
  postTitle: string;
  postSlug: string;
}

/**
 * Thrown while a fact the policy needs has not reached its read model yet. The projection
 * that brings it is another consumer group of this service, which lags behind this one for
 * a while after a restart or a rebalance: the event is waited on, as an outage is, and never
 * dead-lettered (a fact that never came would show as this group's growing lag).
 */
export class NotYetProjected extends Error {
  readonly infrastructure = true;

  constructor(what: string) {
    super(`${what} is not in the read model yet`);
    this.name = 'NotYetProjected';
  }
}

/**
 * A comment's author as the policy knows them: who they are (null once erased) and how a
 * notification names them (an account by id, a guest by the name sealed with the guest's key,
 * never opened here).
 */
interface OpenedAuthor {
  identity: Identity | null;
  named: NotifiedAuthor;
}

/** Someone who cannot be told anything: an erased guest, recognised as nobody. */
const NOBODY: Identity = { subscriberId: 'erased', accountId: null, email: null };

function accountIdentity(accountId: string): Identity {
  return { subscriberId: accountSubscriberId(accountId), accountId, email: null };
}

function factsOf(entry: Omit<CommentEntry, '_v'>, author: OpenedAuthor): CommentFacts {
  return {
    commentId: entry._id,
    postId: entry.postId,
    parentId: entry.parentId,
    ancestorIds: entry.ancestorIds,
    ancestorAuthorIds: entry.ancestorAuthorIds,
    author: author.identity ?? NOBODY,
    named: author.named,
    excerpt: entry.excerpt,
    postAuthorId: entry.postAuthorId,
    postTitle: entry.postTitle,
    postSlug: entry.postSlug,
  };
}

/** Who is notified: turns visible comments, held comments and new posts into notifications. */
@Injectable()
export class PolicyService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: LiveReadModels,
    @Inject(NOTIFICATIONS_OPTIONS) private readonly options: ResolvedNotificationsOptions,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(PERSONAL_DATA_OPENER) private readonly personalData: PersonalDataOpener,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  /**
   * A comment's author, a guest's address opened by the comments service (which keeps their
   * key): an erased guest is nobody, so no mail goes to the address they had. The name stays
   * sealed as the comment event has it: erasing the guest erases it from the notification too;
   * an account is named by id, so that its name is never copied into a notification.
   */
  private async openAuthor(author: CommentEntry['author']): Promise<OpenedAuthor> {
    // Whoever an erased author was: nobody's subscriber, so nobody is spared or told as them.
    if (author.kind === 'erased') return { identity: null, named: { kind: 'erased' } };
    if (author.kind === 'account')
      return {
        identity: accountIdentity(author.accountId),
        named: { kind: 'account', accountId: author.accountId },
      };
    const [email] = await this.personalData.open([{ field: F.authorEmail, value: author.email }]);
    if (email?.status !== 'plain') return { identity: null, named: { kind: 'erased' } };
    return {
      identity: {
        subscriberId: guestSubscriberId(email.value),
        accountId: null,
        email: email.value,
      },
      named: { kind: 'guest', name: author.name },
    };
  }

  async onCommentPosted(event: EventOf<'parley.comment.posted.v3'>): Promise<void> {
    const d = event.data;
    // An imported comment was news on its own blog years ago: nobody is told, nor subscribed.
    if (d.imported) return;
    const entry = commentEntryOf(d);
    const author = await this.openAuthor(entry.author);
    if (d.notify !== 'none' && author.identity) {
      const who =
        d.author.kind === 'guest'
          ? guestWho(author.identity.email ?? '')
          : accountWho(d.author.accountId);
      // Accounts follow replies to their comments already; guests ask for it here.
      if (d.author.kind === 'guest')
        await this.subscriptions.subscribeFromComment({
          who,
          commentId: d.commentId,
          kind: 'replies',
          targetId: null,
        });
      if (d.notify === 'all')
        await this.subscriptions.subscribeFromComment({
          who,
          commentId: d.commentId,
          kind: 'post',
          targetId: d.postId,
        });
    }
    const facts = factsOf(entry, author);
    if (d.status === 'approved') await this.notifyVisible(facts, event.id);
    else if (d.status === 'pending') await this.notifyHeld(facts, event.id);
  }

  /** A comment approved (or restored as approved) later: its notifications go out now. */
  async onCommentApproved(commentId: string, causeEventId: string): Promise<void> {
    const entry = await this.readModels
      .db(DIRECTORY)
      .collection<CommentEntry>('comments')
      .findOne({ _id: commentId });
    if (!entry) throw new NotYetProjected(`Comment ${commentId}`);
    if (entry.deleted) return;
    await this.notifyVisible(factsOf(entry, await this.openAuthor(entry.author)), causeEventId);
  }

  async onPostPublished(event: EventOf<'parley.post.published.v2'>): Promise<void> {
    const d = event.data;
    if (!d.firstPublication || d.imported) return;
    const facts = await this.subscriptionFacts({ kind: 'blog' });
    const recipients = recipientsOfPublishedPost(accountIdentity(d.authorId), facts);
    await this.create(recipients, `post-published:${d.postId}`, event.id, {
      kind: 'post',
      postId: d.postId,
      title: d.title,
      slug: d.slug,
      author: { kind: 'account', accountId: d.authorId },
      excerpt: excerptOf(d.excerpt),
    });
  }

  private async notifyVisible(facts: CommentFacts, causeEventId: string): Promise<void> {
    const parentAuthor = await this.parentAuthor(facts);
    const subscriptions = await this.subscriptionFacts({
      $or: [
        { kind: 'branch', targetId: { $in: facts.ancestorIds } },
        { kind: 'post', targetId: facts.postId },
        ...(parentAuthor ? [{ kind: 'replies', subscriberId: parentAuthor.subscriberId }] : []),
      ],
    });
    const comment: VisibleComment = {
      commentId: facts.commentId,
      postId: facts.postId,
      ancestorIds: facts.ancestorIds,
      author: facts.author,
      parentAuthor,
      postAuthor: facts.postAuthorId ? accountIdentity(facts.postAuthorId) : null,
    };
    const recipients = recipientsOfVisibleComment(comment, subscriptions);
    // Each person once per comment, whichever event made it visible, however often it comes.
    await this.create(
      recipients,
      `comment-visible:${facts.commentId}`,
      causeEventId,
      this.subject(facts),
    );
  }

  private async notifyHeld(facts: CommentFacts, causeEventId: string): Promise<void> {
    const moderators = await this.readModels
      .db(DIRECTORY)
      .collection<AccountEntry>('accounts')
      .find({ roles: { $in: ['moderator', 'admin'] } }, { limit: 200 });
    const recipients = recipientsOfHeldComment(
      {
        author: facts.author,
        postAuthor: facts.postAuthorId ? accountIdentity(facts.postAuthorId) : null,
      },
      moderators.map((m) => accountIdentity(m._id)),
    );
    await this.create(
      recipients,
      `comment-held:${facts.commentId}`,
      causeEventId,
      this.subject(facts),
    );
  }

  private subject(facts: CommentFacts): NotifiedSubject {
    return {
      kind: 'comment',
      commentId: facts.commentId,
      postId: facts.postId,
      postTitle: facts.postTitle,
      postSlug: facts.postSlug,
      author: facts.named,
      excerpt: facts.excerpt,
      parentId: facts.parentId,
    };
  }

  private async parentAuthor(facts: CommentFacts): Promise<Identity | null> {
    if (facts.parentId === null) return null;
    const parent = await this.readModels
      .db(DIRECTORY)
      .collection<CommentEntry>('comments')
      .findOne({ _id: facts.parentId });
    if (parent) return (await this.openAuthor(parent.author)).identity;
    const accountId = facts.ancestorAuthorIds[facts.ancestorAuthorIds.length - 1] ?? null;
    return accountId ? accountIdentity(accountId) : null;
  }

  private async subscriptionFacts(filter: Record<string, unknown>): Promise<SubscriptionFact[]> {
    const entries = await this.readModels
      .db(SUBSCRIPTIONS)
      .collection<SubscriptionEntry>('subscriptions')
      .find(filter);
    const accountIds = [...new Set(entries.flatMap((e) => (e.accountId ? [e.accountId] : [])))];
    const accounts =
      accountIds.length > 0
        ? await this.readModels
            .db(DIRECTORY)
            .collection<AccountEntry>('accounts')
            .find({ _id: { $in: accountIds } })
        : [];
    const emails = new Map(accounts.map((a) => [a._id, a.email]));
    return entries.map((e) => ({
      id: e._id,
      subscriberId: e.subscriberId,
      accountId: e.accountId,
      email: e.email ?? (e.accountId ? (emails.get(e.accountId) ?? null) : null),
      kind: e.kind,
      targetId: e.targetId,
      active: e.active,
      channels: e.channels,
      frequency: e.frequency,
    }));
  }

  private async create(
    recipients: readonly Recipient[],
    causeKey: string,
    causeEventId: string,
    subject: NotifiedSubject,
  ): Promise<void> {
    if (recipients.length === 0) return;
    const now = this.options.clock().toISOString();
    await Promise.all(
      recipients.map(async (r) => {
        const notificationId = notificationIdOf(causeKey, r.subscriberId);
        const outcome = await handleCommand(
          this.store,
          notificationDecider,
          notificationStream(notificationId),
          {
            type: 'Create',
            notification: {
              notificationId,
              recipient: { subscriberId: r.subscriberId, accountId: r.accountId },
              reason: r.reason,
              subscriptionId: r.subscriptionId,
              subject,
              causeEventId,
              channels: r.channels,
              frequency: r.frequency,
              createdAt: now,
            },
          },
          appendContext(),
          { now: this.options.clock },
        );
        if (outcome.ok && outcome.events.length > 0)
          this.logger.debug({ notificationId, reason: r.reason }, 'notification created');
      }),
    );
  }
}
