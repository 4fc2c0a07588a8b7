import { type EventStore, loadState } from '@parley/eventstore';
import { type Post, postDecider } from './post.decider';

export function postStream(postId: string): string {
  return `post-${postId}`;
}

/** The post as its own stream tells it: the latest revision, whatever the read model says. */
export async function loadPost(store: EventStore, postId: string): Promise<Post> {
  return loadState(store, postDecider, postStream(postId));
}
