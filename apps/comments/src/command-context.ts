import {
  type AppendContext,
  type CommandOutcome,
  ConcurrencyError,
  domainError,
} from '@parley/eventstore';
import { currentCorrelation, newCorrelationId } from '@parley/observability';
import { type CommentsError, commentsProblem } from './comments.errors';

/** The request's correlation, copied into every event a command appends. */
export function commandContext(): AppendContext {
  const correlation = currentCorrelation();
  return {
    correlationId: correlation?.correlationId ?? newCorrelationId(),
    causationId: correlation?.causationId ?? null,
  };
}

/**
 * Runs a command and returns what it left, or throws its domain error as problem+json;
 * a conflict that outlasts the retries is a 409 to try again, not a crash.
 */
export async function runCommand<S, E extends CommentsError>(
  work: () => Promise<CommandOutcome<S, E>>,
): Promise<{
  state: S;
  appended: number;
  /** The version the thread's read model reaches with it (see CommandOutcome.projectedVersion). */
  version: number;
}> {
  let outcome: CommandOutcome<S, E>;
  try {
    outcome = await work();
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
    throw commentsProblem(
      domainError('ConcurrentChange', 'It kept changing while saving; try again'),
    );
  }
  if (!outcome.ok) throw commentsProblem(outcome.error);
  return {
    state: outcome.state,
    appended: outcome.events.length,
    version: outcome.projectedVersion,
  };
}
