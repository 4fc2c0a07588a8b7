import {
  Body,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  type Actor,
  type RouteEntry,
  type RouteService,
  type RouteTable,
  fillPath,
  servicePathOf,
} from '@parley/contracts';
import type { FastifyReply } from 'fastify';
import { Authenticated, Caller } from '../auth/authentication.guard';
import { ApiJson, ApiProblems } from '../http/api-docs';
import { RateLimited, WRITE_LIMIT } from '../http/rate-limits';
import { type ServiceRequest, codingFor, passThrough } from './service-client';
import { SERVICE_CLIENTS, type ServiceClients } from './service-clients';

type Decorator = MethodDecorator | ParameterDecorator;
type QueryValue = string | number | boolean | undefined | null;

const VERBS = { GET: Get, POST: Post, PUT: Put, PATCH: Patch, DELETE: Delete } as const;

/** The status Nest answers with unless told otherwise. */
const defaultStatus = (method: RouteEntry['method']) => (method === 'POST' ? 201 : 200);

/** An array query value (viewer tokens) travels as the comma-separated list the service reads. */
export function forwardedQuery(query: Record<string, unknown>): Record<string, QueryValue> {
  const forwarded: Record<string, QueryValue> = {};
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) {
      if (value.length > 0) forwarded[name] = value.join(',');
    } else forwarded[name] = value as QueryValue;
  }
  return forwarded;
}

/** Where each argument of a generated handler sits: the caller first, the reply last. */
interface Slots {
  params: string[];
  query?: number;
  body?: number;
  ifNoneMatch?: number;
  reply: number;
}

function slotsOf(route: RouteEntry): Slots {
  let next = 1;
  const params = Object.keys(route.params ?? {});
  next += params.length;
  const query = route.query ? next++ : undefined;
  const body = route.body ? next++ : undefined;
  const ifNoneMatch = route.passedUnparsed ? next++ : undefined;
  return {
    params,
    ...(query !== undefined ? { query } : {}),
    ...(body !== undefined ? { body } : {}),
    ...(ifNoneMatch !== undefined ? { ifNoneMatch } : {}),
    reply: next,
  };
}

/** The decorators a hand-written handler of the route would carry above it, in the order it would write them. */
function methodDecoratorsOf(route: RouteEntry): MethodDecorator[] {
  return [
    VERBS[route.method](route.path.slice(1)),
    ...(route.answer.status !== defaultStatus(route.method) ? [HttpCode(route.answer.status)] : []),
    ...(route.writeLimited ? [RateLimited(WRITE_LIMIT)] : []),
    ...(route.access === 'anyone' ? [] : [Authenticated(...route.access.roles)]),
    ApiOperation({ summary: route.summary }),
    route.answer.schema
      ? ApiJson(route.answer.status, route.answer.schema, route.answer.description)
      : ApiResponse({ status: route.answer.status, description: route.answer.description }),
    ApiProblems(...route.problems),
  ];
}

/**
 * The route, access, limit and OpenAPI description of a table entry on a handler written by
 * hand (one that does more than forward); its parameters stay written.
 */
export function TableRoute(route: RouteEntry): MethodDecorator {
  const decorators = methodDecoratorsOf(route);
  return (target, key, descriptor) => {
    // As if written one above the other: the lowest applies first.
    for (const decorator of [...decorators].reverse()) decorator(target, key, descriptor);
  };
}

/** The decorators a hand-written handler of the route would carry, in the order it would write them. */
function decoratorsOf(route: RouteEntry, slots: Slots): Decorator[] {
  const method = methodDecoratorsOf(route);
  const at =
    (index: number, decorator: ParameterDecorator): ParameterDecorator =>
    (target, key) =>
      decorator(target, key, index);
  const params: Decorator[] = [
    at(0, Caller()),
    ...slots.params.map((name, i) => at(1 + i, Param(name, { schema: route.params?.[name] }))),
    ...(route.query && slots.query !== undefined
      ? [at(slots.query, Query({ schema: route.query }))]
      : []),
    ...(route.body && slots.body !== undefined
      ? [at(slots.body, Body({ schema: route.body }))]
      : []),
    ...(slots.ifNoneMatch !== undefined ? [at(slots.ifNoneMatch, Headers('if-none-match'))] : []),
    at(slots.reply, Res({ passthrough: true })),
  ];
  return [...method, ...params];
}

/** What the handler forwards: the service path filled in, the query, the body and the caller. */
function serviceRequest(route: RouteEntry, slots: Slots, args: readonly unknown[]): ServiceRequest {
  const values = Object.fromEntries(slots.params.map((name, i) => [name, String(args[1 + i])]));
  const query = slots.query !== undefined ? (args[slots.query] as Record<string, unknown>) : null;
  return {
    method: route.method,
    path: fillPath(servicePathOf(route), values),
    ...(query ? { query: forwardedQuery(query) } : {}),
    ...(slots.body !== undefined ? { body: args[slots.body] } : {}),
    actor: route.anonymousCall ? null : ((args[0] as Actor | null) ?? null),
  };
}

export interface RoutedController {
  readonly services: ServiceClients;
}

/** A route of the table as a handler method: validated by Nest, forwarded to its service. */
function addRoute(prototype: RoutedController, name: string, route: RouteEntry): void {
  if (route.service === 'gateway')
    throw new Error(`${name} is answered by the gateway: write its handler`);
  const service: RouteService = route.service;
  const slots = slotsOf(route);
  async function handler(this: RoutedController, ...args: unknown[]): Promise<unknown> {
    const reply = args[slots.reply] as FastifyReply;
    const client = this.services[service];
    const request = serviceRequest(route, slots, args);
    if (!route.passedUnparsed) return passThrough(reply, await client.call(request));
    const ifNoneMatch = slots.ifNoneMatch !== undefined ? args[slots.ifNoneMatch] : undefined;
    const answer = await client.relay(
      {
        ...request,
        ...(typeof ifNoneMatch === 'string' && ifNoneMatch
          ? { headers: { 'if-none-match': ifNoneMatch } }
          : {}),
      },
      codingFor(reply.request.headers['accept-encoding']),
    );
    if (answer.body !== undefined)
      void reply.header('content-type', 'application/json; charset=utf-8');
    return passThrough(reply, answer);
  }
  // Nest and its OpenAPI explorer know a handler by its function's name (the operation id).
  Object.defineProperty(handler, 'name', { value: name });
  Object.defineProperty(prototype, name, {
    value: handler,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  // What the compiler would record for a written handler, which Nest and its OpenAPI explorer read
  // (an optional header is an Object, which keeps it out of the document).
  const paramTypes: unknown[] = Array.from({ length: slots.reply + 1 }, () => Object);
  slots.params.forEach((_name, i) => (paramTypes[1 + i] = String));
  Reflect.decorate(
    [
      ...decoratorsOf(route, slots),
      Reflect.metadata('design:type', Function),
      Reflect.metadata('design:paramtypes', paramTypes),
      Reflect.metadata('design:returntype', Promise),
    ] as MethodDecorator[],
    prototype,
    name,
    Object.getOwnPropertyDescriptor(prototype, name),
  );
}

/**
 * The base of a controller whose routes are the table's entries: each becomes a handler with
 * the validation, authentication, rate limit and OpenAPI description a written one would have,
 * forwarding to the service that owns it, under the table's OpenAPI tag. A controller extends
 * it with a prefix-free `@Controller()` and writes only the routes that do more than forward,
 * named in `written` and each decorated with its entry's `@TableRoute`.
 */
export function routedController<T extends RouteTable>(
  table: T,
  options: { readonly written?: readonly (keyof T['routes'])[] } = {},
) {
  class Routed implements RoutedController {
    constructor(readonly services: ServiceClients) {}
  }
  ApiTags(table.tag)(Routed);
  Inject(SERVICE_CLIENTS)(Routed, undefined, 0);
  Reflect.defineMetadata('design:paramtypes', [Object], Routed);
  for (const [name, route] of Object.entries(table.routes))
    if (!options.written?.includes(name)) addRoute(Routed.prototype, name, route);
  return Routed;
}
