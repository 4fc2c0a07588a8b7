import { type EventStore, fold } from '@parley/eventstore';
import { type Post, type PostEvent, postDecider } from './post.decider';

export function postStream(postId: string): string {
  return `post-${postId}`;
}

/** The post as its own stream tells it: the latest revision, whatever the read model says. */
export async function loadPost(store: EventStore, postId: string): Promise<Post> {
  const stream = await store.readStream(postStream(postId));
  return fold(postDecider, stream.events as unknown as PostEvent[]);
}
