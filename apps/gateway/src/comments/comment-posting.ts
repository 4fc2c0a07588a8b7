import { Inject, Injectable } from '@nestjs/common';
import { ProblemException } from '@parley/platform';
import type { FastifyRequest } from 'fastify';
import { ClientKeys } from '../http/client-key';
import { IdentityService } from '../identity/identity.service';
import type { ServiceRequest, ServiceResponse } from '../proxy/service-client';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';

/**
 * Posting a comment, from the API or the reader page: a guest may not take the name of someone
 * who writes or moderates the blog, and the comments service learns the client it came from.
 */
@Injectable()
export class CommentPosting {
  constructor(
    @Inject(SERVICE_CLIENTS) private readonly services: ServiceClients,
    private readonly clientKeys: ClientKeys,
    private readonly identity: IdentityService,
  ) {}

  /** Posts the comment `asked` (its route's body, checked) as it came in `request`. */
  async post(asked: ServiceRequest, request: FastifyRequest): Promise<ServiceResponse<unknown>> {
    const author = (asked.body as { author?: { name: string } } | undefined)?.author;
    if (!asked.actor && author && (await this.identity.nameReserved(author.name, null))) {
      throw new ProblemException({
        status: 422,
        code: 'name-reserved',
        title: 'This name belongs to someone who writes or moderates this blog',
        errors: [{ field: 'author.name', reason: 'is the name of a member of the blog staff' }],
      });
    }
    return this.services.comments.call({
      ...asked,
      // Flood control and duplicate detection also go by the client, whatever name it gives.
      client: this.clientKeys.of(request.ip),
      // Kept sealed for moderators until the retention period ends (as WordPress's comment_author_IP).
      origin: { ip: request.ip, userAgent: request.headers['user-agent'] },
    });
  }
}
