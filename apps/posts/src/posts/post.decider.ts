import { can, canOnOwn } from '@parley/contracts';
import type { ImportedFrom, PostCommentSettings, Role } from '@parley/contracts';
import { POST_BODY_MAX_BYTES } from '@parley/contracts';
import {
  type Decider,
  type DomainError,
  assertNever,
  domainError,
  isDomainError,
} from '@parley/eventstore';
import { isImportedWriterId, type PostStreamEvent } from '@parley/domain';
import { excerptOf } from './excerpt';

/** The events a post decides: its stream's, as the read models of posts fold them too. */
export type PostEvent = PostStreamEvent;

export type PostStatus = 'draft' | 'scheduled' | 'published' | 'deleted';

export interface Post {
  exists: boolean;
  postId: string;
  authorId: string;
  /**
   * The byline the drafted event gave (an imported post's, or a name copied before v2); the read
   * model shows the account's current name instead wherever the account events gave it.
   */
  authorName: string;
  /** The current slug: it follows the title until the first publication, then stays. */
  slug: string;
  /** Every slug the post has had, so old links keep resolving. */
  slugs: string[];
  title: string;
  body: string;
  excerpt: string;
  autoExcerpt: boolean;
  categories: string[];
  tags: string[];
  series: string | null;
  commentSettings: PostCommentSettings;
  revision: number;
  status: PostStatus;
  /** When a scheduled post goes out. */
  publishAt: string | null;
  /** The first publication: the post's date, and where auto-closing comments count from. */
  firstPublishedAt: string | null;
  /** The latest publication. */
  publishedAt: string | null;
  draftedAt: string;
  /** The last change of the content (drafting or an edit). */
  updatedAt: string;
  deletedAt: string | null;
}

/** Who asks for a change: the post's author, or an admin (the blog's editor). */
export interface Editor {
  accountId: string;
  roles: readonly Role[];
}

export interface PostContent {
  title: string;
  body: string;
  /** null cuts the excerpt from the body. */
  excerpt: string | null;
  categories: string[];
  tags: string[];
  series: string | null;
}

export type PostCommand =
  | {
      type: 'DraftPost';
      postId: string;
      author: Editor;
      /** Reserved for this post beforehand (see the slug reservation decider). */
      slug: string;
      content: PostContent;
      commentSettings: PostCommentSettings;
    }
  | {
      type: 'EditPost';
      by: Editor;
      changes: Partial<PostContent>;
      /** The slug reserved for a new title; ignored once the post has been published. */
      slug?: string;
      expectedRevision?: number;
    }
  | { type: 'PublishPost'; by: Editor }
  /** The scheduler's: publishes a scheduled post whose time has come, and nothing else. */
  | { type: 'PublishDuePost' }
  | { type: 'SchedulePost'; by: Editor; publishAt: Date }
  | { type: 'UnpublishPost'; by: Editor }
  | { type: 'DeletePost'; by: Editor }
  | { type: 'ChangeCommentSettings'; by: Editor; commentSettings: PostCommentSettings }
  /**
   * A post brought from another blog with its dates and status; the operator's command (the
   * import tool), so the author may be a writer of the old blog without an account here.
   */
  | {
      type: 'ImportPost';
      postId: string;
      /** An account by id; an imported writer without an account here with their old byline. */
      author: { accountId: string; displayName?: string };
      slug: string;
      content: PostContent;
      commentSettings: PostCommentSettings;
      status: 'draft' | 'scheduled' | 'published';
      /** The post's date on the old blog: when it was published, or is to be. */
      date: Date;
      imported: ImportedFrom;
    };

export type PostErrorCode =
  | 'PostNotFound'
  | 'PostExists'
  | 'NotAllowed'
  | 'PostDeleted'
  | 'AlreadyPublished'
  | 'RevisionConflict'
  | 'ScheduleInPast'
  | 'EmptyTitle'
  | 'BodyTooLarge'
  | 'InvalidCommentSettings';

export type PostError = DomainError<PostErrorCode>;

export const initialPost: Post = {
  exists: false,
  postId: '',
  authorId: '',
  authorName: '',
  slug: '',
  slugs: [],
  title: '',
  body: '',
  excerpt: '',
  autoExcerpt: true,
  categories: [],
  tags: [],
  series: null,
  commentSettings: { mode: 'open', autoCloseDays: null },
  revision: 0,
  status: 'draft',
  publishAt: null,
  firstPublishedAt: null,
  publishedAt: null,
  draftedAt: '',
  updatedAt: '',
  deletedAt: null,
};

export function canWrite(editor: Editor): boolean {
  return can(editor, 'write');
}

export function mayChange(editor: Editor, post: Pick<Post, 'authorId'>): boolean {
  return canOnOwn(editor, post.authorId, 'administer');
}

/** Terms as the author wrote them, without blanks or repeats that differ only in case. */
export function normalizeTerms(terms: readonly string[]): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const raw of terms) {
    const term = raw.trim().replace(/\s+/g, ' ');
    const key = term.toLowerCase();
    if (term && !seen.has(key)) {
      seen.add(key);
      kept.push(term);
    }
  }
  return kept;
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

function sameSettings(a: PostCommentSettings, b: PostCommentSettings): boolean {
  return a.mode === b.mode && a.autoCloseDays === b.autoCloseDays;
}

function sameTerms(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((term, i) => term === b[i]);
}

function checkSettings(settings: PostCommentSettings): PostError | undefined {
  const needsDays = settings.mode === 'auto-close';
  if (needsDays !== (settings.autoCloseDays !== null)) {
    return domainError(
      'InvalidCommentSettings',
      needsDays
        ? 'Auto-closing comments need the number of days after publication'
        : `Comments that are ${settings.mode} take no number of days`,
    );
  }
  return undefined;
}

type ResolvedContent = Pick<
  Post,
  'title' | 'body' | 'excerpt' | 'autoExcerpt' | 'categories' | 'tags' | 'series'
>;

/** The content after a change, checked against the rules every post keeps. */
function resolveContent(
  base: Pick<Post, 'title' | 'body' | 'excerpt' | 'autoExcerpt' | 'categories' | 'tags' | 'series'>,
  changes: Partial<PostContent>,
): ResolvedContent | PostError {
  const title = (changes.title ?? base.title).trim().replace(/\s+/g, ' ');
  if (!title) return domainError('EmptyTitle', 'A post needs a title');
  const body = changes.body ?? base.body;
  const bytes = byteLength(body);
  if (bytes > POST_BODY_MAX_BYTES) {
    return domainError(
      'BodyTooLarge',
      `The body is ${bytes} bytes; a post may have at most ${POST_BODY_MAX_BYTES}`,
      { bytes, maxBytes: POST_BODY_MAX_BYTES },
    );
  }
  const given = changes.excerpt === undefined ? undefined : (changes.excerpt?.trim() ?? null);
  // A blank excerpt is no excerpt: the body's opening stands in for it.
  const autoExcerpt = given === undefined ? base.autoExcerpt : !given;
  const series = changes.series === undefined ? base.series : changes.series?.trim() || null;
  return {
    title,
    body,
    excerpt: autoExcerpt ? excerptOf(body) : (given ?? base.excerpt),
    autoExcerpt,
    categories: normalizeTerms(changes.categories ?? base.categories),
    tags: normalizeTerms(changes.tags ?? base.tags),
    series,
  };
}

function sameContent(post: Post, next: ResolvedContent): boolean {
  return (
    post.title === next.title &&
    post.body === next.body &&
    post.excerpt === next.excerpt &&
    post.autoExcerpt === next.autoExcerpt &&
    sameTerms(post.categories, next.categories) &&
    sameTerms(post.tags, next.tags) &&
    post.series === next.series
  );
}

function published(post: Post, at: string, by: string | null, imported?: ImportedFrom): PostEvent {
  return {
    type: 'parley.post.published.v2',
    data: {
      postId: post.postId,
      slug: post.slug,
      title: post.title,
      excerpt: post.excerpt,
      authorId: post.authorId,
      firstPublication: post.firstPublishedAt === null,
      publishedAt: at,
      publishedBy: by,
      ...(imported ? { imported } : {}),
    },
  };
}

function withSlug(slugs: readonly string[], slug: string): string[] {
  return slugs.includes(slug) ? [...slugs] : [...slugs, slug];
}

function evolve(state: Post, event: PostEvent): Post {
  switch (event.type) {
    case 'parley.post.drafted.v2': {
      const d = event.data;
      return {
        ...initialPost,
        exists: true,
        postId: d.postId,
        authorId: d.authorId,
        authorName: d.authorName ?? '',
        slug: d.slug,
        slugs: [d.slug],
        title: d.title,
        body: d.body,
        excerpt: d.excerpt,
        autoExcerpt: d.autoExcerpt ?? false,
        categories: d.categories,
        tags: d.tags,
        series: d.series,
        commentSettings: d.commentSettings,
        revision: 1,
        status: 'draft',
        draftedAt: d.draftedAt,
        updatedAt: d.draftedAt,
      };
    }
    case 'parley.post.edited.v1': {
      const d = event.data;
      return {
        ...state,
        slug: d.slug,
        slugs: withSlug(state.slugs, d.slug),
        title: d.title,
        body: d.body,
        excerpt: d.excerpt,
        autoExcerpt: d.autoExcerpt ?? state.autoExcerpt,
        categories: d.categories,
        tags: d.tags,
        series: d.series,
        revision: d.revision,
        updatedAt: d.editedAt,
      };
    }
    case 'parley.post.published.v2':
      return {
        ...state,
        status: 'published',
        publishAt: null,
        firstPublishedAt: state.firstPublishedAt ?? event.data.publishedAt,
        publishedAt: event.data.publishedAt,
      };
    case 'parley.post.scheduled.v1':
      return { ...state, status: 'scheduled', publishAt: event.data.publishAt };
    case 'parley.post.unpublished.v1':
      return { ...state, status: 'draft', publishAt: null };
    case 'parley.post.deleted.v1':
      return { ...state, status: 'deleted', publishAt: null, deletedAt: event.data.deletedAt };
    case 'parley.post.comment-settings-changed.v1':
      return { ...state, commentSettings: event.data.commentSettings };
    default:
      return assertNever(event, 'post event');
  }
}

function decideDraft(
  command: Extract<PostCommand, { type: 'DraftPost' }>,
  state: Post,
  at: string,
): readonly PostEvent[] | PostError {
  if (state.exists) return domainError('PostExists', 'A post with this id exists already');
  if (!canWrite(command.author))
    return domainError('NotAllowed', 'Only authors and admins write posts');
  const drafted = firstDraft(command, at);
  return isDomainError(drafted) ? drafted : [drafted];
}

/** A new post's first event, written or imported: its settings checked, its content resolved. */
function firstDraft(
  command: Extract<PostCommand, { type: 'DraftPost' | 'ImportPost' }>,
  at: string,
): PostEvent | PostError {
  const settingsError = checkSettings(command.commentSettings);
  if (settingsError) return settingsError;
  const content = resolveContent(
    { ...initialPost, excerpt: '', autoExcerpt: true },
    { ...command.content, excerpt: command.content.excerpt ?? null },
  );
  if (isDomainError(content)) return content;
  return {
    type: 'parley.post.drafted.v2',
    data: {
      postId: command.postId,
      authorId: command.author.accountId,
      // Only a writer without an account here keeps their old blog's byline: an account is named by id.
      ...(command.type === 'ImportPost' ? bylineOf(command.author) : {}),
      slug: command.slug,
      ...content,
      commentSettings: command.commentSettings,
      draftedAt: at,
      ...(command.type === 'ImportPost' ? { imported: command.imported } : {}),
    },
  };
}

/** An imported post's byline, kept only for a writer without an account here. */
function bylineOf(author: { accountId: string; displayName?: string }): { authorName?: string } {
  return author.displayName !== undefined && isImportedWriterId(author.accountId)
    ? { authorName: author.displayName }
    : {};
}

function decideImport(
  command: Extract<PostCommand, { type: 'ImportPost' }>,
  state: Post,
  now: Date,
): readonly PostEvent[] | PostError {
  // The same post of the same site again: it is here already.
  if (state.exists) return [];
  const at = command.date.toISOString();
  const drafted = firstDraft(command, at);
  if (isDomainError(drafted)) return drafted;
  if (command.status === 'draft') return [drafted];
  // A scheduled post whose time has passed meanwhile is published at its time, as the scheduler would.
  if (command.status === 'scheduled' && command.date.getTime() > now.getTime())
    return [
      drafted,
      {
        type: 'parley.post.scheduled.v1',
        data: { postId: command.postId, publishAt: at, scheduledBy: command.author.accountId },
      },
    ];
  return [drafted, published(evolve(state, drafted), at, null, command.imported)];
}

function decideEdit(
  command: Extract<PostCommand, { type: 'EditPost' }>,
  state: Post,
  at: string,
): readonly PostEvent[] | PostError {
  const content = resolveContent(state, command.changes);
  if (isDomainError(content)) return content;
  const slug =
    state.firstPublishedAt === null && command.slug !== undefined ? command.slug : state.slug;
  if (sameContent(state, content) && slug === state.slug) return [];
  if (command.expectedRevision !== undefined && command.expectedRevision !== state.revision) {
    return domainError(
      'RevisionConflict',
      `The post was changed since revision ${command.expectedRevision}: it is at revision ${state.revision}`,
      { expectedRevision: command.expectedRevision, currentRevision: state.revision },
    );
  }
  return [
    {
      type: 'parley.post.edited.v1',
      data: {
        postId: state.postId,
        revision: state.revision + 1,
        slug,
        ...content,
        editedBy: command.by.accountId,
        editedAt: at,
      },
    },
  ];
}

/** A blog post: drafting, edits, the publishing lifecycle and its comment settings. */
export const postDecider: Decider<Post, PostCommand, PostEvent, PostError> = {
  initialState: initialPost,
  evolve,
  decide(command, state, now) {
    const at = now.toISOString();
    if (command.type === 'DraftPost') return decideDraft(command, state, at);
    if (command.type === 'ImportPost') return decideImport(command, state, now);
    if (!state.exists) return domainError('PostNotFound', 'There is no such post');
    if (command.type === 'PublishDuePost') {
      if (state.status !== 'scheduled' || state.publishAt === null) return [];
      if (new Date(state.publishAt).getTime() > now.getTime()) return [];
      // The post's date is the one its author chose, even when the scheduler runs late.
      return [published(state, state.publishAt, null)];
    }
    if (!mayChange(command.by, state))
      return domainError('NotAllowed', 'Only the author of the post or an admin may change it');
    if (state.status === 'deleted') {
      return command.type === 'DeletePost'
        ? []
        : domainError('PostDeleted', 'The post has been deleted');
    }
    switch (command.type) {
      case 'EditPost':
        return decideEdit(command, state, at);
      case 'PublishPost':
        if (state.status === 'published') return [];
        return [published(state, at, command.by.accountId)];
      case 'SchedulePost': {
        if (state.status === 'published') {
          return domainError(
            'AlreadyPublished',
            'The post is published already; unpublish it first to schedule it',
          );
        }
        if (command.publishAt.getTime() <= now.getTime()) {
          return domainError('ScheduleInPast', 'A post can only be scheduled for a future time', {
            publishAt: command.publishAt.toISOString(),
            now: at,
          });
        }
        const publishAt = command.publishAt.toISOString();
        if (state.status === 'scheduled' && state.publishAt === publishAt) return [];
        return [
          {
            type: 'parley.post.scheduled.v1',
            data: { postId: state.postId, publishAt, scheduledBy: command.by.accountId },
          },
        ];
      }
      case 'UnpublishPost':
        if (state.status === 'draft') return [];
        return [
          {
            type: 'parley.post.unpublished.v1',
            data: { postId: state.postId, unpublishedBy: command.by.accountId, unpublishedAt: at },
          },
        ];
      case 'DeletePost':
        return [
          {
            type: 'parley.post.deleted.v1',
            data: { postId: state.postId, deletedBy: command.by.accountId, deletedAt: at },
          },
        ];
      case 'ChangeCommentSettings': {
        const settingsError = checkSettings(command.commentSettings);
        if (settingsError) return settingsError;
        if (sameSettings(state.commentSettings, command.commentSettings)) return [];
        return [
          {
            type: 'parley.post.comment-settings-changed.v1',
            data: {
              postId: state.postId,
              commentSettings: command.commentSettings,
              changedBy: command.by.accountId,
              changedAt: at,
            },
          },
        ];
      }
      default:
        return assertNever(command, 'post command');
    }
  },
};
