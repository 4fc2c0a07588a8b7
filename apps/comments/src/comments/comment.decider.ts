import { canOnOwn } from '@parley/contracts';
import type {
  Actor,
  CommentAuthor,
  CommentKind,
  CommentStatus,
  DomainEvent,
  ErasedAuthor,
  ErasureMode,
  ImportedFrom,
  NotifyChoice,
} from '@parley/contracts';
import { type CommentStreamEvent, commentStatusAfter } from '@parley/domain';
import { assertNever, type Decider, type DomainError, domainError } from '@parley/eventstore';
import {
  comparableText,
  htmlToText,
  renderCommentMarkdown,
  wordpressCommentHtml,
} from '@parley/text';
import { type PostFacts, refusalOf } from '../post-status/post-facts';
import type { CommentSettings } from '../settings/comment-settings.decider';
import { bodyLengthProblem, normalizeCommentBody } from './comment-body';
import { contentRules, moderationAtPosting } from './moderation-rules';

export const commentStream = (commentId: string): string => `comment-${commentId}`;

/** Where a comment came from, never published: its IP address and user agent, sealed. */
export type OriginRecorded = DomainEvent<'parley.comment.origin-recorded.v1'>;

export type CommentEvent = CommentStreamEvent | OriginRecorded;

/** The writer's IP address and user agent, each already sealed for its retention period (or null). */
export interface SealedOrigin {
  ip: string | null;
  userAgent: string | null;
}

export interface Comment {
  commentId: string;
  postId: string;
  parentId: string | null;
  ancestorIds: string[];
  ancestorAuthorIds: (string | null)[];
  depth: number;
  author: CommentAuthor;
  postAuthorId: string | null;
  body: string;
  html: string;
  status: CommentStatus;
  kind: CommentKind;
  /** Where a restore returns a comment taken to spam or trash. */
  statusBeforeRemoval: 'approved' | 'pending';
  deleted: boolean;
  /** Its author was erased, and how: their data is gone from every view (and the body, with `remove`). */
  erased: ErasureMode | null;
  postedAt: string;
  editedAt: string | null;
}

/** A comment stream folds to the comment, or null before it is posted. */
export type CommentState = Comment | null;

/** Who writes a comment: an account (with its roles) or a guest (name, email, website). */
export type CommentWriter =
  | { kind: 'account'; accountId: string; displayName: string; roles: Actor['roles'] }
  | { kind: 'guest'; guestId: string; name: string; email: string; url: string | null };

/** What the read models know of the writer, passed in so the rules stay pure. */
export interface WriterHistory {
  /** The writer has a comment approved before (for "previously approved" rules). */
  hasApprovedComment: boolean;
  /** When the writer last posted a comment anywhere (flood control). */
  lastPostedAt: Date | null;
  /** When anyone last posted from the writer's client address, whatever name or email (flood control). */
  clientLastPostedAt: Date | null;
  /** The writer already posted this same text on this post. */
  sameTextOnPost: boolean;
  /** When this same text was last posted on this post, by anyone. */
  sameTextLastPostedAt: Date | null;
  /** When this same text was last posted on this post from the writer's client address. */
  sameTextFromClientAt: Date | null;
}

/**
 * Guests are known by their client address as well as their email, which costs nothing to
 * change; an account is known by itself (as WordPress keys its flood check on the user).
 */
export function clientKeyFor(writer: CommentWriter, clientKey: string | null): string | null {
  return writer.kind === 'guest' ? clientKey : null;
}

/** How long the same text on a post counts as a duplicate when someone else posted it. */
export const DUPLICATE_WINDOW_MS = 24 * 3600_000;

/**
 * Comparable length from which a text is too particular for two people to write it by
 * chance: shorter ones ("Thanks!", "+1") are duplicates only from the same address.
 */
export const DISTINCTIVE_TEXT_CHARS = 60;

export interface PostComment {
  type: 'PostComment';
  commentId: string;
  postId: string;
  /** The post as the comments service knows it; null when it has never heard of it. */
  post: PostFacts | null;
  /** The comment answered, folded from its stream; absent for a top-level comment. */
  parent?: { id: string; state: CommentState };
  writer: CommentWriter;
  /** The writer as the event records it: a guest's name, email and website sealed (sealGuest). */
  author: CommentAuthor;
  body: string;
  notify: NotifyChoice;
  viewerTokenHash: string | null;
  /** The guest's client address as the gateway keyed it (see clientKeyFor); null otherwise. */
  clientKey: string | null;
  /** Where the writer wrote from, sealed; recorded beside the comment for its moderators. */
  origin?: SealedOrigin;
  settings: CommentSettings;
  history: WriterHistory;
}

export interface EditComment {
  type: 'EditComment';
  by: Actor;
  body: string;
  settings: CommentSettings;
}

export interface DeleteComment {
  type: 'DeleteComment';
  by: Actor;
}

export type ModerationAction = 'approve' | 'unapprove' | 'spam' | 'trash' | 'restore';

export interface ModerateComment {
  type: 'ModerateComment';
  by: Actor;
  action: ModerationAction;
}

/**
 * A comment brought from another blog as it was there: its date, status and place in the
 * thread. None of the rules for new comments apply (closed posts, flood, duplicates,
 * moderation), and it notifies nobody.
 */
export interface ImportComment {
  type: 'ImportComment';
  commentId: string;
  /** The post as the comments service knows it, whatever its status; null when unknown. */
  post: PostFacts | null;
  /** The comment answered, imported before it; absent for a top-level comment. */
  parent?: { id: string; state: CommentState };
  writer: CommentWriter;
  /** The writer as the event records it: a guest's name, email and website sealed (sealGuest). */
  author: CommentAuthor;
  /** The content as the source stored it (HTML with its line breaks). */
  content: string;
  status: CommentStatus;
  kind: CommentKind;
  postedAt: Date;
  imported: ImportedFrom;
  /** Who runs the import: the moderator of record for a comment imported in the trash. */
  by: string;
  settings: CommentSettings;
}

/** Erases the comment's author (their personal data, and with `remove` the body) at their request. */
export interface EraseAuthor {
  type: 'EraseAuthor';
  author: ErasedAuthor;
  mode: ErasureMode;
}

export type CommentCommand =
  PostComment | ImportComment | EditComment | DeleteComment | ModerateComment | EraseAuthor;

export type CommentErrorCode =
  | 'PostNotFound'
  | 'PostNotPublished'
  | 'CommentsClosed'
  | 'CommentEmpty'
  | 'CommentTooLong'
  | 'ParentNotFound'
  | 'ParentOnAnotherPost'
  | 'ParentDeleted'
  | 'ParentAwaitingModeration'
  | 'DuplicateComment'
  | 'CommentFlood'
  | 'CommentAlreadyExists'
  | 'CommentNotFound'
  | 'CommentDeleted'
  | 'CommentNotEditable'
  | 'EditWindowClosed'
  | 'NotAllowed'
  | 'NotTheAuthor';
export type CommentError = DomainError<CommentErrorCode>;

const REFUSALS = {
  PostNotFound: 'There is no such post',
  PostNotPublished: 'This post is not published, so it takes no comments',
  CommentsClosed: 'Comments are closed on this post',
} as const;

function accountIdOf(comment: Pick<Comment, 'author' | 'erased'>): string | null {
  // An erased author is nobody to notify: a reply to them names no account.
  if (comment.erased) return null;
  return comment.author.kind === 'account' ? comment.author.accountId : null;
}

/** Whether the comment is by the person an erasure names. */
export function isWrittenBy(author: CommentAuthor, erased: ErasedAuthor): boolean {
  if (author.kind === 'account')
    return erased.kind === 'account' && erased.accountId === author.accountId;
  return erased.kind === 'guest' && erased.guestId === author.guestId;
}

/** Where a comment stands in its thread: its parent, every ancestor and their authors, its depth. */
type Lineage = Pick<Comment, 'parentId' | 'ancestorIds' | 'ancestorAuthorIds' | 'depth'>;

const TOP_LEVEL: Lineage = { parentId: null, ancestorIds: [], ancestorAuthorIds: [], depth: 1 };

function lineageBelow(parent: Comment, threadDepth: number): Lineage {
  return {
    parentId: parent.commentId,
    ancestorIds: [...parent.ancestorIds, parent.commentId],
    ancestorAuthorIds: [...parent.ancestorAuthorIds, accountIdOf(parent)],
    // A reply below the deepest level is shown at its parent's level, right after it.
    depth: parent.depth >= threadDepth ? parent.depth : parent.depth + 1,
  };
}

/** Moderators and admins moderate every comment; a post's author the comments on their post. */
export function mayModerate(actor: Actor, postAuthorId: string | null): boolean {
  return canOnOwn(actor, postAuthorId, 'moderate');
}

/** The writer in plaintext, as the moderation rules read it; never what an event records. */
function plainAuthorOf(writer: CommentWriter): CommentAuthor {
  return writer.kind === 'account'
    ? { kind: 'account', accountId: writer.accountId, displayName: writer.displayName }
    : {
        kind: 'guest',
        guestId: writer.guestId,
        name: writer.name,
        email: writer.email,
        url: writer.url,
      };
}

function lengthError(body: string): CommentError | null {
  switch (bodyLengthProblem(body)) {
    case 'empty':
      return domainError('CommentEmpty', 'Write something before posting');
    case 'too-long':
      return domainError('CommentTooLong', 'This comment is too long (10,000 characters at most)');
    case null:
      return null;
  }
}

function withinDuplicateWindow(at: Date | null, now: Date): boolean {
  return at !== null && now.getTime() - at.getTime() < DUPLICATE_WINDOW_MS;
}

/**
 * The same text (compared as a reader would) again on one post: from the same writer, from
 * the same address under another name or email, or, when it is long enough not to be a
 * coincidence, from anyone, within a window.
 */
function duplicateError(
  history: WriterHistory,
  body: string,
  byModerator: boolean,
  now: Date,
): CommentError | null {
  if (history.sameTextOnPost)
    return domainError(
      'DuplicateComment',
      'Duplicate comment: it looks as though you have already said that',
    );
  if (byModerator) return null;
  const repeated =
    withinDuplicateWindow(history.sameTextFromClientAt, now) ||
    (withinDuplicateWindow(history.sameTextLastPostedAt, now) &&
      comparableText(body).length >= DISTINCTIVE_TEXT_CHARS);
  return repeated
    ? domainError('DuplicateComment', 'Duplicate comment: this was said here already')
    : null;
}

/** One comment per flood interval per writer, and per client address whatever name it gives. */
function floodError(
  history: WriterHistory,
  floodSeconds: number,
  byModerator: boolean,
  now: Date,
): CommentError | null {
  if (byModerator || floodSeconds <= 0) return null;
  const last = Math.max(
    history.lastPostedAt?.getTime() ?? 0,
    history.clientLastPostedAt?.getTime() ?? 0,
  );
  const waitMs = last + floodSeconds * 1000 - now.getTime();
  if (last === 0 || waitMs <= 0) return null;
  const retryAfterSeconds = Math.ceil(waitMs / 1000);
  return domainError(
    'CommentFlood',
    `You are posting comments too quickly: try again in ${retryAfterSeconds} s`,
    { retryAfterSeconds, retryAt: new Date(now.getTime() + waitMs).toISOString() },
  );
}

function decidePost(
  command: PostComment,
  state: CommentState,
  now: Date,
): readonly CommentEvent[] | CommentError {
  if (state) return domainError('CommentAlreadyExists', 'This comment exists already');
  const post = command.post;
  const refusal = refusalOf(post, now);
  if (refusal || !post) {
    const code = refusal ?? 'PostNotFound';
    return domainError(code, REFUSALS[code]);
  }
  const body = normalizeCommentBody(command.body);
  const tooShortOrLong = lengthError(body);
  if (tooShortOrLong) return tooShortOrLong;

  const writer = command.writer;
  const byModerator = writer.kind === 'account' && mayModerate(writer, post.authorId);

  let lineage = TOP_LEVEL;
  if (command.parent) {
    const parent = command.parent.state;
    if (!parent || parent.status === 'spam' || parent.status === 'trash')
      return domainError('ParentNotFound', 'The comment you reply to does not exist');
    if (parent.postId !== post.postId)
      return domainError('ParentOnAnotherPost', 'The comment you reply to is on another post');
    if (parent.deleted) return domainError('ParentDeleted', 'The comment you reply to was deleted');
    if (parent.status === 'pending' && !byModerator)
      return domainError(
        'ParentAwaitingModeration',
        'The comment you reply to is awaiting moderation',
      );
    lineage = lineageBelow(parent, command.settings.threadDepth);
  }

  const clientKey = clientKeyFor(writer, command.clientKey);
  // What came from the address counts only for a guest, whose address is all that is known.
  const history: WriterHistory = clientKey
    ? command.history
    : { ...command.history, clientLastPostedAt: null, sameTextFromClientAt: null };
  const duplicate = duplicateError(history, body, byModerator, now);
  if (duplicate) return duplicate;
  const flood = floodError(history, command.settings.floodSeconds, byModerator, now);
  if (flood) return flood;

  const html = renderCommentMarkdown(body);
  const outcome = moderationAtPosting(
    { author: plainAuthorOf(writer), body, html },
    command.settings,
    {
      byModerator,
      hasApprovedComment: command.history.hasApprovedComment,
    },
  );
  return [
    {
      type: 'parley.comment.posted.v3',
      data: {
        commentId: command.commentId,
        postId: post.postId,
        ...lineage,
        author: command.author,
        body,
        html,
        status: outcome.status,
        moderationReason: outcome.reason,
        notify: command.notify,
        postAuthorId: post.authorId,
        postTitle: post.title,
        postSlug: post.slug,
        viewerTokenHash: command.viewerTokenHash,
        ...(clientKey ? { clientKey } : {}),
        postedAt: now.toISOString(),
      },
    },
    ...originOf(command, now),
  ];
}

/** The origin in the same commit as the comment, when anything of it is known. */
function originOf(command: PostComment, now: Date): OriginRecorded[] {
  const origin = command.origin;
  if (!origin || (origin.ip === null && origin.userAgent === null)) return [];
  return [
    {
      type: 'parley.comment.origin-recorded.v1',
      data: {
        commentId: command.commentId,
        ip: origin.ip,
        userAgent: origin.userAgent,
        recordedAt: now.toISOString(),
      },
    },
  ];
}

function decideImport(
  command: ImportComment,
  state: CommentState,
): readonly CommentEvent[] | CommentError {
  // The same comment of the same site again: it is here already.
  if (state) return [];
  const post = command.post;
  if (!post || post.deleted) return domainError('PostNotFound', REFUSALS.PostNotFound);
  let lineage = TOP_LEVEL;
  if (command.parent) {
    const parent = command.parent.state;
    if (!parent) return domainError('ParentNotFound', 'The comment replied to was not imported');
    if (parent.postId !== post.postId)
      return domainError('ParentOnAnotherPost', 'The comment replied to is on another post');
    lineage = lineageBelow(parent, command.settings.threadDepth);
  }
  const html = wordpressCommentHtml(command.content);
  const body = htmlToText(html);
  if (!body) return domainError('CommentEmpty', 'This comment has no text');
  const postedAt = command.postedAt.toISOString();
  const ref = { commentId: command.commentId, postId: post.postId };
  const events: CommentEvent[] = [
    {
      type: 'parley.comment.posted.v3',
      data: {
        ...ref,
        ...lineage,
        author: command.author,
        body,
        html,
        // A comment in the trash arrives held, then goes to the trash as it was.
        status: command.status === 'trash' ? 'pending' : command.status,
        moderationReason: null,
        notify: 'none',
        postAuthorId: post.authorId,
        postTitle: post.title,
        postSlug: post.slug,
        viewerTokenHash: null,
        postedAt,
        ...(command.kind === 'comment' ? {} : { kind: command.kind }),
        imported: command.imported,
      },
    },
  ];
  if (command.status === 'trash')
    events.push({
      type: 'parley.comment.trashed.v1',
      data: { ...ref, by: command.by, at: postedAt },
    });
  return events;
}

function decideEdit(
  command: EditComment,
  comment: Comment,
  now: Date,
): readonly CommentEvent[] | CommentError {
  const { by } = command;
  const byModerator = mayModerate(by, comment.postAuthorId);
  const ownComment = comment.author.kind === 'account' && comment.author.accountId === by.accountId;
  if (!byModerator) {
    if (!ownComment) return domainError('NotAllowed', 'You may edit only your own comments');
    if (comment.status === 'spam' || comment.status === 'trash')
      return domainError('CommentNotEditable', 'This comment was removed by a moderator');
    const windowMs = command.settings.editWindowMinutes * 60_000;
    if (now.getTime() - Date.parse(comment.postedAt) >= windowMs)
      return domainError(
        'EditWindowClosed',
        `Comments can be edited for ${command.settings.editWindowMinutes} minutes after posting`,
        { editWindowMinutes: command.settings.editWindowMinutes },
      );
  }
  const body = normalizeCommentBody(command.body);
  const tooShortOrLong = lengthError(body);
  if (tooShortOrLong) return tooShortOrLong;
  if (body === comment.body) return [];

  const html = renderCommentMarkdown(body);
  const ref = { commentId: comment.commentId, postId: comment.postId };
  const events: CommentEvent[] = [
    {
      type: 'parley.comment.edited.v1',
      data: {
        ...ref,
        body,
        html,
        editedBy: by.accountId,
        byModerator: byModerator && !ownComment,
        editedAt: now.toISOString(),
      },
    },
  ];
  // An approved comment edited by its author goes through the content rules again.
  if (!byModerator && comment.status === 'approved') {
    const outcome = contentRules({ author: comment.author, body, html }, command.settings);
    const moderation = { ...ref, by: by.accountId, at: now.toISOString() };
    if (outcome?.status === 'spam')
      events.push({ type: 'parley.comment.marked-spam.v1', data: moderation });
    else if (outcome?.status === 'pending')
      events.push({ type: 'parley.comment.unapproved.v1', data: moderation });
  }
  return events;
}

function decideDelete(command: DeleteComment, comment: Comment, now: Date) {
  const ownComment =
    comment.author.kind === 'account' && comment.author.accountId === command.by.accountId;
  if (!ownComment && !mayModerate(command.by, comment.postAuthorId))
    return domainError('NotAllowed', 'You may delete only your own comments');
  if (comment.deleted) return [];
  return [
    {
      type: 'parley.comment.deleted.v1' as const,
      data: {
        commentId: comment.commentId,
        postId: comment.postId,
        deletedBy: command.by.accountId,
        deletedAt: now.toISOString(),
      },
    },
  ];
}

function decideModeration(
  command: ModerateComment,
  comment: Comment,
  now: Date,
): readonly CommentEvent[] | CommentError {
  if (!mayModerate(command.by, comment.postAuthorId))
    return domainError('NotAllowed', 'Only moderators and the post’s author moderate comments');
  if (comment.deleted) return domainError('CommentDeleted', 'This comment was deleted');
  const data = {
    commentId: comment.commentId,
    postId: comment.postId,
    by: command.by.accountId,
    at: now.toISOString(),
  };
  const { status } = comment;
  const removed = status === 'spam' || status === 'trash';
  switch (command.action) {
    case 'approve':
      if (status === 'approved') return [];
      if (status === 'trash')
        return [{ type: 'parley.comment.restored.v1', data: { ...data, status: 'approved' } }];
      return [{ type: 'parley.comment.approved.v1', data }];
    case 'unapprove':
      if (status === 'pending') return [];
      if (removed)
        return [{ type: 'parley.comment.restored.v1', data: { ...data, status: 'pending' } }];
      return [{ type: 'parley.comment.unapproved.v1', data }];
    case 'spam':
      return status === 'spam' ? [] : [{ type: 'parley.comment.marked-spam.v1', data }];
    case 'trash':
      return status === 'trash' ? [] : [{ type: 'parley.comment.trashed.v1', data }];
    case 'restore':
      if (!removed) return [];
      return [
        {
          type: 'parley.comment.restored.v1',
          data: { ...data, status: comment.statusBeforeRemoval },
        },
      ];
    default:
      return assertNever(command.action, 'moderation action');
  }
}

/**
 * Erasing is idempotent: once in a mode, again in it is nothing, and `remove` covers
 * `anonymize`; an anonymized comment may still be removed.
 */
function decideErasure(
  command: EraseAuthor,
  comment: Comment,
  now: Date,
): readonly CommentEvent[] | CommentError {
  if (!isWrittenBy(comment.author, command.author))
    return domainError('NotTheAuthor', 'This comment is not by the person erased');
  if (comment.erased === 'remove' || comment.erased === command.mode) return [];
  return [
    {
      type: 'parley.comment.author-erased.v1',
      data: {
        commentId: comment.commentId,
        postId: comment.postId,
        author: command.author,
        mode: command.mode,
        erasedAt: now.toISOString(),
      },
    },
  ];
}

function remember(comment: Comment): Comment['statusBeforeRemoval'] {
  return comment.status === 'approved' || comment.status === 'pending'
    ? comment.status
    : comment.statusBeforeRemoval;
}

function evolve(state: CommentState, event: CommentEvent): CommentState {
  if (event.type === 'parley.comment.posted.v3') {
    const d = event.data;
    return {
      commentId: d.commentId,
      postId: d.postId,
      parentId: d.parentId,
      ancestorIds: d.ancestorIds,
      ancestorAuthorIds: d.ancestorAuthorIds,
      depth: d.depth,
      author: d.author,
      postAuthorId: d.postAuthorId,
      body: d.body,
      html: d.html,
      status: d.status,
      kind: d.kind ?? 'comment',
      statusBeforeRemoval: 'pending',
      deleted: false,
      erased: null,
      postedAt: d.postedAt,
      editedAt: null,
    };
  }
  // The origin is read by moderation straight from the stream; the comment itself is unchanged.
  if (!state || event.type === 'parley.comment.origin-recorded.v1') return state;
  const moved = { ...state, status: commentStatusAfter(state.status, event) };
  switch (event.type) {
    case 'parley.comment.approved.v1':
    case 'parley.comment.unapproved.v1':
    case 'parley.comment.restored.v1':
      return moved;
    case 'parley.comment.marked-spam.v1':
    case 'parley.comment.trashed.v1':
      return { ...moved, statusBeforeRemoval: remember(state) };
    case 'parley.comment.edited.v1':
      return {
        ...moved,
        body: event.data.body,
        html: event.data.html,
        editedAt: event.data.editedAt,
      };
    case 'parley.comment.deleted.v1':
      return { ...moved, deleted: true };
    case 'parley.comment.author-erased.v1':
      return event.data.mode === 'remove'
        ? { ...moved, erased: 'remove', deleted: true, body: '', html: '' }
        : { ...moved, erased: 'anonymize' };
    default:
      return assertNever(event, 'comment event');
  }
}

/** The Comment aggregate: posting with the moderation rules, editing, deleting, moderating. */
export const commentDecider: Decider<CommentState, CommentCommand, CommentEvent, CommentError> = {
  initialState: null,
  evolve,
  decide(command, state, now) {
    if (command.type === 'PostComment') return decidePost(command, state, now);
    if (command.type === 'ImportComment') return decideImport(command, state);
    if (!state) return domainError('CommentNotFound', 'There is no such comment');
    switch (command.type) {
      case 'EditComment':
        if (state.deleted) return domainError('CommentDeleted', 'This comment was deleted');
        return decideEdit(command, state, now);
      case 'DeleteComment':
        return decideDelete(command, state, now);
      case 'ModerateComment':
        return decideModeration(command, state, now);
      case 'EraseAuthor':
        return decideErasure(command, state, now);
      default:
        return assertNever(command, 'comment command');
    }
  },
};
