import { Inject, Injectable } from '@nestjs/common';
import {
  AWAITING_MODERATION_MESSAGE,
  type ClientHistory,
  type CommentView,
  type CommentsPersonalData,
  DELETED_COMMENT_MESSAGE,
  type ExportCommentsPage,
  type ExportCommentsQuery,
  type GuestContact,
  type ModerationQueueItem,
  type ModerationQueuePage,
  type PublicCommentAuthor,
  type ThreadItem,
  type WordpressComment,
  type WordpressCommentPage,
} from '@parley/contracts';
import { wordpressIdOf } from '@parley/domain';
import { READ_MODELS } from '@parley/platform';
import {
  type Document,
  type DocumentCollection,
  type LiveReadModels,
  reachedStream,
  type TallyPart,
  tallies,
} from '@parley/readmodel';
import { commentStream, type WriterHistory } from '../comments/comment.decider';
import type { WriteKeys } from '../comments/recent-writers';
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
  threadVersionTag,
} from './thread-documents';
import { arrangeThreads, isOwn, type ShownComment, type ThreadViewer } from './thread-tree';

export interface ThreadPageRequest {
  postId: string;
  viewer: ThreadViewer;
  /** The viewing account, for the comments it liked. */
  accountId: string | null;
  page: number;
  perPage: number;
  order: 'oldest' | 'newest';
}

export interface ThreadPageResult {
  items: ThreadItem[];
  totals: { comments: number; threads: number; pages: number };
}

export interface WordpressPageRequest {
  /** Every post's comments when left out. */
  postId?: string | undefined;
  /** Only replies to these comments (null: top-level ones); every comment when left out. */
  parentIds?: readonly (string | null)[];
  page: number;
  perPage: number;
  order: 'asc' | 'desc';
}

export interface QueueRequest {
  statuses: ('pending' | 'spam' | 'trash')[];
  /** Moderators and admins see what a guest gave (email, website) and their client's history. */
  withGuestContact: boolean;
  postId?: string;
  /** Only comments on this author's posts; undefined for moderators, who see all. */
  postAuthorId?: string;
  page: number;
  limit: number;
}

/** Reads of the thread read model: a constant number of indexed queries per request. */
@Injectable()
export class ThreadQueries {
  constructor(@Inject(READ_MODELS) private readonly readModels: LiveReadModels) {}

  private collection<T extends Document>(name: string): DocumentCollection<T> {
    return this.readModels.db(THREAD_PROJECTION).collection<T>(name);
  }

  /** The values of some counters of the thread projection, 0 for one never moved. */
  private async counted(counters: readonly string[]): Promise<number[]> {
    const sums = await tallies(this.collection<TallyPart>(C.counts), counters);
    return counters.map((counter) => sums.get(counter) ?? 0);
  }

  private get comments() {
    return this.collection<ThreadCommentDocument>(C.comments);
  }

  /** Every comment filed under an author, newest first: what erasing them goes through. */
  async commentIdsBy(authorKey: string): Promise<string[]> {
    const docs = await this.comments.find({ authorKey }, { sort: { _id: -1 } });
    return docs.map((doc) => doc._id);
  }

  /** What the moderation rules need to know of a writer. */
  /** What flood control and duplicate detection need to know of a writer, their address and their text. */
  async writerHistory(keys: WriteKeys): Promise<WriterHistory> {
    const { authorKey, clientKey, postId, textKey } = keys;
    const shown = { deleted: false, status: { $ne: 'trash' } };
    const [approved, latest, same, fromClient, sameText] = await Promise.all([
      this.comments.findOne({ authorKey, status: 'approved' }),
      this.comments.find({ authorKey }, { sort: { _id: -1 }, limit: 1 }),
      this.comments.findOne({ postId, authorKey, textKey, ...shown }),
      clientKey
        ? this.comments.find({ clientKey }, { sort: { _id: -1 }, limit: 1 })
        : Promise.resolve([]),
      // The latest few are enough: a repeat counts within a window, newest first.
      this.comments.find({ postId, textKey, ...shown }, { sort: { _id: -1 }, limit: 20 }),
    ]);
    const postedAt = (doc: ThreadCommentDocument | undefined) =>
      doc ? new Date(doc.postedAt) : null;
    return {
      hasApprovedComment: approved !== null,
      lastPostedAt: postedAt(latest[0]),
      clientLastPostedAt: postedAt(fromClient[0]),
      sameTextOnPost: same !== null,
      sameTextLastPostedAt: postedAt(sameText[0]),
      sameTextFromClientAt: clientKey
        ? postedAt(sameText.find((doc) => doc.clientKey === clientKey))
        : null,
    };
  }

  /** Where the post's thread stands: read before its page, so a page is never newer-tagged than its data. */
  async threadVersion(postId: string): Promise<string> {
    const versions = this.collection<PostThreadVersionDocument>(C.versions);
    // One round trip for both records; the tag does not depend on the order they come in.
    const docs = await versions.find(
      { _id: { $in: [postId, AUTHOR_NAMES_VERSION] } },
      { fields: ['changes'] },
    );
    return threadVersionTag(docs, postId);
  }

  async page(request: ThreadPageRequest): Promise<ThreadPageResult> {
    const { postId, viewer, page, perPage, order } = request;
    const threads = this.collection<ThreadDocument>(C.threads);
    const listed: Record<string, unknown> =
      viewer.view === 'moderation' ? { listedForModeration: true } : { listed: true };
    // A reader's own held top-level comments start threads only they see.
    const own = ownComments(viewer);
    const ownHeldRoots =
      viewer.view === 'public' && own
        ? (
            await this.comments.find({
              postId,
              parentId: null,
              status: 'pending',
              deleted: false,
              $or: own,
            })
          ).map((doc) => doc._id)
        : [];
    const filter =
      ownHeldRoots.length > 0
        ? { postId, $or: [listed, { _id: { $in: ownHeldRoots } }] }
        : { postId, ...listed };
    const skip = (page - 1) * perPage;
    const [roots, threadCount, commentCount] = await Promise.all([
      threads.find(filter, { sort: { _id: order === 'oldest' ? 1 : -1 }, skip, limit: perPage }),
      threads.count(filter),
      this.counted([THREAD_COUNTERS.approved(postId)]).then(([count]) => count ?? 0),
    ]);
    const totals = {
      comments: commentCount,
      threads: threadCount,
      pages: Math.max(1, Math.ceil(threadCount / perPage)),
    };
    if (roots.length === 0) return { items: [], totals };

    const docs = await this.comments.find(
      { rootId: { $in: roots.map((r) => r._id) } },
      { sort: { sortKey: 1 } },
    );
    const byRoot = new Map<string, ShownComment[]>();
    for (const shown of arrangeThreads(docs, viewer)) {
      const list = byRoot.get(shown.doc.rootId) ?? [];
      list.push(shown);
      byRoot.set(shown.doc.rootId, list);
    }
    const ordered: { shown: ShownComment; number: number | null }[] = [];
    roots.forEach((root, index) => {
      for (const shown of byRoot.get(root._id) ?? []) {
        // Numbered by age whatever the order shown, so "#3" is the same comment either way.
        const number = order === 'oldest' ? skip + index + 1 : threadCount - skip - index;
        ordered.push({ shown, number: shown.doc.parentId === null ? number : null });
      }
    });
    const decorate = await this.decorations(
      ordered.map((o) => o.shown.doc),
      request.accountId,
    );
    return {
      items: ordered.map(({ shown, number }) => toThreadItem(shown, number, viewer, decorate)),
      totals,
    };
  }

  /**
   * What a post's public thread shows the viewer alone: the comments their account likes there,
   * and how many of their own comments there are held. Two indexed queries, none for a stranger.
   */
  async viewerState(
    postId: string,
    viewer: ThreadViewer,
    accountId: string | null,
  ): Promise<{ liked: string[]; held: number }> {
    const own = ownComments(viewer);
    const [likes, held] = await Promise.all([
      accountId
        ? this.collection<CommentLikeDocument>(C.likes).find(
            { accountId, postId, liked: true },
            { sort: { commentId: 1 } },
          )
        : Promise.resolve([]),
      own
        ? // Deleted ones too: a held comment deleted under approved replies still shows them to its writer.
          this.comments.count({ postId, status: 'pending', $or: own })
        : Promise.resolve(0),
    ]);
    return { liked: likes.map((like) => like.commentId), held };
  }

  /**
   * Waits until the thread pages show the comment at `version` or later, for at most
   * `withinMs`: signalled by this process's projection, or else read from the comment's
   * document, its top-level thread and the post's thread version, so that no kept page from
   * before the write is served after it.
   */
  async reached(commentId: string, version: number, withinMs: number): Promise<boolean> {
    return reachedStream({
      applied: this.readModels.applied,
      projection: THREAD_PROJECTION,
      stream: commentStream(commentId),
      version,
      withinMs,
      read: () => this.shows(commentId, version),
    });
  }

  /**
   * One look: the comment and the post's version show `version`. The projection records the
   * version last, once the comment's thread is counted, so its thread shows it too.
   */
  private async shows(commentId: string, version: number): Promise<boolean> {
    const doc = await this.comments.findOne({ _id: commentId });
    if (!doc || doc._v < version) return false;
    const recorded = await this.collection<PostThreadVersionDocument>(C.versions).findOne({
      _id: doc.postId,
    });
    return (recorded?.streams[threadVersionField(commentStream(commentId))] ?? 0) >= version;
  }

  /** One comment as the viewer may see it, or null. */
  async comment(commentId: string, viewer: ThreadViewer, accountId: string | null) {
    const doc = await this.comments.findOne({ _id: commentId });
    if (!doc || doc.deleted) return null;
    const visible =
      doc.status === 'approved' ||
      (viewer.view === 'moderation' && doc.status !== 'trash') ||
      (doc.status === 'pending' && isOwn(doc, viewer));
    if (!visible) return null;
    const listedTopLevel = doc.parentId === null && doc.status === 'approved';
    const [decorate, replyCount, number] = await Promise.all([
      this.decorations([doc], accountId),
      this.comments.count({ parentId: commentId, status: 'approved', deleted: false }),
      // Its number among the post's listed threads, oldest first, as the thread page gives it.
      listedTopLevel
        ? this.collection<ThreadDocument>(C.threads).count({
            postId: doc.postId,
            listed: true,
            _id: { $lte: doc._id },
          })
        : Promise.resolve(null),
    ]);
    const shown: ShownComment = {
      doc,
      tombstone: false,
      ownPending: doc.status === 'pending' && viewer.view === 'public',
      replyCount,
    };
    return toThreadItem(shown, number, viewer, decorate);
  }

  /** Comment ids by the integer ids WordPress clients know them by (the oldest when two share one). */
  async idsOfWordpressIds(wordpressIds: readonly number[]): Promise<Map<number, string>> {
    if (wordpressIds.length === 0) return new Map();
    const docs = await this.comments.find(
      { wordpressId: { $in: [...wordpressIds] } },
      { sort: { wordpressId: 1, _id: 1 } },
    );
    const ids = new Map<number, string>();
    for (const doc of docs) if (!ids.has(doc.wordpressId!)) ids.set(doc.wordpressId!, doc._id);
    return ids;
  }

  /**
   * A post's approved comments by date, one flat page of them as WordPress lists them,
   * optionally only the replies to some parents (null: top-level comments), with the total.
   */
  async wordpressPage(request: WordpressPageRequest): Promise<WordpressCommentPage> {
    const { postId, parentIds, page, perPage, order } = request;
    const filter: Record<string, unknown> = {
      ...(postId !== undefined ? { postId } : {}),
      ...(parentIds ? { parentId: { $in: [...parentIds] } } : {}),
      status: 'approved',
      deleted: false,
    };
    const direction = order === 'asc' ? 1 : -1;
    const [docs, total] = await Promise.all([
      this.comments.find(filter, {
        sort: { postedAt: direction, _id: direction },
        skip: (page - 1) * perPage,
        limit: perPage,
      }),
      this.comments.count(filter),
    ]);
    return { items: await this.asWordpressComments(docs), total };
  }

  /** Comments with their own and their parents' integer ids: two more queries for a page. */
  async asWordpressComments(docs: readonly ThreadCommentDocument[]): Promise<WordpressComment[]> {
    const parentIds = [...new Set(docs.flatMap((d) => (d.parentId ? [d.parentId] : [])))];
    const [decorations, parents] = await Promise.all([
      this.decorations(docs, null),
      parentIds.length > 0 ? this.comments.find({ _id: { $in: parentIds } }) : [],
    ]);
    const byId = new Map(parents.map((p) => [p._id, wordpressIdOfDoc(p)]));
    return docs.map((doc) => ({
      ...commentFields(doc, decorations),
      wordpressId: wordpressIdOfDoc(doc),
      // A parent gone from the read model is still the parent it was: its id is derived alike.
      parentWordpressId: doc.parentId ? (byId.get(doc.parentId) ?? wordpressIdOf(doc.parentId)) : 0,
    }));
  }

  /** The document of one comment, as the WordPress dialect shows it once its visibility is checked. */
  async document(commentId: string): Promise<ThreadCommentDocument | null> {
    return this.comments.findOne({ _id: commentId });
  }

  async moderationQueue(request: QueueRequest): Promise<ModerationQueuePage> {
    const filter: Record<string, unknown> = {
      status: { $in: request.statuses },
      deleted: false,
      ...(request.postId ? { postId: request.postId } : {}),
      ...(request.postAuthorId ? { postAuthorId: request.postAuthorId } : {}),
    };
    const [docs, total] = await Promise.all([
      this.comments.find(filter, {
        sort: { _id: -1 },
        skip: (request.page - 1) * request.limit,
        limit: request.limit,
      }),
      this.comments.count(filter),
    ]);
    const clientKeys = request.withGuestContact
      ? [...new Set(docs.flatMap((d) => (d.clientKey ? [d.clientKey] : [])))]
      : [];
    const [decorate, histories] = await Promise.all([
      this.decorations(docs, null),
      this.clientHistories(clientKeys),
    ]);
    // An erased guest (or one imported without an address) has no contact to show.
    const contactOf = (doc: ThreadCommentDocument): GuestContact | null =>
      request.withGuestContact && doc.author.kind === 'guest' && doc.guestEmail
        ? {
            email: doc.guestEmail,
            url: doc.author.url,
            sameClient: (doc.clientKey && histories.get(doc.clientKey)) || null,
          }
        : null;
    return {
      items: docs.map((doc): ModerationQueueItem => ({
        ...commentFields(doc, decorate),
        moderationReason: doc.moderationReason,
        post: { id: doc.postId, title: doc.postTitle, slug: doc.postSlug },
        guest: contactOf(doc),
        // From the comment's own stream, for moderators only (see CommentOrigins).
        origin: null,
      })),
      total,
      page: request.page,
      pages: Math.max(1, Math.ceil(total / request.limit)),
    };
  }

  /**
   * A post's comments in every status for an export of the blog, guests' addresses included:
   * for admins only (the controller checks). Deleted ones are gone from the blog and left out.
   */
  async exportPage(query: ExportCommentsQuery): Promise<ExportCommentsPage> {
    const docs = await this.comments.find(
      {
        postId: query.postId,
        deleted: false,
        ...(query.after ? { _id: { $gt: query.after } } : {}),
      },
      { sort: { _id: 1 }, limit: query.limit + 1 },
    );
    const page = docs.slice(0, query.limit);
    const { names } = await this.decorations(page, null);
    return {
      items: page.map((doc) => {
        const author = publicAuthor(doc, names);
        return {
          id: doc._id,
          parentId: doc.parentId,
          author: {
            kind: author.kind,
            accountId: author.accountId,
            name: author.name,
            url: author.url,
            email: doc.author.kind === 'guest' ? (doc.guestEmail ?? null) : null,
          },
          body: doc.body,
          html: doc.html,
          status: doc.status,
          kind: doc.kind ?? 'comment',
          ...importedFields(doc),
          postedAt: doc.postedAt,
        };
      }),
      nextAfter: docs.length > query.limit ? (page.at(-1)?._id ?? null) : null,
    };
  }

  /**
   * What the comments service holds of one person (an author key): their comments, deleted ones
   * left out, and the comments they like, each with its post. Newest first.
   */
  async personalData(authorKey: string, accountId: string | null): Promise<CommentsPersonalData> {
    const [written, liked] = await Promise.all([
      this.comments.find({ authorKey }, { sort: { _id: -1 } }),
      accountId
        ? this.collection<CommentLikeDocument>(C.likes).find(
            { accountId },
            { sort: { commentId: 1 } },
          )
        : Promise.resolve([]),
    ]);
    const likes = liked.filter((like) => like.liked);
    const likedComments = likes.length
      ? await this.comments.find({ _id: { $in: likes.map((like) => like.commentId) } })
      : [];
    const postOf = new Map(likedComments.map((doc) => [doc._id, doc]));
    return {
      comments: written
        .filter((doc) => !doc.deleted)
        .map((doc) => ({
          id: doc._id,
          postId: doc.postId,
          postTitle: doc.postTitle,
          postSlug: doc.postSlug,
          parentId: doc.parentId,
          author: {
            kind: doc.author.kind,
            name: doc.author.name,
            url: doc.author.url,
            email: doc.author.kind === 'guest' ? (doc.guestEmail ?? null) : null,
          },
          body: doc.body,
          status: doc.status,
          kind: doc.kind ?? 'comment',
          postedAt: doc.postedAt,
          editedAt: doc.editedAt,
        })),
      likes: likes.map((like) => {
        const comment = postOf.get(like.commentId);
        return {
          commentId: like.commentId,
          postId: like.postId,
          postTitle: comment?.postTitle ?? null,
          postSlug: comment?.postSlug ?? null,
        };
      }),
    };
  }

  /** Ids of trashed comments not deleted yet, oldest first, on one author's posts or all. */
  async trashed(postAuthorId: string | undefined, limit: number): Promise<string[]> {
    const docs = await this.comments.find(
      { status: 'trash', deleted: false, ...(postAuthorId ? { postAuthorId } : {}) },
      { sort: { _id: 1 }, limit },
    );
    return docs.map((doc) => doc._id);
  }

  /** An account's current name as the account events gave it; null before any reached this service. */
  async accountName(accountId: string): Promise<string | null> {
    const doc = await this.collection<AuthorNameDocument>(C.authors).findOne({ _id: accountId });
    return doc?.displayName ?? null;
  }

  /** What came from each of some clients, by status: one query. */
  private async clientHistories(
    clientKeys: readonly string[],
  ): Promise<Map<string, ClientHistory>> {
    const statuses = ['approved', 'pending', 'spam', 'trash'] as const;
    const counts = await this.counted(
      clientKeys.flatMap((key) => statuses.map((status) => THREAD_COUNTERS.client(key, status))),
    );
    return new Map(
      clientKeys.map((key, k) => {
        const [approved = 0, pending = 0, spam = 0, trash = 0] = counts.slice(
          k * statuses.length,
          (k + 1) * statuses.length,
        );
        return [key, { approved, pending, spam, trash }];
      }),
    );
  }

  /** Like counts, the viewer's likes and authors' current names of many comments: three queries. */
  private async decorations(
    docs: readonly ThreadCommentDocument[],
    accountId: string | null,
  ): Promise<Decorations> {
    const ids = docs.map((d) => d._id);
    const accountIds = [
      ...new Set(docs.flatMap((d) => (d.author.accountId ? [d.author.accountId] : []))),
    ];
    const [counts, liked, names] = await Promise.all([
      this.counted(ids.map((id) => THREAD_COUNTERS.likes(id))),
      accountId && ids.length > 0
        ? this.collection<CommentLikeDocument>(C.likes).find({
            accountId,
            commentId: { $in: ids },
            liked: true,
          })
        : [],
      accountIds.length > 0
        ? this.collection<AuthorNameDocument>(C.authors).find({ _id: { $in: accountIds } })
        : [],
    ]);
    return {
      likeCounts: new Map(ids.map((id, i) => [id, counts[i] ?? 0])),
      likedByViewer: new Set(liked.map((l) => l.commentId)),
      names: new Map(names.map((n) => [n._id, n.displayName])),
    };
  }
}

/** What makes a comment the viewer's own, as a filter's `$or`; null for a stranger. */
function ownComments(viewer: ThreadViewer): Record<string, unknown>[] | null {
  const own = [
    ...(viewer.authorKey ? [{ authorKey: viewer.authorKey }] : []),
    ...(viewer.viewerTokenHashes.length > 0
      ? [{ viewerTokenHash: { $in: [...viewer.viewerTokenHashes] } }]
      : []),
  ];
  return own.length > 0 ? own : null;
}

function wordpressIdOfDoc(doc: ThreadCommentDocument): number {
  return doc.wordpressId ?? wordpressIdOf(doc._id, doc.imported);
}

interface Decorations {
  likeCounts: Map<string, number>;
  likedByViewer: Set<string>;
  names: Map<string, string>;
}

function publicAuthor(doc: ThreadCommentDocument, names: Map<string, string>): PublicCommentAuthor {
  const { author } = doc;
  return {
    kind: author.kind,
    accountId: author.accountId,
    name: (author.accountId ? names.get(author.accountId) : undefined) ?? author.name,
    url: author.url,
    avatarSeed: doc.avatarSeed,
  };
}

/** An imported comment's place on its old blog, so that its old anchor still finds it. */
function importedFields(doc: ThreadCommentDocument): Pick<CommentView, 'imported'> {
  return doc.imported
    ? { imported: { system: doc.imported.system, site: doc.imported.site, id: doc.imported.id } }
    : {};
}

function commentFields(doc: ThreadCommentDocument, decorate: Decorations) {
  return {
    id: doc._id,
    postId: doc.postId,
    parentId: doc.parentId,
    depth: doc.depth,
    author: publicAuthor(doc, decorate.names),
    body: doc.body,
    html: doc.html,
    status: doc.status,
    kind: doc.kind ?? 'comment',
    ...importedFields(doc),
    postedAt: doc.postedAt,
    edited: doc.editedAt !== null,
    editedAt: doc.editedAt,
    deleted: false,
  };
}

function toThreadItem(
  shown: ShownComment,
  number: number | null,
  viewer: ThreadViewer,
  decorate: Decorations,
): ThreadItem {
  const { doc } = shown;
  const counts = {
    number,
    replyCount: shown.replyCount,
    likeCount: decorate.likeCounts.get(doc._id) ?? 0,
    likedByViewer: decorate.likedByViewer.has(doc._id),
  };
  if (shown.tombstone) {
    return {
      ...counts,
      id: doc._id,
      postId: doc.postId,
      parentId: doc.parentId,
      depth: doc.depth,
      author: null,
      body: '',
      html: '',
      status: doc.status,
      kind: doc.kind ?? 'comment',
      ...importedFields(doc),
      postedAt: doc.postedAt,
      edited: false,
      editedAt: null,
      deleted: true,
      message: DELETED_COMMENT_MESSAGE,
      moderationReason: null,
    };
  }
  return {
    ...commentFields(doc, decorate),
    ...counts,
    message: shown.ownPending ? AWAITING_MODERATION_MESSAGE : null,
    moderationReason: viewer.view === 'moderation' ? doc.moderationReason : null,
  };
}
