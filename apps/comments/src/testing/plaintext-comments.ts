import type { Commit } from '@parley/eventstore';
import { oldCommit } from '@parley/testing';
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
  return oldCommit(
    '/parley/comments',
    commentStream(comment.commentId),
    1,
    [
      {
        type: 'parley.comment.posted.v1',
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
      },
    ],
    comment.postedAt,
  );
}
