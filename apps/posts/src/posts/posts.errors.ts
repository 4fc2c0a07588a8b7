import { type ProblemException, errorTable } from '@parley/platform';
import { domainError } from '@parley/eventstore';
import type { PostsError, PostsErrorCode } from './command-context';

/** The HTTP answer to each domain error of the posts service, in one place. */
const answer = errorTable<PostsErrorCode>({
  PostNotFound: { status: 404 },
  NotAllowed: { status: 403 },
  PostExists: { status: 409 },
  PostDeleted: { status: 409 },
  AlreadyPublished: { status: 409 },
  RevisionConflict: { status: 409 },
  PostNotPublished: { status: 409 },
  ConcurrentChange: { status: 409 },
  ScheduleInPast: { status: 422, field: 'publishAt' },
  EmptyTitle: { status: 422, field: 'title' },
  BodyTooLarge: { status: 422, field: 'body' },
  InvalidCommentSettings: { status: 422, field: 'commentSettings' },
});

export function failure(error: PostsError): ProblemException {
  return answer(error);
}

export function notFound(): ProblemException {
  return failure(domainError('PostNotFound', 'There is no such post'));
}
