import type { AnyEvent, EventType } from '@parley/contracts';
import {
  type CommentStreamEvent,
  commentStatusAfter,
  ERASED_PERSON_NAME,
  wordpressIdOf,
} from '@parley/domain';
import { assertNever } from '@parley/eventstore';
import { type AccountNamingEvent, applyAccountName } from '@parley/platform';
import {
  applyToOwnedDocument,
  DuplicateKeyError,
  gatherLater,
  oneAtATime,
  type Projection,
  type ProjectionContext,
  type ProjectionDb,
  settle,
  TALLY_INDEXES,
  type TallyPart,
  tally,
  updateEach,
  writeOneAtATime,
  writeUntilSettled,
} from '@parley/readmodel';
import { PersonalDataCipher } from '@parley/privacy';
import {
  authorKeyOf,
  authorKeyOfComment,
  avatarSeedOf,
  ERASED_AUTHOR_KEY,
  textKeyOf,
} from '../comments/comment-keys';
import { type OpenedGuest, openGuest } from '../personal-data/comment-personal-data';
import {
  AUTHOR_NAMES_VERSION,
  type AuthorNameDocument,
  type CommentLikeDocument,
  type PostThreadVersionDocument,
  THREAD_COLLECTIONS as C,
  THREAD_COUNTERS,
  THREAD_PROJECTION,
  type ThreadCommentDocument,
  type ThreadDocument,
  threadVersionField,
} from './thread-documents';
import {
  ARRANGED_FIELDS,
  type ArrangedComment,
  arrangeThreads,
  MODERATION_VIEWER,
  PUBLIC_VIEWER,
  type ThreadViewer,
} from './thread-tree';

type Envelope<T extends EventType> = Extract<AnyEvent, { type: T }>;
type CommentStreamEnvelope = Envelope<CommentStreamEvent['type']>;
type Doc = Omit<ThreadCommentDocument, '_v'>;

function evolveComment(
  current: ThreadCommentDocument | null,
  event: CommentStreamEnvelope,
  guest: OpenedGuest | null,
  accountName: string,
): Doc | null {
  if (event.type === 'parley.comment.posted.v3') {
    const d = event.data;
    const authorKey = authorKeyOfComment(d.author);
    return {
      _id: d.commentId,
      postId: d.postId,
      rootId: d.ancestorIds[0] ?? d.commentId,
      parentId: d.parentId,
      ancestorIds: d.ancestorIds,
      depth: d.depth,
      sortKey: [...d.ancestorIds, d.commentId].join('/'),
      author:
        d.author.kind === 'account'
          ? {
              kind: 'account',
              accountId: d.author.accountId,
              name: accountName,
              url: null,
            }
          : { kind: 'guest', accountId: null, name: guest?.name ?? '', url: guest?.url ?? null },
      authorKey,
      guestEmail: guest?.email ?? null,
      clientKey: d.clientKey ?? null,
      avatarSeed: avatarSeedOf(authorKey),
      body: d.body,
      textKey: textKeyOf(d.body),
      html: d.html,
      status: d.status,
      ...(d.kind && d.kind !== 'comment' ? { kind: d.kind } : {}),
      ...(d.imported ? { imported: d.imported } : {}),
      wordpressId: wordpressIdOf(d.commentId, d.imported),
      moderationReason: d.moderationReason,
      viewerTokenHash: d.viewerTokenHash,
      postAuthorId: d.postAuthorId,
      postTitle: d.postTitle,
      postSlug: d.postSlug,
      postedAt: d.postedAt,
      editedAt: null,
      deleted: false,
    };
  }
  // Without its posted event (dead-lettered) there is no comment to change.
  if (!current) return null;
  const { _v, ...before } = current;
  const status = commentStatusAfter(before.status, event);
  // Why it was held says nothing once approved, whether directly or back from spam or trash.
  const moderationReason = status === 'approved' ? null : before.moderationReason;
  const doc = { ...before, status, moderationReason };
  switch (event.type) {
    case 'parley.comment.approved.v1':
    case 'parley.comment.unapproved.v1':
    case 'parley.comment.marked-spam.v1':
    case 'parley.comment.trashed.v1':
    case 'parley.comment.restored.v1':
      return doc;
    case 'parley.comment.edited.v1':
      return {
        ...doc,
        body: event.data.body,
        textKey: textKeyOf(event.data.body),
        html: event.data.html,
        editedAt: event.data.editedAt,
      };
    case 'parley.comment.deleted.v1':
      return { ...doc, deleted: true };
    case 'parley.comment.author-erased.v1':
      return erasedAuthor(doc, event.data.mode);
    default:
      return assertNever(event, 'comment event');
  }
}

/** A comment whose author was erased: nothing of them is left, and with `remove` no text either. */
function erasedAuthor(doc: Doc, mode: 'anonymize' | 'remove'): Doc {
  const anonymized: Doc = {
    ...doc,
    author: { kind: doc.author.kind, accountId: null, name: ERASED_PERSON_NAME, url: null },
    authorKey: ERASED_AUTHOR_KEY,
    guestEmail: null,
    clientKey: null,
    avatarSeed: avatarSeedOf(ERASED_AUTHOR_KEY),
    viewerTokenHash: null,
  };
  if (mode === 'anonymize') return anonymized;
  return { ...anonymized, body: '', textKey: textKeyOf(''), html: '', deleted: true };
}

/**
 * Whether a top-level thread is listed, for readers and in the moderation view. A thread whose
 * top-level comment stands is listed by that comment alone: one read, however long the thread.
 * Only a deleted one, shown as a tombstone while replies show below it, depends on the rest of
 * the thread, which is then read (only the fields that place and show each comment).
 */
export async function recountThread(db: ProjectionDb, postId: string, rootId: string) {
  const comments = db.collection<ThreadCommentDocument>(C.comments);
  const threads = db.collection<ThreadDocument>(C.threads);
  const listing = async (): Promise<ThreadDocument> => {
    const root = await comments.findOne({ _id: rootId });
    const docs: ArrangedComment[] =
      root && !root.deleted ? [root] : await comments.find({ rootId }, { fields: ARRANGED_FIELDS });
    const listedFor = (viewer: ThreadViewer) =>
      arrangeThreads(docs, viewer).some((shown) => shown.doc._id === rootId);
    return {
      _id: rootId,
      postId,
      listed: listedFor(PUBLIC_VIEWER),
      listedForModeration: listedFor(MODERATION_VIEWER),
    };
  };
  await writeUntilSettled(`The listing of thread ${rootId}`, listing, (thread) =>
    threads.replaceOne({ _id: rootId }, thread, { upsert: true }),
  );
}

/**
 * Records that an event reached what a post's thread shows (or, for `AUTHOR_NAMES_VERSION`,
 * authors' names), once it is written: the latest version of each stream, raised only by a
 * version it has not seen, which moves `changes` on by one. So the record is the same however
 * often an event comes, and after a retry of an event whose first try stopped halfway; a
 * reader learns where the thread stands from `changes` alone. A replay (a rebuild) raises the
 * record in memory the same way and writes it once, after its last event.
 */
async function recordChange(
  db: ProjectionDb,
  id: string,
  event: Pick<AnyEvent, 'subject' | 'streamVersion'>,
  context: ProjectionContext | undefined,
) {
  const versions = db.collection<PostThreadVersionDocument>(C.versions);
  const field = threadVersionField(event.subject);
  const version = event.streamVersion;
  if (context?.settleLater)
    return gatherLater(
      context.settleLater,
      `${versions.name}|${id}`,
      (): PostThreadVersionDocument => ({ _id: id, streams: {}, changes: 0 }),
      (record) => {
        if ((record.streams[field] ?? 0) >= version) return;
        record.streams[field] = version;
        record.changes = (record.changes ?? 0) + 1;
      },
      (record) => versions.replaceOne({ _id: id }, record, { upsert: true }).then(() => undefined),
    );
  const raise = () =>
    versions.updateOne(
      { _id: id, [`streams.${field}`]: { $not: { $gte: version } } },
      { $set: { [`streams.${field}`]: version }, $inc: { changes: 1 } },
    );
  await oneAtATime(`${versions.name}|${id}`, async () => {
    if ((await raise()) > 0) return;
    try {
      await versions.insertOne({ _id: id, streams: { [field]: version }, changes: 1 });
    } catch (error) {
      // The record exists: it holds this version already, or another writer made it meanwhile.
      if (!(error instanceof DuplicateKeyError)) throw error;
      await raise();
    }
  });
}

/** A guest author of a posted event opened with the service's keys (read models hold plaintext). */
async function guestOf(
  event: CommentStreamEnvelope,
  context: ProjectionContext | undefined,
): Promise<OpenedGuest | null> {
  if (event.type !== 'parley.comment.posted.v3' || event.data.author.kind !== 'guest') return null;
  if (!context?.personKeys)
    throw new Error('The thread projection opens guests’ personal data with the person keys');
  return openGuest(new PersonalDataCipher(context.personKeys), event.data.author);
}

/**
 * The name of a posted event's account author: the account's, from the authors the account
 * events feed (v3 events name an account by id only); the queries show the current one anyway.
 */
async function accountNameOf(event: CommentStreamEnvelope, db: ProjectionDb): Promise<string> {
  if (event.type !== 'parley.comment.posted.v3' || event.data.author.kind !== 'account') return '';
  if (event.data.author.displayName !== undefined) return event.data.author.displayName;
  const author = await db
    .collection<AuthorNameDocument>(C.authors)
    .findOne({ _id: event.data.author.accountId });
  return author?.displayName ?? '';
}

async function applyCommentEvent(
  event: CommentStreamEnvelope,
  db: ProjectionDb,
  context: ProjectionContext | undefined,
) {
  const comments = db.collection<ThreadCommentDocument>(C.comments);
  const { commentId } = event.data;
  const guest = await guestOf(event, context);
  const accountName = await accountNameOf(event, db);
  await applyToOwnedDocument<ThreadCommentDocument>(
    comments,
    commentId,
    event,
    (current) => evolveComment(current, event, guest, accountName),
    (current, next) => countComment(db, current, next, context),
  );
  const doc = await comments.findOne({ _id: commentId });
  if (!doc) return;
  await takeAuthorsLatestName(db, doc);
  const { postId, rootId } = doc;
  await settle(context, `threads|${rootId}`, () => recountThread(db, postId, rootId));
  await recordChange(db, postId, event, context);
}

/**
 * An account's registration may have been applied between this comment's read of the authors
 * and its write (a rebuild reads the two topics at once): it then found no comment to name, and
 * the comment was written without a name. Such a comment takes the name itself, only over the
 * empty one; a comment written with a name costs no further read.
 */
async function takeAuthorsLatestName(db: ProjectionDb, doc: ThreadCommentDocument) {
  if (doc.author.kind !== 'account' || doc.author.accountId === null || doc.author.name !== '')
    return;
  const latest = (
    await db.collection<AuthorNameDocument>(C.authors).findOne({ _id: doc.author.accountId })
  )?.displayName;
  if (latest === undefined || latest === doc.author.name) return;
  const comments = db.collection<ThreadCommentDocument>(C.comments);
  await writeOneAtATime(comments, doc._id, () =>
    comments.updateOne(
      { _id: doc._id, 'author.name': doc.author.name },
      { $set: { 'author.name': latest } },
    ),
  );
}

/** The counters a comment is in: its post's approved comments, and its client's history. */
function countersOf(doc: Omit<ThreadCommentDocument, '_v'> | null): string[] {
  if (!doc || doc.deleted) return [];
  return [
    ...(doc.status === 'approved' ? [THREAD_COUNTERS.approved(doc.postId)] : []),
    // What came from a client, for moderators judging a guest.
    ...(doc.clientKey ? [THREAD_COUNTERS.client(doc.clientKey, doc.status)] : []),
  ];
}

/** Moves the counters a comment leaves or enters as an event changes it. */
async function countComment(
  db: ProjectionDb,
  current: Omit<ThreadCommentDocument, '_v'> | null,
  next: Omit<ThreadCommentDocument, '_v'> | null,
  context: ProjectionContext | undefined,
) {
  const counts = db.collection<TallyPart>(C.counts);
  const [was, is] = [countersOf(current), countersOf(next ?? current)];
  for (const counter of was) if (!is.includes(counter)) await tally(counts, counter, -1, context);
  for (const counter of is) if (!was.includes(counter)) await tally(counts, counter, 1, context);
}

async function applyLikeEvent(
  event: Envelope<'parley.comment.liked.v1' | 'parley.comment.unliked.v1'>,
  db: ProjectionDb,
  context: ProjectionContext | undefined,
) {
  const likes = db.collection<CommentLikeDocument>(C.likes);
  const { commentId, postId, accountId } = event.data;
  const liked = event.type === 'parley.comment.liked.v1';
  await applyToOwnedDocument<CommentLikeDocument>(
    likes,
    event.subject,
    event,
    () => ({ _id: event.subject, commentId, postId, accountId, liked }),
    (current) =>
      tally(
        db.collection<TallyPart>(C.counts),
        THREAD_COUNTERS.likes(commentId),
        Number(liked) - Number(current?.liked ?? false),
        context,
      ),
  );
  await recordChange(db, postId, event, context);
}

async function applyAccountEvent(
  sealed: AccountNamingEvent,
  db: ProjectionDb,
  context: ProjectionContext | undefined,
) {
  const { accountId } = sealed.data;
  // The account's comments carry its latest name, whether they came before this event or
  // after it (a rebuild reads the two topics in its own order): the same documents either way.
  const latest = await applyAccountName(
    sealed,
    db.collection<AuthorNameDocument>(C.authors),
    context,
  );
  if (latest !== undefined)
    await updateEach(
      db.collection<ThreadCommentDocument>(C.comments),
      { authorKey: authorKeyOf({ kind: 'account', accountId }), 'author.name': { $ne: latest } },
      { $set: { 'author.name': latest } },
    );
  // A name shows on every comment its account wrote, on any post: every kept page is remade.
  await recordChange(db, AUTHOR_NAMES_VERSION, sealed, context);
}

/**
 * The threads of posts: every comment with its place in its thread, what each top-level
 * thread shows to readers and moderators, comment likes and authors' current names.
 */
export const threadProjection: Projection<'comments' | 'accounts'> = {
  name: THREAD_PROJECTION,
  topics: ['comments', 'accounts'],
  collections: {
    [C.comments]: [
      { keys: { rootId: 1, sortKey: 1 } },
      { keys: { postId: 1, status: 1, deleted: 1 } },
      { keys: { postId: 1, parentId: 1, status: 1, deleted: 1 } },
      // Flood control and duplicate detection read only comments still shown (not deleted).
      { keys: { postId: 1, authorKey: 1, textKey: 1, deleted: 1 } },
      { keys: { postId: 1, textKey: 1, deleted: 1, _id: -1 } },
      { keys: { clientKey: 1, _id: -1 } },
      { keys: { clientKey: 1, status: 1, deleted: 1 } },
      { keys: { authorKey: 1, _id: -1 } },
      { keys: { authorKey: 1, status: 1 } },
      // The moderation queue: newest first, deleted comments left out.
      { keys: { status: 1, deleted: 1, _id: -1 } },
      { keys: { postAuthorId: 1, status: 1, deleted: 1, _id: -1 } },
      // An export of the blog reads each post's comments in id order, a page at a time.
      { keys: { postId: 1, deleted: 1, _id: 1 } },
      // WordPress clients: a comment by its integer id, a post's comments by date.
      { keys: { wordpressId: 1, _id: 1 } },
      { keys: { postId: 1, status: 1, deleted: 1, postedAt: 1, _id: 1 } },
      { keys: { postId: 1, parentId: 1, status: 1, deleted: 1, postedAt: 1, _id: 1 } },
      { keys: { status: 1, deleted: 1, postedAt: 1, _id: 1 } },
      { keys: { parentId: 1, status: 1, deleted: 1, postedAt: 1, _id: 1 } },
    ],
    [C.threads]: [
      { keys: { postId: 1, listed: 1, _id: 1 } },
      { keys: { postId: 1, listedForModeration: 1, _id: 1 } },
    ],
    [C.likes]: [
      { keys: { commentId: 1, liked: 1 } },
      { keys: { accountId: 1, commentId: 1 } },
      // What a reader likes on one post, beside the thread everyone reads.
      { keys: { accountId: 1, postId: 1, liked: 1, commentId: 1 } },
    ],
    [C.authors]: [],
    [C.counts]: TALLY_INDEXES,
    [C.versions]: [],
  },
  async apply(event, db, context) {
    switch (event.type) {
      case 'parley.comment.posted.v3':
      case 'parley.comment.approved.v1':
      case 'parley.comment.unapproved.v1':
      case 'parley.comment.marked-spam.v1':
      case 'parley.comment.trashed.v1':
      case 'parley.comment.restored.v1':
      case 'parley.comment.edited.v1':
      case 'parley.comment.deleted.v1':
      case 'parley.comment.author-erased.v1':
        return applyCommentEvent(event, db, context);
      case 'parley.comment.liked.v1':
      case 'parley.comment.unliked.v1':
        return applyLikeEvent(event, db, context);
      case 'parley.account.registered.v2':
      case 'parley.account.display-name-changed.v2':
      case 'parley.account.erased.v1':
        return applyAccountEvent(event, db, context);
      // Settings are read from their stream; addresses and roles do not show in threads.
      case 'parley.comment-settings.changed.v1':
      case 'parley.account.email-verified.v2':
      case 'parley.account.roles-changed.v1':
      case 'parley.session.ended.v1':
        return;
      default:
        return assertNever(event, 'thread projection event');
    }
  },
};
