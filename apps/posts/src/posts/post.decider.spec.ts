import { POST_BODY_MAX_BYTES } from '@parley/contracts';
import { deciderSpec } from '@parley/testing';
import {
  type Editor,
  type PostCommand,
  type PostEvent,
  type PostErrorCode,
  postDecider,
} from './post.decider';

const now = new Date('2026-11-24T12:00:00.000Z');
const at = now.toISOString();
const spec = deciderSpec(postDecider, () => now);

const author: Editor = { accountId: 'amy', roles: ['author'] };
const admin: Editor = { accountId: 'root', roles: ['admin'] };
const otherAuthor: Editor = { accountId: 'bo', roles: ['author'] };
const open = { mode: 'open' as const, autoCloseDays: null };

type Drafted = Extract<PostEvent, { type: 'parley.post.drafted.v2' }>;
type Published = Extract<PostEvent, { type: 'parley.post.published.v2' }>;
type Edited = Extract<PostEvent, { type: 'parley.post.edited.v1' }>;

const drafted: Drafted = {
  type: 'parley.post.drafted.v2',
  data: {
    postId: 'p1',
    authorId: 'amy',
    slug: 'her',
    title: 'Her',
    body: 'A film about **love** and an operating system.',
    excerpt: 'A film about love and an operating system.',
    autoExcerpt: true,
    categories: ['Movies'],
    tags: ['spike jonze'],
    series: 'Movie Quote Monday',
    commentSettings: open,
    draftedAt: '2026-11-20T08:00:00.000Z',
  },
};

function publishedEvent(
  publishedAt: string,
  firstPublication: boolean,
  publishedBy: string | null,
): Published {
  return {
    type: 'parley.post.published.v2',
    data: {
      postId: 'p1',
      slug: 'her',
      title: 'Her',
      excerpt: 'A film about love and an operating system.',
      authorId: 'amy',
      firstPublication,
      publishedAt,
      publishedBy,
    },
  };
}

const scheduledFor = (publishAt: string): PostEvent => ({
  type: 'parley.post.scheduled.v1',
  data: { postId: 'p1', publishAt, scheduledBy: 'amy' },
});
const unpublishedAt = (unpublishedAt: string): PostEvent => ({
  type: 'parley.post.unpublished.v1',
  data: { postId: 'p1', unpublishedBy: 'amy', unpublishedAt },
});
const deletedAt = (deletedAt: string): PostEvent => ({
  type: 'parley.post.deleted.v1',
  data: { postId: 'p1', deletedBy: 'amy', deletedAt },
});

const published = publishedEvent('2026-11-21T09:00:00.000Z', true, 'amy');
const scheduled = scheduledFor('2026-11-27T09:00:00.000Z');
const unpublished = unpublishedAt('2026-11-22T09:00:00.000Z');
const deleted = deletedAt('2026-11-23T09:00:00.000Z');

function edited(revision: number, changes: Partial<Edited['data']>): Edited {
  const d = drafted.data;
  return {
    type: 'parley.post.edited.v1',
    data: {
      postId: 'p1',
      revision,
      slug: d.slug,
      title: d.title,
      body: d.body,
      excerpt: d.excerpt,
      autoExcerpt: d.autoExcerpt,
      categories: d.categories,
      tags: d.tags,
      series: d.series,
      editedBy: 'amy',
      editedAt: at,
      ...changes,
    },
  };
}

const draft = (overrides: Partial<Extract<PostCommand, { type: 'DraftPost' }>> = {}) =>
  ({
    type: 'DraftPost',
    postId: 'p1',
    author,
    slug: 'her',
    content: {
      title: 'Her',
      body: 'A film about **love** and an operating system.',
      excerpt: null,
      categories: ['Movies'],
      tags: ['spike jonze'],
      series: 'Movie Quote Monday',
    },
    commentSettings: open,
    ...overrides,
  }) satisfies PostCommand;

type EditPost = Extract<PostCommand, { type: 'EditPost' }>;

/** The author edits the post; `more` gives a slug, an expected revision or another editor. */
const edit = (changes: EditPost['changes'], more: Partial<EditPost> = {}): EditPost => ({
  type: 'EditPost',
  by: author,
  changes,
  ...more,
});
const scheduleAt = (publishAt: Date): PostCommand => ({
  type: 'SchedulePost',
  by: author,
  publishAt,
});

/** Every command an editor can give an existing post. */
const editorCommands: PostCommand[] = [
  edit({ title: 'Her (2013)' }),
  { type: 'PublishPost', by: author },
  scheduleAt(new Date('2026-12-01T09:00:00.000Z')),
  { type: 'UnpublishPost', by: author },
  { type: 'DeletePost', by: author },
  {
    type: 'ChangeCommentSettings',
    by: author,
    commentSettings: { mode: 'closed', autoCloseDays: null },
  },
];

describe('the post decider', () => {
  describe('drafting', () => {
    it('drafts a post with its slug, an excerpt cut from the body and the comment settings', () => {
      spec
        .given([])
        .when(draft())
        .then([{ ...drafted, data: { ...drafted.data, draftedAt: at } }]);
    });

    it('keeps an excerpt the author wrote, and cleans up the title and the taxonomy', () => {
      spec
        .given([])
        .when(
          draft({
            content: {
              title: '  Her   ',
              body: 'Body',
              excerpt: 'Joaquin Phoenix falls for Samantha.',
              categories: [' Movies ', 'movies', 'Reviews'],
              tags: [],
              series: null,
            },
          }),
        )
        .then([
          {
            type: 'parley.post.drafted.v2',
            data: {
              ...drafted.data,
              title: 'Her',
              body: 'Body',
              excerpt: 'Joaquin Phoenix falls for Samantha.',
              autoExcerpt: false,
              categories: ['Movies', 'Reviews'],
              tags: [],
              series: null,
              draftedAt: at,
            },
          },
        ]);
    });

    it('lets admins draft too', () => {
      const decision = spec
        .given([])
        .when(draft({ author: { accountId: 'root', roles: ['admin'] } }))
        .decision();
      expect(decision).toHaveLength(1);
    });

    it('refuses readers and moderators: only authors and admins write posts', () => {
      for (const roles of [['reader'], ['moderator'], []] as const) {
        spec
          .given([])
          .when(draft({ author: { accountId: 'r', roles: [...roles] } }))
          .thenError('NotAllowed');
      }
    });

    it('refuses a blank title', () => {
      spec
        .given([])
        .when(draft({ content: { ...draft().content, title: '   ' } }))
        .thenError('EmptyTitle');
    });

    it('refuses a body over the size limit, counted in bytes', () => {
      const atTheLimit = spec
        .given([])
        .when(draft({ content: { ...draft().content, body: 'é'.repeat(POST_BODY_MAX_BYTES / 2) } }))
        .decision();
      expect(atTheLimit).toHaveLength(1);
      spec
        .given([])
        .when(
          draft({ content: { ...draft().content, body: 'é'.repeat(POST_BODY_MAX_BYTES / 2 + 1) } }),
        )
        .thenError('BodyTooLarge', { maxBytes: POST_BODY_MAX_BYTES });
    });

    it('refuses comment settings that do not fit together', () => {
      spec
        .given([])
        .when(draft({ commentSettings: { mode: 'auto-close', autoCloseDays: null } }))
        .thenError('InvalidCommentSettings');
      spec
        .given([])
        .when(draft({ commentSettings: { mode: 'open', autoCloseDays: 14 } }))
        .thenError('InvalidCommentSettings');
    });

    it('refuses to draft a post twice', () => {
      spec.given([drafted]).when(draft()).thenError('PostExists');
    });
  });

  describe('editing', () => {
    it('edits the content with the next revision, and the slug follows the title before publication', () => {
      spec
        .given([drafted])
        .when(
          edit(
            { title: 'Her (2013)', body: 'New *body*' },
            { slug: 'her-2013', expectedRevision: 1 },
          ),
        )
        .then([
          edited(2, {
            title: 'Her (2013)',
            slug: 'her-2013',
            body: 'New *body*',
            excerpt: 'New body',
          }),
        ]);
    });

    it('keeps the slug once the post has been published, even after an unpublish', () => {
      spec
        .given([drafted, published, unpublished])
        .when(edit({ title: 'Her (2013)' }, { slug: 'her-2013' }))
        .then([edited(2, { title: 'Her (2013)' })]);
    });

    it('keeps a custom excerpt when the body changes, and cuts one again when it is cleared', () => {
      const custom = edited(2, { excerpt: 'Mine', autoExcerpt: false });
      spec
        .given([drafted, custom])
        .when(edit({ body: 'Other body' }))
        .then([edited(3, { body: 'Other body', excerpt: 'Mine', autoExcerpt: false })]);
      spec
        .given([drafted, custom])
        .when(edit({ excerpt: null }))
        .then([edited(3, {})]);
    });

    it('lets an admin edit somebody else’s post', () => {
      spec
        .given([drafted])
        .when(edit({ tags: ['romance'] }, { by: admin }))
        .then([edited(2, { tags: ['romance'], editedBy: 'root' })]);
    });

    it('decides nothing when the edit changes nothing, whatever revision it was made from', () => {
      spec
        .given([drafted, edited(2, { title: 'Her (2013)' })])
        .when(edit({ title: 'Her (2013)' }, { expectedRevision: 1 }))
        .then([]);
    });

    it('refuses an edit made from an older revision, and says which revision is current', () => {
      spec
        .given([drafted, edited(2, { title: 'Her (2013)' })])
        .when(edit({ body: 'Mine' }, { expectedRevision: 1 }))
        .thenError('RevisionConflict', { currentRevision: 2, expectedRevision: 1 });
    });

    it('refuses a blank title and an oversized body', () => {
      spec
        .given([drafted])
        .when(edit({ title: '' }))
        .thenError('EmptyTitle');
      spec
        .given([drafted])
        .when(edit({ body: 'x'.repeat(POST_BODY_MAX_BYTES + 1) }))
        .thenError('BodyTooLarge');
    });
  });

  describe('publishing', () => {
    it('publishes a draft now, the first time with firstPublication', () => {
      spec
        .given([drafted])
        .when({ type: 'PublishPost', by: author })
        .then([publishedEvent(at, true, 'amy')]);
    });

    it('publishes a scheduled post at once when asked', () => {
      spec
        .given([drafted, scheduled])
        .when({ type: 'PublishPost', by: author })
        .then([publishedEvent(at, true, 'amy')]);
    });

    it('republishes an unpublished post without announcing it as new', () => {
      spec
        .given([drafted, published, unpublished])
        .when({ type: 'PublishPost', by: admin })
        .then([publishedEvent(at, false, 'root')]);
    });

    it('decides nothing for a post that is published already', () => {
      spec.given([drafted, published]).when({ type: 'PublishPost', by: author }).then([]);
    });
  });

  describe('scheduling', () => {
    it('schedules a draft for a future time, in UTC', () => {
      spec
        .given([drafted])
        .when(scheduleAt(new Date('2026-11-27T11:00:00+02:00')))
        .then([scheduled]);
    });

    it('moves a schedule to another time, and decides nothing for the same time', () => {
      spec
        .given([drafted, scheduled])
        .when(scheduleAt(new Date('2026-11-28T09:00:00Z')))
        .then([scheduledFor('2026-11-28T09:00:00.000Z')]);
      spec
        .given([drafted, scheduled])
        .when(scheduleAt(new Date('2026-11-27T09:00:00Z')))
        .then([]);
    });

    it('refuses a time that is not in the future', () => {
      spec.given([drafted]).when(scheduleAt(now)).thenError('ScheduleInPast');
      spec
        .given([drafted])
        .when(scheduleAt(new Date('2026-11-01T00:00:00Z')))
        .thenError('ScheduleInPast');
    });

    it('refuses to schedule a published post', () => {
      spec
        .given([drafted, published])
        .when(scheduleAt(new Date('2026-12-01T00:00:00Z')))
        .thenError('AlreadyPublished');
    });
  });

  describe('the scheduler', () => {
    const due = deciderSpec(postDecider, () => new Date('2026-11-27T09:00:00.000Z'));

    it('publishes a scheduled post when its time has come, dated at the scheduled time', () => {
      deciderSpec(postDecider, () => new Date('2026-11-27T09:00:03.000Z'))
        .given([drafted, scheduled])
        .when({ type: 'PublishDuePost' })
        .then([publishedEvent('2026-11-27T09:00:00.000Z', true, null)]);
    });

    it('decides nothing before the time, nor for a post published, unscheduled or deleted since', () => {
      spec.given([drafted, scheduled]).when({ type: 'PublishDuePost' }).then([]);
      due
        .given([drafted, scheduled, publishedEvent('2026-11-25T00:00:00.000Z', true, 'amy')])
        .when({ type: 'PublishDuePost' })
        .then([]);
      due.given([drafted, scheduled, unpublished]).when({ type: 'PublishDuePost' }).then([]);
      due.given([drafted, scheduled, deleted]).when({ type: 'PublishDuePost' }).then([]);
      due.given([drafted]).when({ type: 'PublishDuePost' }).then([]);
    });

    it('does not publish twice when a second pass or replica comes after the first', () => {
      const first = publishedEvent('2026-11-27T09:00:00.000Z', true, null);
      due.given([drafted, scheduled, first]).when({ type: 'PublishDuePost' }).then([]);
    });
  });

  describe('unpublishing', () => {
    it.each<[string, PostEvent[]]>([
      ['a published post back to draft', [drafted, published]],
      ['a scheduled post back to draft, cancelling the schedule', [drafted, scheduled]],
    ])('takes %s', (_, history) => {
      spec
        .given(history)
        .when({ type: 'UnpublishPost', by: author })
        .then([unpublishedAt(at)]);
    });

    it('decides nothing for a draft', () => {
      spec.given([drafted]).when({ type: 'UnpublishPost', by: author }).then([]);
      spec
        .given([drafted, published, unpublished])
        .when({ type: 'UnpublishPost', by: author })
        .then([]);
    });
  });

  describe('deleting', () => {
    it('deletes a post in any state, and a second delete decides nothing', () => {
      for (const history of [[drafted], [drafted, scheduled], [drafted, published]]) {
        spec
          .given(history)
          .when({ type: 'DeletePost', by: author })
          .then([deletedAt(at)]);
      }
      spec.given([drafted, deleted]).when({ type: 'DeletePost', by: author }).then([]);
    });

    it('refuses every other change of a deleted post', () => {
      for (const command of editorCommands.filter((c) => c.type !== 'DeletePost')) {
        spec.given([drafted, published, deleted]).when(command).thenError('PostDeleted');
      }
    });
  });

  describe('comment settings', () => {
    it('changes the settings, and decides nothing when they are the same', () => {
      const settings = { mode: 'auto-close' as const, autoCloseDays: 14 };
      spec
        .given([drafted, published])
        .when({ type: 'ChangeCommentSettings', by: author, commentSettings: settings })
        .then([
          {
            type: 'parley.post.comment-settings-changed.v1',
            data: { postId: 'p1', commentSettings: settings, changedBy: 'amy', changedAt: at },
          },
        ]);
      spec
        .given([drafted])
        .when({ type: 'ChangeCommentSettings', by: author, commentSettings: open })
        .then([]);
    });

    it('refuses settings that do not fit together', () => {
      spec
        .given([drafted])
        .when({
          type: 'ChangeCommentSettings',
          by: author,
          commentSettings: { mode: 'closed', autoCloseDays: 3 },
        })
        .thenError('InvalidCommentSettings');
    });
  });

  describe('who may change a post', () => {
    it('refuses every change by an account that is neither its author nor an admin', () => {
      for (const command of editorCommands) {
        spec
          .given([drafted])
          .when({ ...command, by: otherAuthor } as PostCommand)
          .thenError('NotAllowed');
        spec
          .given([drafted])
          .when({ ...command, by: { accountId: 'mod', roles: ['moderator'] } } as PostCommand)
          .thenError('NotAllowed');
      }
    });

    it('answers PostNotFound for every command on a post that was never drafted', () => {
      const commands: PostCommand[] = [...editorCommands, { type: 'PublishDuePost' }];
      for (const command of commands) {
        spec
          .given([])
          .when(command)
          .thenError('PostNotFound' satisfies PostErrorCode);
      }
    });
  });
});

describe('importing a post from WordPress', () => {
  const imported = { system: 'wordpress' as const, site: 'https://blog.example', id: '1148' };
  const content = draft().content;
  const importPost = (
    changes: Partial<Extract<PostCommand, { type: 'ImportPost' }>> = {},
  ): PostCommand => ({
    type: 'ImportPost',
    postId: 'p1',
    author: { accountId: 'amy' },
    slug: 'her',
    content,
    commentSettings: open,
    status: 'published',
    date: new Date('2012-01-03T17:11:37.000Z'),
    imported,
    ...changes,
  });
  const importedDraft = (draftedAt: string): PostEvent => ({
    ...drafted,
    data: { ...drafted.data, draftedAt, imported },
  });
  const importedPublication = (publishedAt: string): PostEvent => {
    const publication = publishedEvent(publishedAt, true, null);
    return { ...publication, data: { ...publication.data, imported } };
  };

  it('publishes a published post at its original date, marked as imported', () => {
    spec
      .given([])
      .when(importPost())
      .then([
        importedDraft('2012-01-03T17:11:37.000Z'),
        importedPublication('2012-01-03T17:11:37.000Z'),
      ]);
  });

  it('keeps a draft a draft and schedules a future post; one whose time has passed is published then', () => {
    spec
      .given([])
      .when(importPost({ status: 'draft' }))
      .then([importedDraft('2012-01-03T17:11:37.000Z')]);
    spec
      .given([])
      .when(importPost({ status: 'scheduled', date: new Date('2030-01-01T19:00:18.000Z') }))
      .then([importedDraft('2030-01-01T19:00:18.000Z'), scheduledFor('2030-01-01T19:00:18.000Z')]);
    spec
      .given([])
      .when(importPost({ status: 'scheduled' }))
      .then([
        importedDraft('2012-01-03T17:11:37.000Z'),
        importedPublication('2012-01-03T17:11:37.000Z'),
      ]);
  });

  it('adds nothing when the same post is imported again', () => {
    spec
      .given([importedDraft(at)])
      .when(importPost())
      .then([]);
  });

  it('names a writer with an account by id only, and keeps the byline of one without', () => {
    spec
      .given([])
      // A byline given with an account (as an import made before this did) is the account's name.
      .when(importPost({ status: 'draft', author: { accountId: 'amy', displayName: 'Amy' } }))
      .then([importedDraft('2012-01-03T17:11:37.000Z')]);
    const writer = 'wordpress-5e1f0c2a9b7d4e3f8a6b1c0d';
    spec
      .given([])
      .when(importPost({ status: 'draft', author: { accountId: writer, displayName: 'Ann Old' } }))
      .then([
        {
          ...drafted,
          data: {
            ...drafted.data,
            authorId: writer,
            authorName: 'Ann Old',
            draftedAt: '2012-01-03T17:11:37.000Z',
            imported,
          },
        },
      ]);
  });

  it('refuses a post the rules of every post refuse', () => {
    spec
      .given([])
      .when(importPost({ content: { ...content, title: ' ' } }))
      .thenError('EmptyTitle');
  });
});
