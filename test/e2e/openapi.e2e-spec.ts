import { registeredRoutes } from '@parley/platform';
import {
  type EmbeddedParley,
  startEmbeddedParley,
} from '../../apps/standalone/src/embedded-platform';

interface Operation {
  summary?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { description: string; content?: Record<string, unknown> }>;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

/** The routes a client of the public API may call: the JSON API and the operations endpoints. */
function isPublicApi(url: string): boolean {
  return url.startsWith('/api/v1/') || url.startsWith('/health/');
}

const asOpenApiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

describe('the OpenAPI document', () => {
  let parley: EmbeddedParley;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    parley = await startEmbeddedParley({ host: '127.0.0.1', port: 0, logLevel: 'silent' });
    const response = await fetch(`${parley.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    doc = (await response.json()) as OpenApiDocument;
  });

  afterAll(async () => {
    await parley?.close();
  });

  const operations = () =>
    registeredRoutes(parley.gateway.app)
      .filter((route) => isPublicApi(route.url) && route.method !== 'HEAD')
      .map((route) => ({
        route: `${route.method} ${route.url}`,
        operation: doc.paths[asOpenApiPath(route.url)]?.[route.method.toLowerCase()],
      }));

  it('is served as JSON and as an interactive page', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    const page = await fetch(`${parley.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
  });

  it('documents every route the gateway answers', () => {
    const all = operations();
    expect(all.length).toBeGreaterThan(50);
    expect(all.filter((o) => o.operation === undefined).map((o) => o.route)).toEqual([]);
  });

  it('documents nothing the gateway does not answer', () => {
    const served = new Set(
      registeredRoutes(parley.gateway.app).map(
        (r) => `${r.method.toLowerCase()} ${asOpenApiPath(r.url)}`,
      ),
    );
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(documented.filter((op) => !served.has(op))).toEqual([]);
  });

  it('gives every operation a summary, its path parameters, a success shape and its problems', () => {
    const incomplete: string[] = [];
    for (const { route, operation } of operations()) {
      if (!operation) continue;
      const url = route.split(' ')[1] ?? '';
      const missing: string[] = [];
      if (!operation.summary) missing.push('summary');
      for (const [, name] of url.matchAll(/:([A-Za-z]+)/g))
        if (!operation.parameters?.some((p) => p.in === 'path' && p.name === name))
          missing.push(`path parameter ${name}`);
      const statuses = Object.keys(operation.responses);
      const successes = statuses.filter((s) => /^[23]/.test(s));
      if (successes.length === 0) missing.push('a success response');
      for (const status of successes) {
        const response = operation.responses[status];
        // 204 has no body by definition, 202 may have none (accepted, nothing to show yet).
        if (!['202', '204'].includes(status) && !status.startsWith('3') && !response?.content)
          missing.push(`the shape of ${status}`);
      }
      const problems = statuses.filter((s) => /^[45]/.test(s));
      // The operations endpoints answer probes in their own format; the API answers problems.
      if (url.startsWith('/api/')) {
        for (const status of ['400', '401', '429'])
          if (!problems.includes(status)) missing.push(`problem ${status}`);
        for (const status of problems)
          if (!operation.responses[status]?.content?.['application/problem+json'])
            missing.push(`problem+json for ${status}`);
      }
      if (['POST', 'PUT', 'PATCH'].some((m) => route.startsWith(m)) && operation.requestBody) {
        if (!Object.keys(operation.requestBody.content).length) missing.push('request body shape');
      }
      if (missing.length) incomplete.push(`${route}: ${missing.join(', ')}`);
    }
    expect(incomplete).toEqual([]);
  });

  it('documents 401 on every route that needs a login', async () => {
    const undocumented: string[] = [];
    for (const { route, operation } of operations()) {
      if (!operation || !route.includes('/api/v1/')) continue;
      const [method, url] = route.split(' ') as [string, string];
      const concrete = url.replace(/:([A-Za-z]+)/g, '0b9c6a51-6f3e-4c0e-9d53-2a8f1f0c7e11');
      const response = await fetch(`${parley.url}${concrete}`, {
        method,
        headers: { authorization: 'Bearer not-a-token' },
      });
      await response.body?.cancel();
      if (response.status === 401 && !operation.responses['401']) undocumented.push(route);
    }
    expect(undocumented).toEqual([]);
  });
});
