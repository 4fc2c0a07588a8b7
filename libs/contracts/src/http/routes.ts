import type { z } from 'zod';
import type { Role } from '../common.schemas';

/** The services behind the gateway, each answering under `/v1/…`. */
export type RouteService = 'posts' | 'comments' | 'notifications';

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call a route: anyone (guests too), or a logged-in account with one of the roles (none: any account; admin has them all). */
export type RouteAccess = 'anyone' | { readonly roles: readonly Role[] };

export const ANYONE: RouteAccess = 'anyone';
export const ANY_ACCOUNT: RouteAccess = { roles: [] };
export const withRole = (...roles: Role[]): RouteAccess => ({ roles });

/** The answer a route gives when it succeeds: JSON of the schema, or nothing (204) without one. */
export interface RouteAnswer {
  readonly status: number;
  readonly schema?: z.ZodType;
  readonly description: string;
}

/**
 * One public route, which the gateway forwards to the service that owns it unless its handler
 * is written by hand (the gateway's own routes, and those that do more than forward). Its public path and the
 * service path name the same parameters (`:id`), each checked by its schema before forwarding.
 */
export interface RouteEntry {
  readonly method: RouteMethod;
  /** As the client calls it, e.g. `/api/v1/comments/:id`. */
  readonly path: `/api/v1/${string}`;
  /** Who answers it: a service the gateway forwards to, or the gateway itself (identity). */
  readonly service: RouteService | 'gateway';
  /** As the owning service answers it, when it is not the public path without `/api`. */
  readonly servicePath?: `/v1/${string}`;
  readonly params?: Readonly<Record<string, z.ZodType<string>>>;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly answer: RouteAnswer;
  /** The problem statuses the route gives besides the ones every route can give. */
  readonly problems: readonly number[];
  readonly access: RouteAccess;
  readonly summary: string;
  /** Counted against the stricter limit of writes. */
  readonly writeLimited?: boolean;
  /** The service answers the same to everyone: the caller's account does not travel with it. */
  readonly anonymousCall?: boolean;
  /**
   * The answer is passed on as the service wrote it, unparsed (it can be megabytes), with the
   * client's If-None-Match, and kept for guests by its ETag.
   */
  readonly passedUnparsed?: boolean;
}

/** Where the owning service answers a route: its own path, or the public one without `/api`. */
export function servicePathOf(route: RouteEntry): `/v1/${string}` {
  return route.servicePath ?? (route.path.slice('/api'.length) as `/v1/${string}`);
}

/** A room's routes by operation name (the name the OpenAPI operation id ends with), in document order. */
export interface RouteTable {
  readonly tag: string;
  readonly routes: Readonly<Record<string, RouteEntry>>;
}

export function routeTable<T extends Record<string, RouteEntry>>(
  tag: string,
  routes: T,
): RouteTable & { readonly routes: T } {
  return { tag, routes };
}

/** The names a path template declares, in order: `/v1/posts/:id/like` → `['id']`. */
export function pathParamsOf(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z][A-Za-z0-9]*)/g)].map((match) => match[1] ?? '');
}

/** A path template with its parameters filled in, each one encoded as a single segment. */
export function fillPath(path: string, values: Readonly<Record<string, string>>): string {
  return path.replace(/:([A-Za-z][A-Za-z0-9]*)/g, (_whole, name: string) =>
    encodeURIComponent(values[name] ?? ''),
  );
}

/** The values a client gives for a query: typed as the service reads them, optional as the client may leave them. */
type QueryValues<Q extends z.ZodType> = {
  [K in keyof z.input<Q>]: K extends keyof z.output<Q> ? z.output<Q>[K] : z.input<Q>[K];
};

type ParamsPart<R> = R extends { readonly params: infer P }
  ? { readonly params: { readonly [K in keyof P]: string } }
  : { readonly params?: never };
type QueryPart<R> = R extends { readonly query: infer Q extends z.ZodType }
  ? object extends QueryValues<Q>
    ? { readonly query?: QueryValues<Q> }
    : { readonly query: QueryValues<Q> }
  : { readonly query?: never };
type BodyPart<R> = R extends { readonly body: infer B extends z.ZodType }
  ? object extends z.input<B>
    ? { readonly body?: z.input<B> }
    : { readonly body: z.input<B> }
  : { readonly body?: never };

/** What a client sends to call a route of the table: its path parameters, query and body. */
export type RouteRequest<R extends RouteEntry> = ParamsPart<R> &
  QueryPart<R> &
  BodyPart<R> & {
    /** Sent as they are (an Idempotency-Key, If-None-Match). */
    readonly headers?: Readonly<Record<string, string>>;
  };

/** What a route answers when it succeeds: JSON of its answer schema, or nothing. */
export type RouteAnswerBody<R extends RouteEntry> = R['answer'] extends {
  readonly schema: infer S extends z.ZodType;
}
  ? z.output<S>
  : undefined;
