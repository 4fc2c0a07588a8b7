import {
  type AppendContext,
  type CommandOutcome,
  ConcurrencyError,
  type DomainError,
  domainError,
} from '@parley/eventstore';
import { currentCorrelation, newCorrelationId } from '@parley/observability';
import type { PostErrorCode } from './post.decider';

/** Codes of the errors a posts use case can answer with. */
export type PostsErrorCode = PostErrorCode | 'PostNotPublished' | 'ConcurrentChange';
export type PostsError = DomainError<PostsErrorCode>;
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: PostsError };

/** The request's correlation, copied into every event a command appends. */
export function commandContext(): AppendContext {
  const correlation = currentCorrelation();
  return {
    correlationId: correlation?.correlationId ?? newCorrelationId(),
    causationId: correlation?.causationId ?? null,
  };
}

/** Runs a command; a conflict that outlasts the retries is an error to answer, not a crash. */
export async function runCommand<S>(
  work: () => Promise<CommandOutcome<S, PostsError>>,
): Promise<Outcome<S>> {
  try {
    const outcome = await work();
    return outcome.ok ? { ok: true, value: outcome.state } : outcome;
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
    return {
      ok: false,
      error: domainError('ConcurrentChange', 'It kept changing while saving; try again'),
    };
  }
}
