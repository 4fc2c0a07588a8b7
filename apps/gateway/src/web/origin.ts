import type { FastifyRequest } from 'fastify';

/** The address the reader used (a trusted proxy's scheme and host included), so links work on any host. */
export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
