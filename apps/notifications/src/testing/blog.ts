import type { DomainEvent, ImportedFrom, NotifyChoice, Role, TopicKey } from '@parley/contracts';
import { toEnvelopes } from '@parley/eventstore';
import { eventToMessage } from '@parley/messaging';
import type { MessageBus, OutgoingMessage } from '@parley/messaging';

export interface CommentRef {
  id: string;
  postId: string;
  ancestorIds: string[];
  ancestorAuthorIds: (string | null)[];
  authorId: string | null;
}

/** A guest's name and address as given, or sealed as the comments service seals them (with their guestId). */
type Author = { accountId: string } | { guest: { name: string; email: string; guestId?: string } };

const SOURCES: Record<TopicKey, string> = {
  accounts: '/parley/gateway',
  posts: '/parley/posts',
  comments: '/parley/comments',
  notifications: '/parley/notifications',
};

/**
 * The other services of a blog, as far as notifications can tell: their events on their
 * topics, built the way their relays build them.
 */
export class Blog {
  private readonly versions = new Map<string, number>();
  private readonly posts = new Map<string, { authorId: string; title: string }>();
  private sequence = 0;

  constructor(
    private readonly bus: MessageBus,
    private readonly topicName: (key: TopicKey) => string,
    private readonly run = Date.now().toString(36),
  ) {}

  id(prefix: string): string {
    this.sequence += 1;
    return `${prefix}-${this.run}-${this.sequence}`;
  }

  /** The messages of some events, to publish (and publish again, as a redelivery would). */
  messages(topic: TopicKey, streamId: string, events: readonly DomainEvent[]): OutgoingMessage[] {
    const from = (this.versions.get(streamId) ?? 0) + 1;
    this.versions.set(streamId, from + events.length - 1);
    const envelopes = toEnvelopes(
      SOURCES[topic],
      streamId,
      from,
      events,
      { correlationId: `blog-${this.run}`, causationId: null },
      new Date(),
    );
    return envelopes.map(eventToMessage);
  }

  async send(topic: TopicKey, messages: OutgoingMessage[]): Promise<void> {
    await this.bus.publisher().publish([{ topic: this.topicName(topic), messages }]);
  }

  async account(
    accountId: string,
    options: { verified?: boolean; roles?: Role[]; name?: string } = {},
  ): Promise<void> {
    const at = new Date().toISOString();
    const email = `${accountId}@example.com`;
    const events: DomainEvent[] = [
      {
        type: 'parley.account.registered.v2',
        data: {
          accountId,
          email,
          displayName: options.name ?? accountId,
          roles: options.roles ?? ['reader'],
          registeredAt: at,
        },
      },
    ];
    if (options.verified ?? true)
      events.push({
        type: 'parley.account.email-verified.v2',
        data: { accountId, email, verifiedAt: at },
      });
    await this.send('accounts', this.messages('accounts', `account-${accountId}`, events));
  }

  /** The account's owner chose another name, as the gateway's identity publishes it. */
  async renameAccount(accountId: string, displayName: string): Promise<void> {
    await this.send(
      'accounts',
      this.messages('accounts', `account-${accountId}`, [
        {
          type: 'parley.account.display-name-changed.v2',
          data: { accountId, displayName, changedAt: new Date().toISOString() },
        },
      ]),
    );
  }

  /** The account erased at its owner's request, as the gateway's identity publishes it. */
  async eraseAccount(accountId: string): Promise<void> {
    await this.send(
      'accounts',
      this.messages('accounts', `account-${accountId}`, [
        {
          type: 'parley.account.erased.v1',
          data: { accountId, erasedAt: new Date().toISOString() },
        },
      ]),
    );
  }

  async publishPost(
    postId: string,
    authorId: string,
    title = 'A post',
    imported?: ImportedFrom,
  ): Promise<void> {
    this.posts.set(postId, { authorId, title });
    await this.send(
      'posts',
      this.messages('posts', `post-${postId}`, [
        {
          type: 'parley.post.published.v2',
          data: {
            postId,
            slug: postId,
            title,
            excerpt: `About ${title}`,
            authorId,
            firstPublication: true,
            publishedAt: new Date().toISOString(),
            publishedBy: authorId,
            ...(imported ? { imported } : {}),
          },
        },
      ]),
    );
  }

  async comment(input: {
    postId: string;
    author: Author;
    parent?: CommentRef;
    status?: 'approved' | 'pending' | 'spam';
    notify?: NotifyChoice;
    body?: string;
    imported?: ImportedFrom;
  }): Promise<CommentRef> {
    const id = this.id('c');
    const post = this.posts.get(input.postId);
    const authorId = 'accountId' in input.author ? input.author.accountId : null;
    const ref: CommentRef = {
      id,
      postId: input.postId,
      ancestorIds: input.parent ? [...input.parent.ancestorIds, input.parent.id] : [],
      ancestorAuthorIds: input.parent
        ? [...input.parent.ancestorAuthorIds, input.parent.authorId]
        : [],
      authorId,
    };
    await this.send(
      'comments',
      this.messages('comments', `comment-${id}`, [
        {
          type: 'parley.comment.posted.v3',
          data: {
            commentId: id,
            postId: input.postId,
            parentId: input.parent?.id ?? null,
            ancestorIds: ref.ancestorIds,
            ancestorAuthorIds: ref.ancestorAuthorIds,
            depth: ref.ancestorIds.length + 1,
            author:
              'accountId' in input.author
                ? { kind: 'account', accountId: input.author.accountId }
                : {
                    kind: 'guest',
                    guestId: input.author.guest.guestId ?? `g-${input.author.guest.email}`,
                    name: input.author.guest.name,
                    email: input.author.guest.email,
                    url: null,
                  },
            body: input.body ?? `Comment ${id}`,
            html: `<p>${input.body ?? `Comment ${id}`}</p>`,
            status: input.status ?? 'approved',
            moderationReason: input.status === 'pending' ? 'held for review' : null,
            notify: input.notify ?? 'none',
            postAuthorId: post?.authorId ?? null,
            postTitle: post?.title ?? 'A post',
            postSlug: input.postId,
            viewerTokenHash: null,
            postedAt: new Date().toISOString(),
            ...(input.imported ? { imported: input.imported } : {}),
          },
        },
      ]),
    );
    return ref;
  }

  /** The comment's author erased at their request, as the comments service publishes it. */
  async eraseAuthor(comment: CommentRef, author: { guestId: string } | { accountId: string }) {
    await this.send(
      'comments',
      this.messages('comments', `comment-${comment.id}`, [
        {
          type: 'parley.comment.author-erased.v1',
          data: {
            commentId: comment.id,
            postId: comment.postId,
            author:
              'guestId' in author
                ? { kind: 'guest', guestId: author.guestId }
                : { kind: 'account', accountId: author.accountId },
            mode: 'anonymize',
            erasedAt: new Date().toISOString(),
          },
        },
      ]),
    );
  }

  approvedMessages(comment: CommentRef, by = 'moderator'): OutgoingMessage[] {
    return this.moderatedMessages(comment, 'parley.comment.approved.v1', by);
  }

  /** A moderator's decision on a comment, as the comments service publishes it. */
  moderatedMessages(
    comment: CommentRef,
    type:
      | 'parley.comment.approved.v1'
      | 'parley.comment.unapproved.v1'
      | 'parley.comment.marked-spam.v1'
      | 'parley.comment.trashed.v1',
    by = 'moderator',
  ): OutgoingMessage[] {
    return this.messages('comments', `comment-${comment.id}`, [
      {
        type,
        data: { commentId: comment.id, postId: comment.postId, by, at: new Date().toISOString() },
      },
    ]);
  }
}
