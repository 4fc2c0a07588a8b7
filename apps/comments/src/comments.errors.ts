import type { DomainError } from '@parley/eventstore';
import { domainProblem, type ProblemException } from '@parley/platform';

const STATUS: Record<string, number> = {
  PostNotFound: 404,
  CommentNotFound: 404,
  ParentNotFound: 404,
  NotAllowed: 403,
  PostNotPublished: 409,
  CommentsClosed: 409,
  DuplicateComment: 409,
  ParentDeleted: 409,
  ParentAwaitingModeration: 409,
  CommentAlreadyExists: 409,
  CommentDeleted: 409,
  CommentNotEditable: 409,
  ConcurrentChange: 409,
  CommentEmpty: 422,
  CommentTooLong: 422,
  ParentOnAnotherPost: 422,
  EditWindowClosed: 422,
  CommentFlood: 429,
};

/** Errors about one field of the request, named in the problem's `errors`. */
const FIELD: Record<string, string> = {
  CommentEmpty: 'body',
  CommentTooLong: 'body',
  ParentNotFound: 'parentId',
  ParentOnAnotherPost: 'parentId',
  ParentDeleted: 'parentId',
  ParentAwaitingModeration: 'parentId',
};

export function statusOf(code: string): number {
  return STATUS[code] ?? 422;
}

/** A domain error as problem+json, once, at the edge; a flood refusal says when to come back. */
export function commentsProblem(error: DomainError): ProblemException {
  const retryAfter = error.details?.retryAfterSeconds;
  return domainProblem(
    error,
    statusOf,
    error.code === 'CommentFlood' && typeof retryAfter === 'number'
      ? { 'retry-after': String(retryAfter) }
      : undefined,
    FIELD[error.code],
  );
}
