import type { FieldError, ProblemDocument } from '@parley/contracts';

export type { FieldError, ProblemDocument } from '@parley/contracts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `urn:parley:problem:${code}`;
}

export interface ProblemInit {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: FieldError[];
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export class ProblemException extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: FieldError[];
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(init: ProblemInit) {
    super(init.detail ?? init.title);
    this.name = 'ProblemException';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    if (init.detail !== undefined) this.detail = init.detail;
    if (init.errors !== undefined) this.errors = init.errors;
    this.extensions = init.extensions ?? {};
    this.headers = init.headers ?? {};
  }

  toDocument(instance: string | undefined, correlationId: string | undefined): ProblemDocument {
    return {
      ...this.extensions,
      type: problemType(this.code),
      title: this.title,
      status: this.status,
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      ...(instance !== undefined ? { instance } : {}),
      code: this.code,
      ...(correlationId !== undefined ? { correlationId } : {}),
      ...(this.errors !== undefined ? { errors: this.errors } : {}),
    };
  }
}

export function validationProblem(errors: FieldError[], detail?: string): ProblemException {
  return new ProblemException({
    status: 400,
    code: 'validation-failed',
    title: 'The request is not valid',
    detail: detail ?? errors.map((e) => `${e.field}: ${e.reason}`).join('; '),
    errors,
  });
}

/** Well-formed input whose content cannot be taken (text that is not text), naming each field. */
export function unprocessableProblem(errors: FieldError[]): ProblemException {
  return new ProblemException({
    status: 422,
    code: 'unprocessable-input',
    title: 'The request cannot be processed as it is',
    detail: errors.map((e) => `${e.field}: ${e.reason}`).join('; '),
    errors,
  });
}

/** A domain error as it leaves a decider: a code and a message, no HTTP in sight. */
export interface DomainErrorLike {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Turns "CommentNotFound" into "comment-not-found". */
export function kebabCode(code: string): string {
  return code
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** How a service answers one of its domain errors over HTTP. */
export interface ErrorAnswer {
  status: number;
  /** The request field the error is about, named in the problem's `errors`. */
  field?: string;
}

/**
 * A service's domain errors as problem+json, from one table with an answer for every code the
 * service can meet (a code left out is a compile error, so there is no fallback to disagree on).
 */
export function errorTable<Code extends string>(
  answers: Record<Code, ErrorAnswer>,
): (error: DomainErrorLike & { code: Code }, headers?: Record<string, string>) => ProblemException {
  return (error, headers) =>
    domainProblem(error, () => answers[error.code].status, headers, answers[error.code].field);
}

/** Maps a domain error to a problem with the status the service's edge assigns to its code. */
export function domainProblem(
  error: DomainErrorLike,
  statusOf: (code: string) => number,
  headers?: Record<string, string>,
  /** The request field the error is about, when it is about one. */
  field?: string,
): ProblemException {
  return new ProblemException({
    status: statusOf(error.code),
    code: kebabCode(error.code),
    title: error.message,
    ...(field ? { errors: [{ field, reason: error.message }] } : {}),
    ...(error.details ? { extensions: { details: error.details } } : {}),
    ...(headers ? { headers } : {}),
  });
}
