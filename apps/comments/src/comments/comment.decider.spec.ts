import type { Actor, CommentAuthor, EventData } from '@parley/contracts';
import { deciderSpec } from '@parley/testing';
import type { PostFacts } from '../post-status/post-facts';
import {
  type CommentSettings,
  DEFAULT_COMMENT_SETTINGS,
} from '../settings/comment-settings.decider';
import {
  type CommentEvent,
  type CommentWriter,
  commentDecider,
  type EraseAuthor,
  type ImportComment,
  type PostComment,
  type WriterHistory,
} from './comment.decider';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const spec = deciderSpec(commentDecider, () => NOW);
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const secondsAgo = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);

const post = (changes: Partial<PostFacts> = {}): PostFacts => ({
  postId: 'post-1',
  authorId: 'ann',
  title: 'Movie Quote Monday',
  slug: 'movie-quote-monday',
  status: 'published',
  deleted: false,
  commentSettings: { mode: 'open', autoCloseDays: null },
  firstPublishedAt: '2026-11-20T08:00:00.000Z',
  ...changes,
});

const actor = (accountId: string, roles: Actor['roles'] = ['reader']): Actor => ({
  accountId,
  displayName: accountId.toUpperCase(),
  roles,
});
const account = (accountId: string, roles: Actor['roles'] = ['reader']): CommentWriter => ({
  kind: 'account',
  ...actor(accountId, roles),
});
const guestWith = (changes: { email?: string; url?: string }): CommentWriter => ({
  kind: 'guest',
  guestId: 'guest-hash',
  name: 'Gus',
  email: 'gus@example.com',
  url: 'https://gus.example',
  ...changes,
});
const guest = guestWith({});
/** What the use case hands the decider for a writer: a guest's data sealed (stand-ins here). */
const SEALED = {
  name: 'pd1.k-gus.AAAAAAAAAAAAAAAA.bmFtZQ.AAAAAAAAAAAAAAAAAAAAAA',
  email: 'pd1.k-gus.BBBBBBBBBBBBBBBB.ZW1haWw.BBBBBBBBBBBBBBBBBBBBBB',
  url: 'pd1.k-gus.CCCCCCCCCCCCCCCC.dXJs.CCCCCCCCCCCCCCCCCCCCCC',
};
const recorded = (writer: CommentWriter): CommentAuthor =>
  writer.kind === 'account'
    ? { kind: 'account', accountId: writer.accountId, displayName: writer.displayName }
    : {
        kind: 'guest',
        guestId: writer.guestId,
        name: SEALED.name,
        email: SEALED.email,
        url: writer.url === null ? null : SEALED.url,
      };
const settings = (changes: Partial<CommentSettings> = {}): CommentSettings => ({
  ...DEFAULT_COMMENT_SETTINGS,
  ...changes,
});
const history = (changes: Partial<WriterHistory> = {}): WriterHistory => ({
  hasApprovedComment: true,
  lastPostedAt: null,
  clientLastPostedAt: null,
  sameTextOnPost: false,
  sameTextLastPostedAt: null,
  sameTextFromClientAt: null,
  ...changes,
});

function postCommand(changes: Partial<PostComment> = {}): PostComment {
  const writer = changes.writer ?? account('bea');
  return {
    type: 'PostComment',
    commentId: 'c-1',
    postId: 'post-1',
    post: post(),
    writer,
    author: recorded(writer),
    body: 'Great quote!',
    notify: 'none',
    viewerTokenHash: null,
    clientKey: null,
    settings: settings(),
    history: history(),
    ...changes,
  };
}

type Posted = EventData<'parley.comment.posted.v3'>;

function posted(changes: Partial<Posted> = {}): CommentEvent {
  return {
    type: 'parley.comment.posted.v3',
    data: {
      commentId: 'c-1',
      postId: 'post-1',
      parentId: null,
      ancestorIds: [],
      ancestorAuthorIds: [],
      depth: 1,
      author: { kind: 'account', accountId: 'bea', displayName: 'BEA' },
      body: 'Great quote!',
      html: '<p>Great quote!</p>',
      status: 'approved',
      moderationReason: null,
      notify: 'none',
      postAuthorId: 'ann',
      postTitle: 'Movie Quote Monday',
      postSlug: 'movie-quote-monday',
      viewerTokenHash: null,
      postedAt: NOW.toISOString(),
      ...changes,
    },
  };
}

/** A comment already in its stream, to reply to, edit or moderate. */
function existing(changes: Partial<Posted> = {}): CommentEvent {
  return posted({ postedAt: minutesAgo(5), ...changes });
}

const statusOf = (command: PostComment) => {
  const decision = spec.given([]).when(command).decision();
  if (!Array.isArray(decision)) throw new Error(`expected events, got ${JSON.stringify(decision)}`);
  const data = (decision[0] as { data: Posted }).data;
  return { status: data.status, reason: data.moderationReason };
};

describe('the Comment aggregate', () => {
  describe('posting', () => {
    it('posts an approved comment with its Markdown rendered and the post it is on', () => {
      spec
        .given([])
        .when(postCommand({ body: '  Great **quote**!\r\n', notify: 'replies' }))
        .then([
          posted({
            body: 'Great **quote**!',
            html: '<p>Great <strong>quote</strong>!</p>',
            notify: 'replies',
          }),
        ]);
    });

    it('posts as a guest with name, email and website, sealed, and records the viewer token hash', () => {
      const command = postCommand({
        writer: guest,
        viewerTokenHash: 'token-hash',
        history: history({ hasApprovedComment: true }),
      });
      spec
        .given([])
        .when(command)
        .then([
          posted({
            author: {
              kind: 'guest',
              guestId: 'guest-hash',
              name: SEALED.name,
              email: SEALED.email,
              url: SEALED.url,
            },
            viewerTokenHash: 'token-hash',
          }),
        ]);
      const event = JSON.stringify(spec.given([]).when(command).decision());
      for (const plaintext of ['Gus', 'gus@example.com', 'gus.example']) {
        expect(event).not.toContain(plaintext);
      }
    });

    it('records where the comment came from, sealed, in the same commit, and only what is known', () => {
      const origin = { ip: 'pd1.sealed-ip', userAgent: 'pd1.sealed-agent' };
      spec
        .given([])
        .when(postCommand({ origin }))
        .then([
          posted(),
          {
            type: 'parley.comment.origin-recorded.v1',
            data: { commentId: 'c-1', ...origin, recordedAt: NOW.toISOString() },
          },
        ]);
      spec
        .given([])
        .when(postCommand({ origin: { ip: null, userAgent: null } }))
        .then([posted()]);
    });

    it('keeps the comment as it was posted once its origin is recorded', () => {
      spec
        .given([
          posted({ status: 'pending', moderationReason: 'first-comment' }),
          {
            type: 'parley.comment.origin-recorded.v1',
            data: { commentId: 'c-1', ip: null, userAgent: 'pd1.x', recordedAt: NOW.toISOString() },
          },
        ])
        .when({ type: 'ModerateComment', by: actor('mo', ['moderator']), action: 'approve' })
        .then([
          {
            type: 'parley.comment.approved.v1',
            data: { commentId: 'c-1', postId: 'post-1', by: 'mo', at: NOW.toISOString() },
          },
        ]);
    });

    it('refuses a comment on an unknown, deleted, unpublished or closed post', () => {
      spec
        .given([])
        .when(postCommand({ post: null }))
        .thenError('PostNotFound');
      spec
        .given([])
        .when(postCommand({ post: post({ deleted: true }) }))
        .thenError('PostNotFound');
      spec
        .given([])
        .when(postCommand({ post: post({ status: 'draft', firstPublishedAt: null }) }))
        .thenError('PostNotPublished');
      spec
        .given([])
        .when(postCommand({ post: post({ status: 'unpublished' }) }))
        .thenError('PostNotPublished');
      spec
        .given([])
        .when(
          postCommand({ post: post({ commentSettings: { mode: 'closed', autoCloseDays: null } }) }),
        )
        .thenError('CommentsClosed');
    });

    it('closes an auto-closing post the given number of days after its first publication', () => {
      const autoClose = (days: number) =>
        post({
          commentSettings: { mode: 'auto-close', autoCloseDays: days },
          firstPublishedAt: '2026-11-20T12:00:00.000Z',
        });
      spec
        .given([])
        .when(postCommand({ post: autoClose(4) }))
        .thenError('CommentsClosed');
      spec
        .given([])
        .when(postCommand({ post: autoClose(5) }))
        .then([posted()]);
    });

    it('refuses an empty or too long body, counting emoji as one character', () => {
      spec
        .given([])
        .when(postCommand({ body: ' \n\t ' }))
        .thenError('CommentEmpty');
      spec
        .given([])
        .when(postCommand({ body: 'x'.repeat(10_001) }))
        .thenError('CommentTooLong');
      const emoji = '🎉'.repeat(10_000);
      expect(statusOf(postCommand({ body: emoji })).status).toBe('approved');
    });

    it('refuses the same text from the same author on the same post', () => {
      spec
        .given([])
        .when(postCommand({ history: history({ sameTextOnPost: true }) }))
        .thenError('DuplicateComment');
    });

    describe('duplicates across names, emails and addresses', () => {
      const spam = 'Cheap watches and more at https://spam.example, visit us today for deals!';
      const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3600_000);

      it('refuses a text already posted on the post from the same address under another email', () => {
        spec
          .given([])
          .when(
            postCommand({
              writer: guestWith({ email: 'other@example.com' }),
              clientKey: 'client-key-of-the-guest',
              body: 'Thanks!',
              history: history({ sameTextFromClientAt: hoursAgo(1) }),
            }),
          )
          .thenError('DuplicateComment');
      });

      it('refuses a long text someone else posted on the post within a day, from anywhere', () => {
        spec
          .given([])
          .when(
            postCommand({ body: spam, history: history({ sameTextLastPostedAt: hoursAgo(23) }) }),
          )
          .thenError('DuplicateComment');
        spec
          .given([])
          .when(
            postCommand({ body: spam, history: history({ sameTextLastPostedAt: hoursAgo(25) }) }),
          )
          .then([posted({ body: spam, html: expect.stringContaining('spam.example') as string })]);
      });

      it('lets two people say a short thing like "Thanks!" on one post', () => {
        spec
          .given([])
          .when(
            postCommand({
              body: 'Thanks!',
              history: history({ sameTextLastPostedAt: hoursAgo(0) }),
            }),
          )
          .then([posted({ body: 'Thanks!', html: '<p>Thanks!</p>' })]);
      });

      it('does not hold back moderators repeating what a reader said', () => {
        expect(
          statusOf(
            postCommand({
              writer: account('mo', ['moderator']),
              body: spam,
              history: history({
                sameTextLastPostedAt: hoursAgo(0),
                sameTextFromClientAt: hoursAgo(0),
              }),
            }),
          ).status,
        ).toBe('approved');
      });
    });

    describe('flood control', () => {
      it('refuses a second comment from the same address within 15 s, whatever email it gives', () => {
        spec
          .given([])
          .when(
            postCommand({
              writer: guestWith({ email: 'rotated@example.com' }),
              clientKey: 'client-key-of-the-guest',
              history: history({ lastPostedAt: null, clientLastPostedAt: secondsAgo(2) }),
            }),
          )
          .thenError('CommentFlood', { retryAfterSeconds: 13 });
      });

      it('keeps a guest’s client key with the comment, for the next one to be checked against', () => {
        const keyOf = (writer: CommentWriter) => {
          const decision = spec
            .given([])
            .when(postCommand({ writer, clientKey: 'client-key-of-the-writer' }))
            .decision();
          return Array.isArray(decision) ? (decision[0] as { data: Posted }).data.clientKey : null;
        };
        expect(keyOf(guest)).toBe('client-key-of-the-writer');
        expect(keyOf(account('bea'))).toBeUndefined();
      });

      it('knows an account by itself, not by the address it shares with others', () => {
        spec
          .given([])
          .when(
            postCommand({
              clientKey: 'client-key-of-a-shared-office',
              history: history({
                clientLastPostedAt: secondsAgo(1),
                sameTextFromClientAt: secondsAgo(1),
              }),
            }),
          )
          .then([posted()]);
      });

      it('refuses a second comment within 15 s and says when to try again', () => {
        spec
          .given([])
          .when(postCommand({ history: history({ lastPostedAt: secondsAgo(10) }) }))
          .thenError('CommentFlood', {
            retryAfterSeconds: 5,
            retryAt: new Date(NOW.getTime() + 5000).toISOString(),
          });
      });

      it('accepts it once the interval has passed', () => {
        spec
          .given([])
          .when(postCommand({ history: history({ lastPostedAt: secondsAgo(15) }) }))
          .then([posted()]);
      });

      it('follows the configured interval, and none at 0', () => {
        spec
          .given([])
          .when(
            postCommand({
              settings: settings({ floodSeconds: 60 }),
              history: history({ lastPostedAt: secondsAgo(30) }),
            }),
          )
          .thenError('CommentFlood', { retryAfterSeconds: 30 });
        spec
          .given([])
          .when(
            postCommand({
              settings: settings({ floodSeconds: 0 }),
              history: history({ lastPostedAt: secondsAgo(0) }),
            }),
          )
          .then([posted()]);
      });

      it('does not hold back moderators', () => {
        expect(
          statusOf(
            postCommand({
              writer: account('mo', ['moderator']),
              history: history({ lastPostedAt: secondsAgo(1), clientLastPostedAt: secondsAgo(1) }),
            }),
          ).status,
        ).toBe('approved');
      });
    });

    describe('moderation rules', () => {
      it('holds a guest’s first comment until one is approved (on by default for guests)', () => {
        expect(
          statusOf(postCommand({ writer: guest, history: history({ hasApprovedComment: false }) })),
        ).toEqual({ status: 'pending', reason: 'first-comment' });
        expect(
          statusOf(postCommand({ writer: guest, history: history({ hasApprovedComment: true }) })),
        ).toEqual({ status: 'approved', reason: null });
        expect(
          statusOf(
            postCommand({
              writer: guest,
              settings: settings({ requirePreviouslyApproved: { guests: false, accounts: false } }),
              history: history({ hasApprovedComment: false }),
            }),
          ),
        ).toEqual({ status: 'approved', reason: null });
      });

      it('does not hold an account’s first comment by default, but does when configured', () => {
        const first = history({ hasApprovedComment: false });
        expect(statusOf(postCommand({ history: first })).status).toBe('approved');
        expect(
          statusOf(
            postCommand({
              history: first,
              settings: settings({ requirePreviouslyApproved: { guests: true, accounts: true } }),
            }),
          ),
        ).toEqual({ status: 'pending', reason: 'first-comment' });
      });

      it('holds every comment when approval is required', () => {
        expect(statusOf(postCommand({ settings: settings({ requireApproval: true }) }))).toEqual({
          status: 'pending',
          reason: 'approval-required',
        });
      });

      describe('holds a comment with N or more links, as WordPress does', () => {
        const links = (n: number) =>
          ['See', ...Array.from({ length: n }, (_, i) => `[l${i}](https://x${i}.example)`)].join(
            ' ',
          );
        const withLinks = (n: number, maxLinks: number) =>
          statusOf(postCommand({ body: links(n), settings: settings({ maxLinks }) }));
        const held = { status: 'pending', reason: 'too-many-links' };

        it('approves N-1 links and holds N and N+1', () => {
          expect(withLinks(2, 3)).toEqual({ status: 'approved', reason: null });
          expect(withLinks(3, 3)).toEqual(held);
          expect(withLinks(4, 3)).toEqual(held);
        });

        it('holds two links by default, one bare address counted too', () => {
          expect(statusOf(postCommand({ body: links(1) })).status).toBe('approved');
          expect(statusOf(postCommand({ body: `${links(1)} https://bare.example` }))).toEqual(held);
        });

        it('holds any link at 1, and no comment for its links at 0', () => {
          expect(withLinks(0, 1).status).toBe('approved');
          expect(withLinks(1, 1)).toEqual(held);
          expect(withLinks(0, 0).status).toBe('approved');
          expect(withLinks(5, 0).status).toBe('approved');
        });
      });

      it('holds a comment with a hold word in its text, name, email or website, in any case', () => {
        const holding = settings({ holdWords: ['Casino'] });
        expect(statusOf(postCommand({ body: 'visit my CASINO', settings: holding }))).toEqual({
          status: 'pending',
          reason: 'hold-word',
        });
        expect(
          statusOf(
            postCommand({
              writer: guestWith({ url: 'https://casino.example' }),
              settings: holding,
            }),
          ).status,
        ).toBe('pending');
        expect(statusOf(postCommand({ body: 'nice post', settings: holding })).status).toBe(
          'approved',
        );
      });

      it('marks a comment with a disallowed word as spam, before any hold rule', () => {
        expect(
          statusOf(
            postCommand({
              writer: guestWith({ email: 'bot@spam-domain.example' }),
              settings: settings({ spamWords: ['spam-domain'], requireApproval: true }),
            }),
          ),
        ).toEqual({ status: 'spam', reason: 'spam-word' });
      });

      it('approves what moderators and the post’s author write, whatever the rules', () => {
        const strict = settings({ requireApproval: true, holdWords: ['quote'] });
        expect(
          statusOf(postCommand({ writer: account('mo', ['moderator']), settings: strict })).status,
        ).toBe('approved');
        expect(statusOf(postCommand({ writer: account('ann'), settings: strict })).status).toBe(
          'approved',
        );
        expect(
          statusOf(postCommand({ writer: account('root', ['admin']), settings: strict })).status,
        ).toBe('approved');
      });
    });

    describe('replies', () => {
      const parentEvent = existing({ commentId: 'p-1' });
      const reply = (changes: Partial<PostComment> = {}, parent = parentEvent) => {
        const parentState = commentDecider.evolve(null, parent);
        return postCommand({
          commentId: 'r-1',
          writer: account('cy'),
          parent: { id: 'p-1', state: parentState },
          ...changes,
        });
      };

      it('records the parent chain, root first, and the ancestors’ authors', () => {
        const parent = existing({
          commentId: 'p-1',
          parentId: 'g-1',
          ancestorIds: ['g-1'],
          ancestorAuthorIds: [null],
          depth: 2,
        });
        spec
          .given([])
          .when(reply({}, parent))
          .then([
            posted({
              commentId: 'r-1',
              author: { kind: 'account', accountId: 'cy', displayName: 'CY' },
              parentId: 'p-1',
              ancestorIds: ['g-1', 'p-1'],
              ancestorAuthorIds: [null, 'bea'],
              depth: 3,
            }),
          ]);
      });

      it('shows a reply to a comment at the maximum depth at that depth, still answering it', () => {
        const deepest = existing({
          commentId: 'p-1',
          parentId: 'p-0',
          ancestorIds: ['a', 'b', 'c', 'p-0'],
          ancestorAuthorIds: ['x', 'x', 'x', 'x'],
          depth: 5,
        });
        const decision = spec.given([]).when(reply({}, deepest)).decision();
        expect(decision).toEqual([
          expect.objectContaining({
            data: expect.objectContaining({
              parentId: 'p-1',
              depth: 5,
              ancestorIds: ['a', 'b', 'c', 'p-0', 'p-1'],
            }),
          }),
        ]);
      });

      it('follows the configured thread depth', () => {
        const second = existing({
          commentId: 'p-1',
          parentId: 'p-0',
          ancestorIds: ['p-0'],
          ancestorAuthorIds: ['x'],
          depth: 2,
        });
        const decide = (threadDepth: number) =>
          (
            spec
              .given([])
              .when(reply({ settings: settings({ threadDepth }) }, second))
              .decision() as unknown as { data: Posted }[]
          )[0]?.data.depth;
        expect(decide(2)).toBe(2);
        expect(decide(3)).toBe(3);
        expect(decide(10)).toBe(3);
      });

      it('refuses a reply to a missing, removed or deleted comment, or one on another post', () => {
        spec
          .given([])
          .when(postCommand({ parent: { id: 'nope', state: null } }))
          .thenError('ParentNotFound');
        spec
          .given([])
          .when(reply({}, existing({ commentId: 'p-1', status: 'spam' })))
          .thenError('ParentNotFound');
        spec
          .given([])
          .when(reply({}, existing({ commentId: 'p-1', postId: 'post-2' })))
          .thenError('ParentOnAnotherPost');
        const deleted = {
          ...commentDecider.evolve(null, parentEvent)!,
          deleted: true,
        };
        spec
          .given([])
          .when(postCommand({ parent: { id: 'p-1', state: deleted } }))
          .thenError('ParentDeleted');
      });

      it('lets only moderators answer a comment awaiting moderation', () => {
        const held = existing({ commentId: 'p-1', status: 'pending' });
        spec.given([]).when(reply({}, held)).thenError('ParentAwaitingModeration');
        expect(statusOf(reply({ writer: account('ann') }, held)).status).toBe('approved');
      });
    });

    it('cannot post the same comment twice', () => {
      spec.given([posted()]).when(postCommand()).thenError('CommentAlreadyExists');
    });
  });

  describe('editing', () => {
    const edit = (by: Actor, body = 'Edited text', changes: Partial<CommentSettings> = {}) => ({
      type: 'EditComment' as const,
      by,
      body,
      settings: settings(changes),
    });
    const edited = (
      changes: Partial<EventData<'parley.comment.edited.v1'>> = {},
    ): CommentEvent => ({
      type: 'parley.comment.edited.v1',
      data: {
        commentId: 'c-1',
        postId: 'post-1',
        body: 'Edited text',
        html: '<p>Edited text</p>',
        editedBy: 'bea',
        byModerator: false,
        editedAt: NOW.toISOString(),
        ...changes,
      },
    });

    it('lets the author edit within the window (15 minutes by default)', () => {
      spec
        .given([existing()])
        .when(edit(actor('bea')))
        .then([edited()]);
      spec
        .given([existing({ postedAt: minutesAgo(15) })])
        .when(edit(actor('bea')))
        .thenError('EditWindowClosed', { editWindowMinutes: 15 });
    });

    it('follows the configured window; 0 means authors cannot edit', () => {
      spec
        .given([existing({ postedAt: minutesAgo(50) })])
        .when(edit(actor('bea'), 'Edited text', { editWindowMinutes: 60 }))
        .then([edited()]);
      spec
        .given([existing({ postedAt: minutesAgo(0) })])
        .when(edit(actor('bea'), 'Edited text', { editWindowMinutes: 0 }))
        .thenError('EditWindowClosed');
    });

    it('lets moderators and the post’s author edit any comment at any time, shown as such', () => {
      spec
        .given([existing({ postedAt: minutesAgo(600) })])
        .when(edit(actor('mo', ['moderator'])))
        .then([edited({ editedBy: 'mo', byModerator: true })]);
      spec
        .given([existing({ postedAt: minutesAgo(600) })])
        .when(edit(actor('ann')))
        .then([edited({ editedBy: 'ann', byModerator: true })]);
    });

    it('refuses an edit of someone else’s comment, or of a guest’s', () => {
      spec
        .given([existing()])
        .when(edit(actor('cy')))
        .thenError('NotAllowed');
      spec
        .given([
          existing({
            author: {
              kind: 'guest',
              guestId: 'g',
              name: 'Gus',
              email: 'gus@example.com',
              url: null,
            },
          }),
        ])
        .when(edit(actor('gus')))
        .thenError('NotAllowed');
    });

    it('changes nothing when the text is the same', () => {
      spec
        .given([existing()])
        .when(edit(actor('bea'), 'Great quote! '))
        .then([]);
    });

    it('refuses an empty text, a deleted comment and one a moderator removed', () => {
      spec
        .given([existing()])
        .when(edit(actor('bea'), '  '))
        .thenError('CommentEmpty');
      spec
        .given([existing(), deleted('bea')])
        .when(edit(actor('bea')))
        .thenError('CommentDeleted');
      spec
        .given([existing({ status: 'spam' })])
        .when(edit(actor('bea')))
        .thenError('CommentNotEditable');
      spec
        .given([])
        .when(edit(actor('bea')))
        .thenError('CommentNotFound');
    });

    it('applies the content rules again when an author edits an approved comment', () => {
      const moderation = { commentId: 'c-1', postId: 'post-1', by: 'bea', at: NOW.toISOString() };
      spec
        .given([existing()])
        .when(edit(actor('bea'), 'buy pills', { spamWords: ['pills'] }))
        .then([
          edited({ body: 'buy pills', html: '<p>buy pills</p>' }),
          { type: 'parley.comment.marked-spam.v1', data: moderation },
        ]);
      spec
        .given([existing()])
        .when(edit(actor('bea'), 'see https://a.example', { maxLinks: 1 }))
        .then([
          edited({
            body: 'see https://a.example',
            html: '<p>see <a href="https://a.example" rel="nofollow ugc">https://a.example</a></p>',
          }),
          { type: 'parley.comment.unapproved.v1', data: moderation },
        ]);
    });
  });

  describe('deleting', () => {
    const remove = (by: Actor) => ({ type: 'DeleteComment' as const, by });

    it('lets the author delete their comment, once', () => {
      spec
        .given([existing()])
        .when(remove(actor('bea')))
        .then([deleted('bea')]);
      spec
        .given([existing(), deleted('bea')])
        .when(remove(actor('bea')))
        .then([]);
    });

    it('lets moderators delete any comment, and nobody else', () => {
      spec
        .given([existing()])
        .when(remove(actor('mo', ['admin'])))
        .then([deleted('mo')]);
      spec
        .given([existing()])
        .when(remove(actor('cy')))
        .thenError('NotAllowed');
    });
  });

  describe('erasing the author', () => {
    const erase = (
      mode: 'anonymize' | 'remove',
      author: EraseAuthor['author'] = { kind: 'account', accountId: 'bea' },
    ): EraseAuthor => ({ type: 'EraseAuthor', author, mode });
    const erased = (mode: 'anonymize' | 'remove', author: EraseAuthor['author']) =>
      ({
        type: 'parley.comment.author-erased.v1',
        data: { commentId: 'c-1', postId: 'post-1', author, mode, erasedAt: NOW.toISOString() },
      }) as const;
    const gus = { kind: 'guest', guestId: 'guest-hash' } as const;
    const byGus = existing({
      author: {
        kind: 'guest',
        guestId: 'guest-hash',
        name: 'Gus',
        email: 'gus@example.com',
        url: null,
      },
    });

    it('erases an account’s comment, once per mode', () => {
      const bea = { kind: 'account', accountId: 'bea' } as const;
      spec
        .given([existing()])
        .when(erase('anonymize'))
        .then([erased('anonymize', bea)]);
      spec
        .given([existing(), erased('anonymize', bea)])
        .when(erase('anonymize'))
        .then([]);
    });

    it('erases a guest’s comment by their guest id', () => {
      spec
        .given([byGus])
        .when(erase('remove', gus))
        .then([erased('remove', gus)]);
    });

    it('refuses a comment by someone else', () => {
      spec
        .given([byGus])
        .when(erase('anonymize', { kind: 'guest', guestId: 'another' }))
        .thenError('NotTheAuthor');
      spec.given([existing()]).when(erase('anonymize', gus)).thenError('NotTheAuthor');
    });

    it('removes an anonymized comment, and a removed one stays removed', () => {
      spec
        .given([byGus, erased('anonymize', gus)])
        .when(erase('remove', gus))
        .then([erased('remove', gus)]);
      spec
        .given([byGus, erased('remove', gus)])
        .when(erase('anonymize', gus))
        .then([]);
    });

    it('leaves a removed comment as a tombstone with no text', () => {
      const state = [byGus, erased('remove', gus)].reduce(
        commentDecider.evolve,
        commentDecider.initialState,
      );
      expect(state).toMatchObject({ deleted: true, erased: 'remove', body: '', html: '' });
    });

    it('names no account to notify in a reply to an erased author', () => {
      const parent = [
        existing({ commentId: 'p-1' }),
        erased('anonymize', { kind: 'account', accountId: 'bea' }),
      ]
        .map((e) => ({ ...e, data: { ...e.data, commentId: 'p-1' } }) as CommentEvent)
        .reduce(commentDecider.evolve, commentDecider.initialState);
      const decision = spec
        .given([])
        .when(
          postCommand({
            commentId: 'r-1',
            writer: account('cy'),
            parent: { id: 'p-1', state: parent },
          }),
        )
        .decision();
      expect(decision).toMatchObject([{ data: { parentId: 'p-1', ancestorAuthorIds: [null] } }]);
    });
  });

  describe('moderation', () => {
    const moderate = (
      action: 'approve' | 'unapprove' | 'spam' | 'trash' | 'restore',
      by: Actor = actor('mo', ['moderator']),
    ) => ({ type: 'ModerateComment' as const, by, action });
    const data = { commentId: 'c-1', postId: 'post-1', by: 'mo', at: NOW.toISOString() };
    const held = existing({ status: 'pending', moderationReason: 'first-comment' });
    const approved = existing();
    const spammed: CommentEvent = { type: 'parley.comment.marked-spam.v1', data };
    const trashed: CommentEvent = { type: 'parley.comment.trashed.v1', data };
    const restoredAs = (status: 'approved' | 'pending'): CommentEvent => ({
      type: 'parley.comment.restored.v1',
      data: { ...data, status },
    });

    it('approves a held comment, once', () => {
      spec
        .given([held])
        .when(moderate('approve'))
        .then([{ type: 'parley.comment.approved.v1', data }]);
      spec.given([approved]).when(moderate('approve')).then([]);
    });

    it('unapproves, marks spam and trashes, each once', () => {
      spec
        .given([approved])
        .when(moderate('unapprove'))
        .then([{ type: 'parley.comment.unapproved.v1', data }]);
      spec.given([held]).when(moderate('unapprove')).then([]);
      spec.given([approved]).when(moderate('spam')).then([spammed]);
      spec.given([approved, spammed]).when(moderate('spam')).then([]);
      spec.given([held]).when(moderate('trash')).then([trashed]);
      spec.given([held, trashed]).when(moderate('trash')).then([]);
    });

    it('restores a comment to the status it had before spam or trash', () => {
      spec
        .given([approved, trashed])
        .when(moderate('restore'))
        .then([restoredAs('approved')]);
      spec
        .given([held, spammed, trashed])
        .when(moderate('restore'))
        .then([restoredAs('pending')]);
      spec.given([approved]).when(moderate('restore')).then([]);
    });

    it('approving a trashed comment restores it as approved; unapproving spam restores it as held', () => {
      spec
        .given([held, trashed])
        .when(moderate('approve'))
        .then([restoredAs('approved')]);
      spec
        .given([approved, spammed])
        .when(moderate('unapprove'))
        .then([restoredAs('pending')]);
      spec
        .given([held, spammed])
        .when(moderate('approve'))
        .then([{ type: 'parley.comment.approved.v1', data }]);
    });

    it('lets the post’s author moderate comments on their post, and no other reader', () => {
      spec
        .given([held])
        .when(moderate('approve', actor('ann', ['author'])))
        .then([{ type: 'parley.comment.approved.v1', data: { ...data, by: 'ann' } }]);
      spec
        .given([held])
        .when(moderate('approve', actor('bea', ['author'])))
        .thenError('NotAllowed');
    });

    it('refuses to moderate a deleted or unknown comment', () => {
      spec
        .given([approved, deleted('bea')])
        .when(moderate('trash'))
        .thenError('CommentDeleted');
      spec.given([]).when(moderate('trash')).thenError('CommentNotFound');
    });
  });
});

function deleted(by: string): CommentEvent {
  return {
    type: 'parley.comment.deleted.v1',
    data: { commentId: 'c-1', postId: 'post-1', deletedBy: by, deletedAt: NOW.toISOString() },
  };
}

describe('importing a comment from WordPress', () => {
  const ORIGINAL = new Date('2013-03-14T15:14:47.000Z');
  const imported = { system: 'wordpress' as const, site: 'https://blog.example', id: '915' };
  const importCommand = (changes: Partial<ImportComment> = {}): ImportComment => ({
    type: 'ImportComment',
    commentId: 'c-1',
    post: post(),
    writer: changes.writer ?? guest,
    author: recorded(changes.writer ?? guest),
    content: 'Comment Depth 10\n\nAlso an <b>author</b> comment.',
    status: 'approved',
    kind: 'comment',
    postedAt: ORIGINAL,
    imported,
    by: 'importer',
    settings: settings(),
    ...changes,
  });
  const importedPosted = (changes: Partial<Posted> = {}) =>
    posted({
      author: recorded(guest),
      body: 'Comment Depth 10\n\nAlso an author comment.',
      html: '<p>Comment Depth 10</p>\n<p>Also an <strong>author</strong> comment.</p>',
      postedAt: ORIGINAL.toISOString(),
      imported,
      ...changes,
    });

  it('keeps the original date and status, marks the comment imported and asks for no notification', () => {
    spec.given([]).when(importCommand()).then([importedPosted()]);
    spec
      .given([])
      .when(importCommand({ status: 'pending' }))
      .then([importedPosted({ status: 'pending' })]);
  });

  it('is accepted on a post closed for comments or not published, as it was there', () => {
    spec
      .given([])
      .when(
        importCommand({
          post: post({ status: 'draft', commentSettings: { mode: 'closed', autoCloseDays: null } }),
        }),
      )
      .then([importedPosted()]);
  });

  it('adds nothing when the same comment is imported again', () => {
    spec.given([importedPosted()]).when(importCommand()).then([]);
  });

  it('brings a trashed comment to the trash, and keeps pingbacks and trackbacks as their kind', () => {
    spec
      .given([])
      .when(importCommand({ status: 'trash' }))
      .then([
        importedPosted({ status: 'pending' }),
        {
          type: 'parley.comment.trashed.v1',
          data: { commentId: 'c-1', postId: 'post-1', by: 'importer', at: ORIGINAL.toISOString() },
        },
      ]);
    spec
      .given([])
      .when(importCommand({ kind: 'pingback', content: '[...] Just a short one. [...]' }))
      .then([
        importedPosted({
          kind: 'pingback',
          body: '[...] Just a short one. [...]',
          html: '<p>[...] Just a short one. [...]</p>',
        }),
      ]);
  });

  it('nests a reply under its parent, below the deepest level at the deepest level', () => {
    const parent = existing({
      commentId: 'p-1',
      ancestorIds: ['r-1'],
      ancestorAuthorIds: [null],
      depth: 5,
      status: 'pending',
    });
    const parentState = commentDecider.evolve(null, parent);
    spec
      .given([])
      .when(importCommand({ parent: { id: 'p-1', state: parentState } }))
      .then([
        importedPosted({
          parentId: 'p-1',
          ancestorIds: ['r-1', 'p-1'],
          ancestorAuthorIds: [null, 'bea'],
          depth: 5,
        }),
      ]);
    spec
      .given([])
      .when(importCommand({ parent: { id: 'p-1', state: null } }))
      .thenError('ParentNotFound');
  });

  it('refuses a comment on a post that was not imported, or with no text', () => {
    spec
      .given([])
      .when(importCommand({ post: null }))
      .thenError('PostNotFound');
    spec
      .given([])
      .when(importCommand({ content: '<img src="x.png">' }))
      .thenError('CommentEmpty');
  });
});
