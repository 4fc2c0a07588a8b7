import type { AnyEvent, EventType } from '@parley/contracts';
import type { PostStreamEvent } from '@parley/domain';
import { assertNever } from '@parley/eventstore';
import {
  type DocumentCollection,
  type Projection,
  type ProjectionDb,
  type Versioned,
  applyToOwnedDocument,
} from '@parley/readmodel';
import type { PostFacts } from './post-facts';

export const POST_STATUS_PROJECTION = 'post-status';
const POSTS = 'posts';

type Envelope<T extends EventType> = Extract<AnyEvent, { type: T }>;
type PostStreamEnvelope = Envelope<PostStreamEvent['type']>;

/** A post as the comments service needs it, owned by the post's stream. */
export interface PostStatusDocument extends Versioned, PostFacts {}

function evolve(current: PostStatusDocument | null, event: PostStreamEnvelope): PostFacts | null {
  if (event.type === 'parley.post.drafted.v2') {
    const d = event.data;
    return {
      postId: d.postId,
      authorId: d.authorId,
      title: d.title,
      slug: d.slug,
      status: 'draft',
      deleted: false,
      commentSettings: d.commentSettings,
      firstPublishedAt: null,
    };
  }
  // Without its drafted event (dead-lettered) there is nothing to build the post on.
  if (!current) return null;
  const { _id, _v, ...post } = current;
  switch (event.type) {
    case 'parley.post.edited.v1':
      return { ...post, title: event.data.title, slug: event.data.slug };
    case 'parley.post.published.v2':
      return {
        ...post,
        status: 'published',
        title: event.data.title,
        slug: event.data.slug,
        firstPublishedAt: post.firstPublishedAt ?? event.data.publishedAt,
      };
    case 'parley.post.scheduled.v1':
      return { ...post, status: 'scheduled' };
    case 'parley.post.unpublished.v1':
      return { ...post, status: 'unpublished' };
    case 'parley.post.deleted.v1':
      return { ...post, deleted: true };
    case 'parley.post.comment-settings-changed.v1':
      return { ...post, commentSettings: event.data.commentSettings };
    default:
      return assertNever(event, 'post event');
  }
}

/** Whether each post exists, is published and takes comments: what posting a comment checks. */
export const postStatusProjection: Projection<'posts'> = {
  name: POST_STATUS_PROJECTION,
  topics: ['posts'],
  collections: { [POSTS]: [] },
  async apply(event, db) {
    switch (event.type) {
      case 'parley.post.drafted.v2':
      case 'parley.post.edited.v1':
      case 'parley.post.published.v2':
      case 'parley.post.scheduled.v1':
      case 'parley.post.unpublished.v1':
      case 'parley.post.deleted.v1':
      case 'parley.post.comment-settings-changed.v1': {
        const posts = postStatusCollection(db);
        await applyToOwnedDocument<PostStatusDocument>(
          posts,
          event.data.postId,
          event,
          (current) => {
            const next = evolve(current, event);
            return next && { _id: event.data.postId, ...next };
          },
        );
        return;
      }
      // Post likes are streams of their own and say nothing about comments.
      case 'parley.post.liked.v2':
      case 'parley.post.unliked.v1':
        return;
      default:
        return assertNever(event, 'posts topic event');
    }
  },
};

export function postStatusCollection(db: ProjectionDb): DocumentCollection<PostStatusDocument> {
  return db.collection<PostStatusDocument>(POSTS);
}

export function postFactsOf(doc: PostStatusDocument | null): PostFacts | null {
  if (!doc) return null;
  const { _id, _v, ...facts } = doc;
  return facts;
}
