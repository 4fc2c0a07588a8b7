import type { FieldError } from '@parley/platform';

/** A problem answer of the public API as the pages read it (any part may be missing). */
export interface Problem {
  title?: string;
  detail?: string;
  code?: string;
  errors?: FieldError[];
}

/** The problem's title and detail as one sentence; the fallback stands for a missing title. */
export function titleAndDetail(problem: Problem | undefined, fallback: string): string {
  return `${problem?.title ?? fallback}${problem?.detail ? ` ${problem.detail}` : ''}`;
}

/** What a page says of a problem: its title, and its detail unless the form marks the fields. */
export function problemMessage(problem: Problem | undefined, fallback: string): string {
  return problem?.code === 'validation-failed'
    ? (problem.title ?? fallback)
    : titleAndDetail(problem, fallback);
}

/** A form's message for a problem: to correct the marked fields, or what went wrong. */
export function formProblemMessage(problem: Problem | undefined, fallback: string): string {
  return problem?.code === 'validation-failed'
    ? 'Please correct the marked fields.'
    : problemMessage(problem, fallback);
}
