import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { BlogIdentity } from '../web/blog-identity';
import { originOf } from '../web/origin';
import { WP_ROOT, wpIndex } from './wordpress.mapping';

/**
 * How WordPress clients find the REST routes: the index at `/wp-json/` (with its slash, which
 * Nest drops from a route, so the controller answers only `/wp-json`), and the `Link` header
 * of every page pointing at it.
 */
export function registerWordpressDiscovery(app: NestFastifyApplication): void {
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  const blog = app.get(BlogIdentity);
  fastify.get(`${WP_ROOT}/`, async (request) =>
    wpIndex(await blog.name(), { baseUrl: originOf(request) }),
  );
  fastify.addHook('onSend', async (request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) {
      const link = `<${originOf(request)}${WP_ROOT}/>; rel="https://api.w.org/"`;
      const existing = reply.getHeader('link');
      void reply.header('link', existing ? `${String(existing)}, ${link}` : link);
    }
    return payload;
  });
}
