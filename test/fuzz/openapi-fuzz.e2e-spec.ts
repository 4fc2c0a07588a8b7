import type { TokensResponse } from '@parley/contracts';
import type { ValidateFunction } from 'ajv';
// OpenAPI 3.0 schemas are JSON Schema draft 4 plus `nullable`, which Ajv knows.
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { DEMO_PASSWORD, seedDemo } from '../../apps/standalone/src/demo-seed';
import {
  type EmbeddedParley,
  startEmbeddedParley,
} from '../../apps/standalone/src/embedded-platform';

type JsonSchema = Record<string, unknown> & {
  properties?: Record<string, JsonSchema>;
  required?: string[];
  type?: string;
};

interface Operation {
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

interface Target {
  method: string;
  path: string;
  operation: Operation;
}

interface Sent {
  method: string;
  url: string;
  status: number;
}

const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 40);

/** Values no API should choke on, for any field. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'NaN',
    "' OR 1=1 --",
    '{"$gt": ""}',
    '<script>alert(1)</script>',
    '../../etc/passwd',
    '\u0000',
    'x'.repeat(5000),
    '2026-13-45T99:99:99Z',
    'https://example.com/',
    'javascript:alert(1)',
  ),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.object({ maxDepth: 2, maxKeys: 3 }),
);

/** A body shaped like the documented one (its property names, random values), or anything at all. */
function bodyFor(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  const props = Object.keys(schema?.properties ?? {});
  const shaped =
    props.length > 0
      ? fc.dictionary(fc.constantFrom(...props), nasty, { maxKeys: props.length })
      : fc.object({ maxDepth: 1 });
  return fc.oneof(
    { weight: 4, arbitrary: shaped },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  );
}

describe('the public API under generated requests', () => {
  let parley: EmbeddedParley;
  let doc: { paths: Record<string, Record<string, Operation>> };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validators = new Map<JsonSchema, ValidateFunction>();
  const validate = (schema: JsonSchema, value: unknown) => {
    let check = validators.get(schema);
    if (!check) {
      check = ajv.compile(schema);
      validators.set(schema, check);
    }
    return check(value) ? null : ajv.errorsText(check.errors);
  };
  const ids: string[] = [];
  const tokens: (string | null)[] = [null, 'not-a-token'];
  let targets: Target[] = [];

  const send = async (
    method: string,
    url: string,
    token: string | null,
    body?: { raw: string } | { json: unknown },
  ) => {
    const response = await fetch(`${parley.url}${url}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: 'raw' in body ? body.raw : JSON.stringify(body.json) } : {}),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type') ?? '', text };
  };

  /** Everything a reader or the admin can see: it must not move when a request is refused. */
  const snapshot = async (admin: string) => {
    const seen: string[] = [];
    const stable = (text: string) => text.replace(/"correlationId":"[^"]*"/g, '');
    for (const [url, token] of [
      ['/api/v1/posts?limit=100', admin],
      [`/api/v1/posts/${ids[0]}/comments?view=moderation`, admin],
      [`/api/v1/posts/${ids[0]}/comments`, null],
      ['/api/v1/moderation/queue', admin],
      ['/api/v1/accounts', admin],
      ['/api/v1/me', admin],
      ['/api/v1/settings/comments', admin],
      ['/api/v1/subscriptions', admin],
      ['/api/v1/notifications', admin],
    ] as const)
      seen.push(`${url} ${stable((await send('GET', url, token)).text)}`);
    return seen;
  };

  beforeAll(async () => {
    parley = await startEmbeddedParley({
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      rateLimits: { perMinute: 1_000_000, writesPerMinute: 1_000_000 },
    });
    const demo = await seedDemo(parley.url);
    const login = async (email: string) =>
      (
        JSON.parse(
          (
            await send('POST', '/api/v1/auth/login', null, {
              json: { email, password: DEMO_PASSWORD },
            })
          ).text,
        ) as TokensResponse
      ).accessToken;
    tokens.push(await login(demo.accounts[0] ?? ''), await login(demo.accounts[1] ?? ''));
    const posts = JSON.parse((await send('GET', '/api/v1/posts', null)).text) as {
      items: { id: string; slug: string }[];
    };
    const post = posts.items[0];
    if (!post) throw new Error('the demo has no post');
    ids.push(post.id, post.slug);
    const thread = JSON.parse(
      (await send('GET', `/api/v1/posts/${post.id}/comments`, null)).text,
    ) as {
      items: { id: string }[];
    };
    ids.push(...thread.items.map((c) => c.id));

    doc = JSON.parse((await send('GET', '/api/openapi.json', null)).text) as typeof doc;
    targets = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/') && !path.endsWith('/stream'))
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, operation]) => ({
          method: method.toUpperCase(),
          path,
          operation,
        })),
      );
    expect(targets.length).toBeGreaterThan(40);
  });

  afterAll(async () => {
    await parley?.close();
  });

  function requestFor(target: Target) {
    const pathParams = (target.operation.parameters ?? []).filter((p) => p.in === 'path');
    const queryParams = (target.operation.parameters ?? []).filter((p) => p.in === 'query');
    const bodySchema = target.operation.requestBody?.content['application/json']?.schema;
    return fc.record({
      path: fc.tuple(
        ...pathParams.map(() =>
          fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...ids) },
            { weight: 1, arbitrary: fc.uuid() },
            { weight: 1, arbitrary: fc.string({ minLength: 1 }) },
          ),
        ),
      ),
      query: fc.dictionary(
        queryParams.length ? fc.constantFrom(...queryParams.map((p) => p.name)) : fc.string(),
        fc.oneof(fc.string(), fc.integer().map(String), fc.constantFrom('', 'true', '-1', '1e9')),
        { maxKeys: 3 },
      ),
      token: fc.constantFrom(...tokens),
      body: bodySchema
        ? fc.oneof(
            { weight: 6, arbitrary: bodyFor(bodySchema).map((json) => ({ json })) },
            { weight: 1, arbitrary: fc.string().map((raw) => ({ raw })) },
          )
        : fc.constant(undefined),
    });
  }

  function urlOf(target: Target, path: string[], query: Record<string, string>): string {
    let index = 0;
    const filled = target.path.replace(/\{[^}]+\}/g, () =>
      encodeURIComponent(path[index++] ?? 'x'),
    );
    const search = new URLSearchParams(query).toString();
    return search ? `${filled}?${search}` : filled;
  }

  it('never answers 5xx, and every answer is documented and matches its schema', async () => {
    const sent: Sent[] = [];
    const failures: string[] = [];
    for (const target of targets) {
      await fc.assert(
        fc.asyncProperty(requestFor(target), async ({ path, query, token, body }) => {
          const url = urlOf(target, path, query);
          const response = await send(target.method, url, token, body);
          sent.push({ method: target.method, url, status: response.status });
          const where = `${target.method} ${url} → ${response.status}`;
          if (response.status >= 500) {
            failures.push(`${where}: ${response.text.slice(0, 300)}`);
            return;
          }
          const documented = target.operation.responses[String(response.status)];
          if (!documented) {
            failures.push(`${where}: status not documented`);
            return;
          }
          const mediaType = response.type.split(';')[0] ?? '';
          const schema = documented.content?.[mediaType]?.schema;
          if (schema && mediaType.endsWith('json')) {
            const error = validate(schema, JSON.parse(response.text));
            if (error) failures.push(`${where}: ${error}`);
          } else if (
            documented.content &&
            !documented.content[mediaType] &&
            response.status !== 204 &&
            response.text !== ''
          ) {
            failures.push(`${where}: ${mediaType} is not a documented media type`);
          }
        }),
        { numRuns: RUNS_PER_OPERATION, seed: Number(process.env.FUZZ_SEED ?? 20261124) },
      );
    }
    const statuses = new Map<number, number>();
    for (const s of sent) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
    process.stdout.write(
      `fuzz: ${sent.length} requests over ${targets.length} operations; statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
    expect(sent.length).toBe(targets.length * RUNS_PER_OPERATION);
    expect([...new Set(failures)].slice(0, 40)).toEqual([]);
  });

  it('leaves the data as it was when it refuses a request', async () => {
    const admin = tokens[2] as string;
    // Let the demo's own consequences (notifications, counts) settle first.
    let before = await snapshot(admin);
    for (let settled = 0; settled < 50; settled++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const again = await snapshot(admin);
      if (JSON.stringify(again) === JSON.stringify(before)) break;
      before = again;
    }
    const writes = targets.filter(
      (t) => t.method !== 'GET' && t.operation.requestBody?.content['application/json'],
    );
    let refused = 0;
    for (const target of writes) {
      await fc.assert(
        fc.asyncProperty(requestFor(target), nasty, async ({ path, token, body }, extra) => {
          // An unknown field makes any body invalid: the request must be refused whole.
          const json = body && 'json' in body && typeof body.json === 'object' && body.json;
          const invalid = { json: { ...(json || {}), __unknownField: extra } };
          const response = await send(target.method, urlOf(target, path, {}), token, invalid);
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          refused += 1;
        }),
        { numRuns: RUNS_PER_OPERATION, seed: Number(process.env.FUZZ_SEED ?? 20261124) },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(refused).toBe(writes.length * RUNS_PER_OPERATION);
    expect(await snapshot(admin)).toEqual(before);
  });
});
