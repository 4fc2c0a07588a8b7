import type {
  Actor,
  ExportCommentsPage,
  ExportPostsPage,
  ExportedComment,
  ExportedPost,
  PostStatusView,
} from '@parley/contracts';
import { ProblemException } from '@parley/platform';
import type { ServiceClient, ServiceResponse } from '../proxy/service-client';
import type { ServiceClients } from '../proxy/service-clients';
import type { ExportSource } from './wxr-writer';

function answered<T>(service: ServiceClient, response: ServiceResponse<T>): T {
  if (response.status === 200) return response.body;
  const problem = (response.body ?? {}) as { code?: unknown; title?: unknown; detail?: unknown };
  throw new ProblemException({
    status: response.status,
    code: typeof problem.code === 'string' ? problem.code : 'export-failed',
    title:
      typeof problem.title === 'string' ? problem.title : `The ${service.name} service refused`,
    ...(typeof problem.detail === 'string' ? { detail: problem.detail } : {}),
  });
}

/** The blog as the services give it to an admin, over their internal HTTP, a page at a time. */
export function serviceExportSource(services: ServiceClients, actor: Actor): ExportSource {
  return {
    async *posts(status: PostStatusView): AsyncIterable<ExportedPost> {
      let cursor: string | null = null;
      do {
        const page: ExportPostsPage = answered(
          services.posts,
          await services.posts.call<ExportPostsPage>({
            method: 'GET',
            path: '/v1/exports/posts',
            query: { status, ...(cursor ? { cursor } : {}) },
            actor,
          }),
        );
        yield* page.items;
        cursor = page.nextCursor;
      } while (cursor);
    },
    async *comments(postId: string): AsyncIterable<ExportedComment> {
      let after: string | null = null;
      do {
        const page: ExportCommentsPage = answered(
          services.comments,
          await services.comments.call<ExportCommentsPage>({
            method: 'GET',
            path: '/v1/exports/comments',
            query: { postId, ...(after ? { after } : {}) },
            actor,
          }),
        );
        yield* page.items;
        after = page.nextAfter;
      } while (after);
    },
  };
}
