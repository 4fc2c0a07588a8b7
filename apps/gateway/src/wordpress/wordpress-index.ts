import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { BlogIdentity } from '../web/blog-identity';
import { WP_ROOT, wpIndex } from './wordpress.mapping';

/**
 * The index at `/wp-json/`, with its slash, as WordPress links it: Nest drops a route's
 * trailing slash, so the controller's route answers only `/wp-json`.
 */
export function registerWordpressIndex(app: NestFastifyApplication, publicBaseUrl: string): void {
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  const blog = app.get(BlogIdentity);
  const baseUrl = publicBaseUrl.replace(/\/+$/, '');
  fastify.get(`${WP_ROOT}/`, async () => wpIndex(await blog.name(), { baseUrl }));
}
