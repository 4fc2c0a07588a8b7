import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import type { FieldError } from './problem';
import { validationProblem } from './problem';

interface Issue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

export function issuesToFieldErrors(issues: readonly Issue[], prefix?: string): FieldError[] {
  return issues.map((issue) => {
    const path = (issue.path ?? []).map((segment) =>
      typeof segment === 'object' && segment !== null ? String(segment.key) : String(segment),
    );
    const field = [prefix, ...path].filter((part) => part !== undefined && part !== '').join('.');
    return { field: field || 'body', reason: issue.message };
  });
}

const PREFIX: Partial<Record<ArgumentMetadata['type'], string>> = { query: 'query', param: 'path' };

/**
 * Validates every `@Body/@Query/@Param({ schema })` against its Standard Schema and
 * answers 400 problem+json naming each field: body fields by their path
 * (`author.email`), others as `query.limit` / `path.id`.
 */
export class ProblemValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const schema = metadata.schema;
    if (!schema) return value;
    const result = await schema['~standard'].validate(value);
    if (!result.issues) return result.value;
    const prefix = [PREFIX[metadata.type], metadata.data].filter(Boolean).join('.');
    throw validationProblem(issuesToFieldErrors(result.issues, prefix || undefined));
  }
}
