import type {
  AccountView,
  Actor,
  ImportCommentRequest,
  ImportPostRequest,
  ImportStepResponse,
  ImportedPresence,
} from '@parley/contracts';
import { ProblemException } from '@parley/platform';
import { type ImportTarget, type StepOutcome, importAccountOf, refusedAs } from '@parley/wordpress';
import type { ServiceClient } from '../proxy/service-client';

/** One imported post or comment may wait for its read model and a slug or two: more than a page does. */
export const IMPORT_CALL_TIMEOUT_MS = 30_000;

/** Refusals of one post or comment, reported and skipped; anything else stops the import. */
const REFUSED = new Set([404, 409, 422]);

export interface ServiceImportTargetOptions {
  posts: ServiceClient;
  comments: ServiceClient;
  /** The account that has proved it holds an address (the gateway's identity). */
  accountByEmail: (email: string) => Promise<AccountView | null>;
  /** Who runs the import, vouched for to the services as for any call of the gateway. */
  importer: Actor;
}

async function step(run: () => Promise<{ body: ImportStepResponse }>): Promise<StepOutcome> {
  try {
    return (await run()).body.outcome;
  } catch (error) {
    if (error instanceof ProblemException && REFUSED.has(error.status)) return refusedAs(error);
    throw error;
  }
}

/**
 * The import's way into the services from the gateway, on either stack: each post and comment
 * through the service's own import route (its use case and decider, its event store, its
 * relay to the topic), and the writers' accounts from the gateway's identity.
 */
export function serviceImportTarget(options: ServiceImportTargetOptions): ImportTarget {
  const { posts, comments, importer: actor } = options;
  return {
    async accountByEmail(email) {
      return importAccountOf(await options.accountByEmail(email));
    },
    importPost(post) {
      const body: ImportPostRequest = { ...post, date: post.date.toISOString() };
      return step(() =>
        posts.call<ImportStepResponse>({ method: 'POST', path: '/v1/imported-posts', body, actor }),
      );
    },
    importComment(comment) {
      const { author } = comment;
      const body: ImportCommentRequest = {
        commentId: comment.commentId,
        postId: comment.postId,
        parentId: comment.parentId,
        writer:
          author.kind === 'account'
            ? { kind: 'account', ...author.account, roles: [...author.account.roles] }
            : { kind: 'guest', ...author.person },
        content: comment.content,
        status: comment.status,
        kind: comment.kind,
        postedAt: comment.postedAt.toISOString(),
        imported: comment.imported,
      };
      return step(() =>
        comments.call<ImportStepResponse>({
          method: 'POST',
          path: '/v1/imported-comments',
          body,
          actor,
        }),
      );
    },
    async has(what, id) {
      const service = what === 'post' ? posts : comments;
      const answer = await service.call<ImportedPresence>({
        method: 'GET',
        path: `/v1/imported-${what}s/${encodeURIComponent(id)}`,
        actor,
      });
      return answer.body.exists;
    },
  };
}
