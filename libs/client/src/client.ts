import {
  COMMENT_ROUTES,
  IDENTITY_ROUTES,
  NOTIFICATION_ROUTES,
  POST_ROUTES,
  type ProblemDocument,
  type RouteAnswerBody,
  type RouteEntry,
  type RouteRequest,
  type RouteTable,
  fillPath,
} from '@parley/contracts';

/** A route's answer: its body when it succeeded, the problem it gave otherwise. */
export type Answer<T> =
  | { readonly ok: true; readonly status: number; readonly body: T; readonly headers: Headers }
  | {
      readonly ok: false;
      readonly status: number;
      readonly problem: ProblemDocument;
      readonly headers: Headers;
    };

/** The arguments of a call: the request, which may be left out when nothing in it is required. */
export type CallArgs<R extends RouteEntry> =
  object extends RouteRequest<R> ? [request?: RouteRequest<R>] : [request: RouteRequest<R>];

export type TableClient<T extends RouteTable> = {
  readonly [K in keyof T['routes']]: (
    ...args: CallArgs<T['routes'][K]>
  ) => Promise<Answer<RouteAnswerBody<T['routes'][K]>>>;
};

export interface ClientOptions {
  /** Where Parley answers, e.g. `http://localhost:3000`. */
  readonly baseUrl: string;
  /** An access token, sent as a bearer on every call. */
  readonly token?: string | undefined;
  /** Sent on every call (a user agent, the address a proxy in front of the tests names). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch?: typeof fetch;
}

export interface ParleyClient {
  call<R extends RouteEntry>(route: R, ...args: CallArgs<R>): Promise<Answer<RouteAnswerBody<R>>>;
  /** The same client calling as the bearer of another token (none: as a guest). */
  as(token: string | undefined): ParleyClient;
  readonly identity: TableClient<typeof IDENTITY_ROUTES>;
  readonly posts: TableClient<typeof POST_ROUTES>;
  readonly comments: TableClient<typeof COMMENT_ROUTES>;
  readonly notifications: TableClient<typeof NOTIFICATION_ROUTES>;
}

/** The query string of a request: arrays as the comma-separated list the API reads. */
function queryString(query: object | undefined): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    search.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A non-2xx answer as the problem it states, or, when it states none (a proxy's page), as one made of its status. */
function problemOf(status: number, statusText: string, text: string): ProblemDocument {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && 'title' in parsed && 'status' in parsed)
      return parsed as ProblemDocument;
  } catch {
    // Not JSON: described below by its status.
  }
  return {
    type: 'about:blank',
    title: statusText || `HTTP ${status}`,
    status,
    code: `http-${status}`,
    ...(text ? { detail: text.slice(0, 500) } : {}),
  };
}

async function send<R extends RouteEntry>(
  options: ClientOptions,
  route: R,
  request: RouteRequest<R> | undefined,
): Promise<Answer<RouteAnswerBody<R>>> {
  const { params, query, body, headers } = (request ?? {}) as {
    params?: Readonly<Record<string, string>>;
    query?: object;
    body?: unknown;
    headers?: Readonly<Record<string, string>>;
  };
  const url = `${options.baseUrl.replace(/\/+$/, '')}${fillPath(route.path, params ?? {})}${queryString(query)}`;
  const response = await (options.fetch ?? fetch)(url, {
    method: route.method,
    headers: {
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) {
    const problem = problemOf(response.status, response.statusText, text);
    return { ok: false, status: response.status, problem, headers: response.headers };
  }
  // The route's schema describes what the API answers; the client does not check it again.
  const parsed = (text ? JSON.parse(text) : undefined) as RouteAnswerBody<R>;
  return { ok: true, status: response.status, body: parsed, headers: response.headers };
}

function tableClient<T extends RouteTable>(options: ClientOptions, table: T): TableClient<T> {
  const methods: Record<string, unknown> = {};
  for (const [name, route] of Object.entries(table.routes))
    methods[name] = (request?: RouteRequest<RouteEntry>) => send(options, route, request);
  // Each method is `send` over the entry of its name, which is what the mapped type says.
  return methods as TableClient<T>;
}

/** A typed client of the public API: one method a route of the tables, over fetch. */
export function parleyClient(options: ClientOptions): ParleyClient {
  return {
    call: (route, ...[request]) => send(options, route, request),
    as: (token) => parleyClient({ ...options, token }),
    identity: tableClient(options, IDENTITY_ROUTES),
    posts: tableClient(options, POST_ROUTES),
    comments: tableClient(options, COMMENT_ROUTES),
    notifications: tableClient(options, NOTIFICATION_ROUTES),
  };
}

/** Thrown by `bodyOf` when a call that must succeed did not. */
export class ProblemAnswerError extends Error {
  constructor(readonly problem: ProblemDocument) {
    super(
      `${problem.status} ${problem.title}${problem.errors?.length ? `: ${problem.errors.map((e) => `${e.field} ${e.reason}`).join('; ')}` : problem.detail ? `: ${problem.detail}` : ''}`,
    );
    this.name = 'ProblemAnswerError';
  }
}

/** The body of an answer that must have succeeded (a seed, a test's setup); its problem is thrown. */
export function bodyOf<T>(answer: Answer<T>): T {
  if (!answer.ok) throw new ProblemAnswerError(answer.problem);
  return answer.body;
}
