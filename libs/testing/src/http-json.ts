export interface JsonAnswer<T> {
  status: number;
  headers: Headers;
  /** The answer parsed when it is JSON, else its text. */
  body: T;
  text: string;
}

/** A problem+json answer as a test reads it: its code, and the details or field errors it gives. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  details?: Record<string, unknown>;
  errors?: { field: string; reason: string }[];
}

export interface JsonCallOptions {
  body?: unknown;
  /** Sent as a bearer token. */
  token?: string;
  headers?: Record<string, string>;
  /** Redirects are answers to look at unless asked to be followed. */
  redirect?: 'follow' | 'manual';
}

/**
 * One request to a running server as an API client: the body sent as JSON, the answer parsed
 * when it says it is JSON (a problem too), else kept as its text.
 */
export async function callJson<T = unknown>(
  base: string,
  method: string,
  path: string,
  options: JsonCallOptions = {},
): Promise<JsonAnswer<T>> {
  const response = await fetch(`${base}${path}`, {
    method,
    redirect: options.redirect ?? 'manual',
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('json');
  return {
    status: response.status,
    headers: response.headers,
    body: (json && text ? JSON.parse(text) : text) as T,
    text,
  };
}

/** One JSON request to a running server, following redirects, as a bearer of `token` when one is given. */
export function requestJson<T = unknown>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<JsonAnswer<T>> {
  return callJson<T>(base, method, path, {
    redirect: 'follow',
    ...(body !== undefined ? { body } : {}),
    ...(token ? { token } : {}),
  });
}

export type JsonCaller = <T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
) => Promise<JsonAnswer<T>>;

/** `callJson` on the server `base` names when called (a stack may start after the caller is made). */
export function jsonCaller(base: () => string): JsonCaller {
  return (method, path, body, token) =>
    callJson(base(), method, path, {
      ...(body !== undefined ? { body } : {}),
      ...(token ? { token } : {}),
    });
}

/**
 * POSTs `body` as JSON, as a bearer of `token` when one is given, and answers the reply read as
 * JSON whatever its status (for setting up a scene, where a failure shows in what follows).
 */
export async function postForJson<T>(
  base: string,
  path: string,
  body: unknown,
  token?: string,
): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return (await response.json()) as T;
}
