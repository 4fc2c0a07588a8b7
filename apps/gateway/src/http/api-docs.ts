import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
import { HTTP_LIMITS } from '@parley/platform';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

/** A zod schema as an OpenAPI 3.0 schema object. */
export function openApiSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'output',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

export const problemSchema = z.object({
  type: z.string().describe('Stable URI of the kind of problem, urn:parley:problem:<code>'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  code: z.string().describe('The last segment of type, for programs'),
  correlationId: z.string().optional().describe('Also in the logs and the x-correlation-id header'),
  errors: z
    .array(z.object({ field: z.string(), reason: z.string() }))
    .optional()
    .describe('One entry per invalid field'),
  retryAfterSeconds: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('With 429: seconds to wait, as in the Retry-After header'),
  details: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Facts about a broken rule, by name (for example retryAfterSeconds of a flood)'),
});

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request does not match the documented schema (each field and why), or its body is not JSON.',
  401: 'No valid access token (or refresh token). A token that is sent must be valid, even where none is needed.',
  403: 'The account may not do this.',
  404: 'No such resource.',
  409: 'The request conflicts with the current state (a newer revision, a closed post, a duplicate).',
  410: 'The resource is gone.',
  413: 'The request body is too large.',
  414: `A path parameter is longer than ${HTTP_LIMITS.maxParamLength} characters (far past any documented length).`,
  415: 'The body must be application/json.',
  422: 'The request is well-formed but breaks a rule (its reason is in the problem).',
  429: 'Too many requests: wait for the Retry-After header.',
  431: `The request line and headers together are over ${HTTP_LIMITS.maxHeaderSize / 1024} KiB.`,
  502: 'A service behind the gateway answered with an error.',
  503: 'A service behind the gateway is unavailable.',
  504: 'A service behind the gateway did not answer in time.',
};

const COMMON = [400, 401, 414, 429, 431, 502, 503, 504];

/** A JSON response of the given schema. */
export function ApiJson(status: number, schema: z.ZodType, description: string) {
  return ApiResponse({
    status,
    description,
    content: { 'application/json': { schema: openApiSchema(schema) } },
  });
}

/** The problem+json answers a route can give, besides the ones every route can give. */
export function ApiProblems(...statuses: number[]) {
  const all = [...new Set([...COMMON, ...statuses])].sort();
  return applyDecorators(
    ...all.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: openApiSchema(problemSchema) } },
      }),
    ),
  );
}

/**
 * Adds the 413 answer to every operation that takes a body: a body over the gateway's limit is
 * refused before it is read, whatever the operation.
 */
export function withBodyLimitProblems(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of ['post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      const problem = operation?.responses['400'];
      if (!operation?.requestBody || !problem) continue;
      operation.responses['413'] ??= { ...problem, description: PROBLEM_DESCRIPTIONS[413] ?? '' };
    }
  }
  return document;
}

/** A server-sent event stream and the events it carries. */
export function ApiEventStream(events: Record<string, z.ZodType>) {
  const described = Object.entries(events)
    .map(([name]) => `event: ${name}`)
    .join(', ');
  return ApiResponse({
    status: 200,
    description: `An event stream (${described}; a comment line as heartbeat every 15 s). Each event's id resumes the stream as Last-Event-ID.`,
    content: {
      'text/event-stream': {
        schema: {
          type: 'string',
          description: 'Frames of `id:`, `event:` and `data:` lines; data is one JSON value.',
        },
      },
      // The JSON carried in each event's data line, by event name.
      ...Object.fromEntries(
        Object.entries(events).map(([name, schema]) => [
          `application/vnd.parley.event.${name}+json`,
          { schema: openApiSchema(schema) },
        ]),
      ),
    },
  });
}
