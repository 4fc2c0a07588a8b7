import type { TopicBatch } from '@parley/messaging';
import { classifyFailure, reliable } from '@parley/messaging';
import { NotYetProjected } from './policy.service';

describe('a fact that has not reached the read model yet', () => {
  it('is waited for like an outage, never dead-lettered', async () => {
    expect(classifyFailure(new NotYetProjected('Comment c1'))).toBe('infrastructure');

    const deadLettered: TopicBatch[] = [];
    const handler = reliable(
      async () => {
        throw new NotYetProjected('Comment c1');
      },
      {
        groupId: 'parley-notifications.policy',
        publisher: { publish: async (batches) => void deadLettered.push(...batches) },
        maxAttempts: 1,
      },
    );
    const message = {
      topic: 'parley.comments',
      partition: 0,
      offset: '7',
      key: 'comment-c1',
      value: '{}',
      headers: {},
      timestamp: Date.now(),
    };
    // Handed back to the consumer, which tries again until the projection has caught up.
    await expect(handler(message)).rejects.toBeInstanceOf(NotYetProjected);
    expect(deadLettered).toEqual([]);
  });
});
