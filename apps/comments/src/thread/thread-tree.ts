import type { ThreadCommentDocument } from './thread-documents';

/** Who looks at a thread, for what they may see beyond approved comments. */
export interface ThreadViewer {
  view: 'public' | 'moderation';
  /** The viewing account's author key, to show its own held comments. */
  authorKey: string | null;
  /** Hashes of the viewer tokens a guest presented. */
  viewerTokenHashes: readonly string[];
}

export const PUBLIC_VIEWER: ThreadViewer = {
  view: 'public',
  authorKey: null,
  viewerTokenHashes: [],
};
export const MODERATION_VIEWER: ThreadViewer = {
  view: 'moderation',
  authorKey: null,
  viewerTokenHashes: [],
};

/** What arranging a thread reads of each comment. */
export const ARRANGED_FIELDS = [
  'parentId',
  'sortKey',
  'status',
  'deleted',
  'authorKey',
  'viewerTokenHash',
] as const;
export type ArrangedComment = Pick<ThreadCommentDocument, '_id' | (typeof ARRANGED_FIELDS)[number]>;

export interface ShownComment<D extends ArrangedComment = ThreadCommentDocument> {
  doc: D;
  /** Deleted, shown only so that its replies keep their place. */
  tombstone: boolean;
  /** Held, shown only to the one who wrote it. */
  ownPending: boolean;
  /** Replies shown right below it (tombstones not counted). */
  replyCount: number;
}

export function isOwn(doc: ArrangedComment, viewer: ThreadViewer): boolean {
  return (
    (viewer.authorKey !== null && doc.authorKey === viewer.authorKey) ||
    (doc.viewerTokenHash !== null && viewer.viewerTokenHashes.includes(doc.viewerTokenHash))
  );
}

function visibleOnItsOwn(doc: ArrangedComment, viewer: ThreadViewer): boolean {
  switch (doc.status) {
    case 'approved':
      return true;
    case 'pending':
      return viewer.view === 'moderation' || isOwn(doc, viewer);
    case 'spam':
      return viewer.view === 'moderation';
    case 'trash':
      return false;
  }
}

/**
 * The comments of threads as a viewer sees them, in display order. A comment shows when
 * it and every comment above it may be seen; a deleted one shows as a tombstone only while
 * replies below it show, so a thread stays whole and an empty tombstone disappears.
 */
export function arrangeThreads<D extends ArrangedComment>(
  docs: readonly D[],
  viewer: ThreadViewer,
): ShownComment<D>[] {
  const sorted = [...docs].sort((a, b) =>
    a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0,
  );
  const reachable = new Set<string>();
  for (const doc of sorted) {
    const parentReachable = doc.parentId === null || reachable.has(doc.parentId);
    if (parentReachable && visibleOnItsOwn(doc, viewer)) reachable.add(doc._id);
  }
  const shown = new Set<string>();
  const replies = new Map<string, number>();
  const withShownReplies = new Set<string>();
  for (let i = sorted.length - 1; i >= 0; i--) {
    const doc = sorted[i]!;
    if (!reachable.has(doc._id)) continue;
    if (doc.deleted && !withShownReplies.has(doc._id)) continue;
    shown.add(doc._id);
    if (doc.parentId !== null) {
      withShownReplies.add(doc.parentId);
      if (!doc.deleted) replies.set(doc.parentId, (replies.get(doc.parentId) ?? 0) + 1);
    }
  }
  return sorted
    .filter((doc) => shown.has(doc._id))
    .map((doc) => ({
      doc,
      tombstone: doc.deleted,
      ownPending: doc.status === 'pending' && viewer.view === 'public' && isOwn(doc, viewer),
      replyCount: replies.get(doc._id) ?? 0,
    }));
}
