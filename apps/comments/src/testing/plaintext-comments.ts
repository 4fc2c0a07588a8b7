import { randomUUID } from 'node:crypto';
import type { AnyEvent } from '@parley/contracts';
import { type Commit, commitId } from '@parley/eventstore';
import { guestIdOf } from '../comments/comment-keys';
import { commentStream } from '../comments/comment.decider';

/** A guest comment as Parley wrote it before personal data was sealed. */
export interface PlaintextComment {
  commentId: string;
  postId: string;
  postTitle?: string;
  postSlug?: string;
  name: string;
  email: string;
  url: string | null;
  body: string;
  postedAt: string;
}

/**
 * The commit of a `parley.comment.posted.v1` with the guest's name, email and website in
 * plaintext, as an old log holds it (the stores write only the newest versions now).
 */
export function plaintextCommentCommit(comment: PlaintextComment): Commit {
  const streamId = commentStream(comment.commentId);
  const event = {
    specversion: '1.0',
    id: randomUUID(),
    source: '/parley/comments',
    type: 'parley.comment.posted.v1',
    subject: streamId,
    time: comment.postedAt,
    datacontenttype: 'application/json',
    streamVersion: 1,
    correlationId: `import-${comment.commentId}`,
    causationId: null,
    data: {
      commentId: comment.commentId,
      postId: comment.postId,
      parentId: null,
      ancestorIds: [],
      ancestorAuthorIds: [],
      depth: 1,
      author: {
        kind: 'guest',
        guestId: guestIdOf(comment.email),
        name: comment.name,
        email: comment.email,
        url: comment.url,
      },
      body: comment.body,
      html: `<p>${comment.body}</p>`,
      status: 'approved',
      moderationReason: null,
      notify: 'none',
      postAuthorId: null,
      postTitle: comment.postTitle ?? 'A post',
      postSlug: comment.postSlug ?? 'a-post',
      viewerTokenHash: null,
      postedAt: comment.postedAt,
    },
  } as unknown as AnyEvent;
  return {
    id: commitId(streamId, 1),
    streamId,
    version: 1,
    lastVersion: 1,
    events: [event],
    committedAt: new Date(comment.postedAt),
  };
}
