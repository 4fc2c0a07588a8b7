import { COMMENT_STATUSES, type CommentStatus } from '@parley/contracts';
import { type CommentStreamEvent, commentStatusAfter } from './comment-status';

const ref = { commentId: 'c1', postId: 'p1' };
const moderation = { ...ref, by: 'm1', at: '2026-01-01T00:00:00.000Z' };

function posted(status: 'approved' | 'pending' | 'spam'): CommentStreamEvent {
  return {
    type: 'parley.comment.posted.v3',
    data: {
      ...ref,
      parentId: null,
      ancestorIds: [],
      ancestorAuthorIds: [],
      depth: 1,
      author: { kind: 'account', accountId: 'a1', displayName: 'Ada' },
      body: 'Hello',
      html: '<p>Hello</p>',
      status,
      moderationReason: status === 'approved' ? null : 'first-comment',
      notify: 'none',
      postAuthorId: 'a0',
      postTitle: 'A post',
      postSlug: 'a-post',
      viewerTokenHash: null,
      postedAt: '2026-01-01T00:00:00.000Z',
    },
  };
}

type After = Record<CommentStatus, CommentStatus>;
const always = (status: CommentStatus): After => ({
  pending: status,
  approved: status,
  spam: status,
  trash: status,
});
const unchanged: After = { pending: 'pending', approved: 'approved', spam: 'spam', trash: 'trash' };

/** Every event of a comment's stream, and the status it leaves from each status before it. */
const table: Record<CommentStreamEvent['type'], [string, CommentStreamEvent, After][]> = {
  'parley.comment.posted.v3': [
    ['posted approved', posted('approved'), always('approved')],
    ['posted held', posted('pending'), always('pending')],
    ['posted as spam', posted('spam'), always('spam')],
  ],
  'parley.comment.approved.v1': [
    ['approved', { type: 'parley.comment.approved.v1', data: moderation }, always('approved')],
  ],
  'parley.comment.unapproved.v1': [
    ['unapproved', { type: 'parley.comment.unapproved.v1', data: moderation }, always('pending')],
  ],
  'parley.comment.marked-spam.v1': [
    ['marked spam', { type: 'parley.comment.marked-spam.v1', data: moderation }, always('spam')],
  ],
  'parley.comment.trashed.v1': [
    ['trashed', { type: 'parley.comment.trashed.v1', data: moderation }, always('trash')],
  ],
  'parley.comment.restored.v1': [
    [
      'restored to approved',
      { type: 'parley.comment.restored.v1', data: { ...moderation, status: 'approved' } },
      always('approved'),
    ],
    [
      'restored to held',
      { type: 'parley.comment.restored.v1', data: { ...moderation, status: 'pending' } },
      always('pending'),
    ],
  ],
  'parley.comment.edited.v1': [
    [
      'edited',
      {
        type: 'parley.comment.edited.v1',
        data: {
          ...ref,
          body: 'Hi',
          html: '<p>Hi</p>',
          editedBy: 'a1',
          byModerator: false,
          editedAt: '2026-01-01T00:01:00.000Z',
        },
      },
      unchanged,
    ],
  ],
  'parley.comment.deleted.v1': [
    [
      'deleted',
      {
        type: 'parley.comment.deleted.v1',
        data: { ...ref, deletedBy: 'a1', deletedAt: '2026-01-01T00:02:00.000Z' },
      },
      unchanged,
    ],
  ],
  'parley.comment.author-erased.v1': [
    [
      'author erased',
      {
        type: 'parley.comment.author-erased.v1',
        data: {
          ...ref,
          author: { kind: 'guest', guestId: 'g1' },
          mode: 'remove',
          erasedAt: '2026-01-01T00:03:00.000Z',
        },
      },
      unchanged,
    ],
  ],
};

const rows = Object.values(table)
  .flat()
  .flatMap(([label, event, after]) =>
    COMMENT_STATUSES.map((before) => [label, before, event, after[before]] as const),
  );

describe('commentStatusAfter', () => {
  it.each(rows)('%s, from %s', (_label, before, event, expected) => {
    expect(commentStatusAfter(before, event)).toBe(expected);
  });

  it('folds a comment’s history to the status a reader and a moderator see', () => {
    const history = [
      posted('pending'),
      table['parley.comment.approved.v1'][0]![1],
      table['parley.comment.marked-spam.v1'][0]![1],
      table['parley.comment.restored.v1'][0]![1],
      table['parley.comment.deleted.v1'][0]![1],
    ];
    const statuses: CommentStatus[] = [];
    history.reduce<CommentStatus>((before, event) => {
      const after = commentStatusAfter(before, event);
      statuses.push(after);
      return after;
    }, 'pending');
    expect(statuses).toEqual(['pending', 'approved', 'spam', 'approved', 'approved']);
  });
});
