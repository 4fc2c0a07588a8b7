import type { Type } from '@nestjs/common';
import type { StartedService } from '@parley/platform';
import { guestIdOf } from '../../comments/src/comments/comment-keys';
import { CommentUseCases } from '../../comments/src/comments/comment-use-cases';
import { PostUseCases } from '../../posts/src/posts/post-use-cases';
import { IdentityService } from '../../gateway/src/identity/identity.service';
import { type ImportTarget, importAccountOf, refusedAs } from '@parley/wordpress';
import { commentsProblem } from '../../comments/src/comments.errors';
import { failure as postsProblem } from '../../posts/src/posts/posts.errors';

function provider<T>(services: readonly StartedService[], service: string, type: Type<T>): T {
  const running = services.find((s) => s.infra.service === service);
  if (!running) throw new Error(`The ${service} service is not in this process`);
  return running.app.get(type, { strict: false });
}

/** The import's way into an embedded Parley: the services' own use cases, in this process. */
export function embeddedImportTarget(services: readonly StartedService[]): ImportTarget {
  const identity = provider(services, 'gateway', IdentityService);
  const posts = provider(services, 'posts', PostUseCases);
  const comments = provider(services, 'comments', CommentUseCases);
  return {
    async accountByEmail(email) {
      return importAccountOf(await identity.verifiedAccountByEmail(email));
    },
    async importPost(post) {
      const outcome = await posts.importPost(post);
      // Refused in the words the posts service answers with over HTTP.
      if (!outcome.ok) return refusedAs(postsProblem(outcome.error));
      return outcome.value.added ? 'added' : 'existing';
    },
    async has(what, id) {
      return what === 'post' ? (await posts.load(id)).exists : (await comments.load(id)) !== null;
    },
    async importComment(comment) {
      const { author } = comment;
      const outcome = await comments.importComment({
        ...comment,
        writer:
          author.kind === 'account'
            ? { kind: 'account', ...author.account, roles: [...author.account.roles] }
            : { kind: 'guest', guestId: guestIdOf(author.person.email), ...author.person },
        by: 'wordpress-import',
      });
      if ('refused' in outcome) return refusedAs(commentsProblem(outcome.refused));
      return outcome.added ? 'added' : 'existing';
    },
  };
}
