import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import type { FieldError } from './problem';
import { unprocessableProblem, validationProblem } from './problem';

interface Issue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
  /** zod's issue code; `unrecognized_keys` issues also list the `keys`. */
  readonly code?: string;
  readonly keys?: readonly string[];
  /** Set on issues about a value's content rather than its shape (UNPROCESSABLE_ISSUE). */
  readonly params?: { readonly status?: number };
}

/** One field error per invalid field; an unknown field is named itself ("isAdmin: unknown field"). */
export function issuesToFieldErrors(issues: readonly Issue[], prefix?: string): FieldError[] {
  return issues.flatMap((issue) => {
    const path = (issue.path ?? []).map((segment) =>
      typeof segment === 'object' && segment !== null ? String(segment.key) : String(segment),
    );
    const fieldOf = (segments: string[]) =>
      [prefix, ...segments].filter((part) => part !== undefined && part !== '').join('.') || 'body';
    if (issue.code === 'unrecognized_keys' && issue.keys?.length)
      return issue.keys.map((key) => ({ field: fieldOf([...path, key]), reason: 'unknown field' }));
    return [{ field: fieldOf(path), reason: issue.message }];
  });
}

/**
 * The problem of a body its schema refuses: each field by its path, 422 when every issue is
 * about content (text that is not text), 400 otherwise.
 */
export function bodyProblem(issues: readonly Issue[], prefix?: string) {
  const errors = issuesToFieldErrors(issues, prefix);
  return issues.every((issue) => issue.params?.status === 422)
    ? unprocessableProblem(errors)
    : validationProblem(errors);
}

const PREFIX: Partial<Record<ArgumentMetadata['type'], string>> = { query: 'query', param: 'path' };

/**
 * Validates every `@Body/@Query/@Param({ schema })` against its Standard Schema and
 * answers 400 problem+json naming each field (422 when every issue is about content, such as
 * text that is not text): body fields by their path
 * (`author.email`), others as `query.limit` / `path.id`.
 */
export class ProblemValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const schema = metadata.schema;
    if (!schema) return value;
    const result = await schema['~standard'].validate(value);
    if (!result.issues) return result.value;
    const prefix = [PREFIX[metadata.type], metadata.data].filter(Boolean).join('.');
    if (metadata.type === 'body') throw bodyProblem(result.issues, prefix || undefined);
    // A query or path parameter that breaks a content rule is still a malformed request.
    throw validationProblem(issuesToFieldErrors(result.issues, prefix || undefined));
  }
}
