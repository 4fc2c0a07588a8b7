import type { LegacyLinkQuery, LegacyLinkTarget } from '@parley/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { postPath } from './page-params';
import type { PublicApi } from './public-api';

/**
 * Sends a visitor who followed an old address of an imported blog on to its post, for good
 * (301: the browser keeps a `#comment-123` fragment, which the post page answers). False when
 * the address names no post here.
 */
export async function redirectLegacyLink(
  api: PublicApi,
  request: FastifyRequest,
  reply: FastifyReply,
  link: LegacyLinkQuery,
): Promise<boolean> {
  const found = await api.call<LegacyLinkTarget>(request, {
    method: 'GET',
    path: '/api/v1/legacy-links',
    query: 'p' in link ? { p: link.p } : { path: link.path },
  });
  if (found.status !== 200) return false;
  await reply.status(301).header('location', postPath(found.body.slug)).send();
  return true;
}
