import type { DomainError } from '@parley/eventstore';
import { type ProblemException, errorTable } from '@parley/platform';
import type { CommentErrorCode } from './comments/comment.decider';

/** Every code a comments use case can answer with: the decider's, and a conflict that outlasted its retries. */
export type CommentsErrorCode = CommentErrorCode | 'ConcurrentChange';
export type CommentsError = DomainError<CommentsErrorCode>;

/** The HTTP answer to each domain error of the comments service, in one place. */
const answer = errorTable<CommentsErrorCode>({
  PostNotFound: { status: 404 },
  CommentNotFound: { status: 404 },
  ParentNotFound: { status: 404, field: 'parentId' },
  NotAllowed: { status: 403 },
  NotTheAuthor: { status: 409 },
  PostNotPublished: { status: 409 },
  CommentsClosed: { status: 409 },
  DuplicateComment: { status: 409 },
  ParentDeleted: { status: 409, field: 'parentId' },
  ParentAwaitingModeration: { status: 409, field: 'parentId' },
  CommentAlreadyExists: { status: 409 },
  CommentDeleted: { status: 409 },
  CommentNotEditable: { status: 409 },
  ConcurrentChange: { status: 409 },
  CommentEmpty: { status: 422, field: 'body' },
  CommentTooLong: { status: 422, field: 'body' },
  ParentOnAnotherPost: { status: 422, field: 'parentId' },
  EditWindowClosed: { status: 422 },
  CommentFlood: { status: 429 },
});

/** A domain error as problem+json, once, at the edge; a flood refusal says when to come back. */
export function commentsProblem(error: CommentsError): ProblemException {
  const retryAfter = error.details?.retryAfterSeconds;
  return answer(
    error,
    error.code === 'CommentFlood' && typeof retryAfter === 'number'
      ? { 'retry-after': String(retryAfter) }
      : undefined,
  );
}
