import type { z } from 'zod';
import { postCommentRequestSchema, threadQuerySchema } from './comments.api';
import { createPostRequestSchema, updatePostRequestSchema } from './posts.api';

/**
 * The gateway validates a request with these schemas and forwards what they made of it;
 * the service validates that again. Each schema must therefore accept its own output.
 */
function roundTrips(schema: z.ZodType, input: unknown): void {
  const once = schema.parse(input);
  expect(schema.parse(once)).toEqual(once);
}

describe('request schemas shared by the gateway and the services', () => {
  it('accept their own output', () => {
    roundTrips(postCommentRequestSchema, {
      body: 'Hi',
      author: { name: 'Wade', email: 'Wade@Example.com ', url: '' },
    });
    roundTrips(postCommentRequestSchema, {
      body: 'Hi',
      author: { name: 'Wade', email: 'wade@example.com', url: 'https://wade.example' },
      notify: 'all',
    });
    roundTrips(postCommentRequestSchema, { body: 'Hi', parentId: 'c1' });
    roundTrips(createPostRequestSchema, {
      title: 'Her',
      body: 'x',
      commentSettings: { mode: 'auto-close', autoCloseDays: 14 },
    });
    roundTrips(createPostRequestSchema, {
      title: 'Her',
      body: 'x',
      commentSettings: { mode: 'open' },
    });
    roundTrips(updatePostRequestSchema, { title: 'Her', expectedRevision: 2 });
  });

  it('turns an empty website into null and splits viewer tokens', () => {
    expect(
      postCommentRequestSchema.parse({
        body: 'Hi',
        author: { name: 'W', email: 'w@example.com', url: '' },
      }).author?.url,
    ).toBeNull();
    expect(
      threadQuerySchema.parse({ viewerToken: 'aaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbb' }).viewerToken,
    ).toHaveLength(2);
  });
});
