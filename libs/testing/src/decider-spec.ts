import type { DomainEvent } from '@parley/contracts';
import { type Decider, type DomainError, fold, isDomainError } from '@parley/eventstore';

/**
 * Decider tests that read like the behaviour:
 *
 *   spec.given([drafted]).when(publish).then([published])
 *   spec.given([deleted]).when(publish).thenError('PostDeleted')
 */
export function deciderSpec<S, C, E extends DomainEvent, Err extends DomainError>(
  decider: Decider<S, C, E, Err>,
  now: () => Date = () => new Date('2026-11-24T12:00:00.000Z'),
) {
  return {
    given(events: readonly E[]) {
      return {
        when(command: C) {
          const decide = () => decider.decide(command, fold(decider, events), now());
          return {
            then(expected: readonly E[]): void {
              const decision = decide();
              if (isDomainError(decision)) {
                throw new Error(
                  `Expected events, got domain error ${decision.code}: ${decision.message}`,
                );
              }
              expect(decision).toEqual(expected);
            },
            thenError(code: Err['code'], details?: Record<string, unknown>): void {
              const decision = decide();
              if (!isDomainError(decision)) {
                throw new Error(
                  `Expected domain error ${code}, got events ${JSON.stringify(decision)}`,
                );
              }
              expect(decision.code).toBe(code);
              if (details) expect(decision.details).toMatchObject(details);
            },
            /** For assertions on parts of the decision (generated ids, excerpts). */
            decision: decide,
          };
        },
      };
    },
  };
}
