import { type DomainErrorLike, type ProblemException, domainProblem } from '@parley/platform';
import { domainError } from '@parley/eventstore';
import type { PostsErrorCode } from './command-context';

/** The HTTP status of each domain error of the posts service, in one place. */
const STATUS: Record<PostsErrorCode, number> = {
  PostNotFound: 404,
  NotAllowed: 403,
  PostExists: 409,
  PostDeleted: 409,
  AlreadyPublished: 409,
  RevisionConflict: 409,
  PostNotPublished: 409,
  ConcurrentChange: 409,
  ScheduleInPast: 422,
  EmptyTitle: 422,
  BodyTooLarge: 422,
  InvalidCommentSettings: 422,
};

export function failure(error: DomainErrorLike): ProblemException {
  return domainProblem(error, (code) => STATUS[code as PostsErrorCode] ?? 400);
}

export function notFound(): ProblemException {
  return failure(domainError('PostNotFound', 'There is no such post'));
}
