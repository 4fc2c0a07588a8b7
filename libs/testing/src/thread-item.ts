import type { ThreadItem } from '@parley/contracts';

/** A comment as a thread answer gives it: approved, top-level, by the guest Gus unless `over` says otherwise. */
export function threadItem(id: string, over: Partial<ThreadItem> = {}): ThreadItem {
  return {
    id,
    postId: 'p1',
    parentId: null,
    depth: 1,
    author: { kind: 'guest', accountId: null, name: 'Gus', url: null, avatarSeed: 'seed' },
    body: `Comment ${id}`,
    html: `<p>Comment ${id}</p>`,
    status: 'approved',
    kind: 'comment',
    postedAt: '2026-11-24T12:00:00.000Z',
    edited: false,
    editedAt: null,
    deleted: false,
    number: 1,
    replyCount: 0,
    likeCount: 0,
    likedByViewer: false,
    message: null,
    moderationReason: null,
    ...over,
  };
}
