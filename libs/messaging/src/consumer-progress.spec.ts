import { ConsumerProgress } from './consumer-progress';
import { EmbeddedMessageBus } from './embedded/embedded-message-bus';

describe('ConsumerProgress', () => {
  it('waits until the group has handled what the topic held at the call, and no longer', async () => {
    const bus = await EmbeddedMessageBus.open();
    await bus.ensureTopics([{ name: 'parley.posts', partitions: 3 }]);
    const applied: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const progress = new ConsumerProgress(bus, 'post-status', ['parley.posts']);
    const consumer = bus.consumer({
      groupId: 'post-status',
      topics: ['parley.posts'],
      fromBeginning: true,
      volatileOffsets: true,
      handler: progress.track(async (m) => {
        if (m.value === 'published') await gate;
        applied.push(m.value);
      }),
    });
    await consumer.start();
    await bus.publisher().publish([
      {
        topic: 'parley.posts',
        messages: ['drafted', 'published'].map((value) => ({ key: 'post-1', value, headers: {} })),
      },
    ]);
    expect(await progress.caughtUp(50)).toBe(false);
    const waiting = progress.caughtUp(5_000);
    setTimeout(release, 20);
    expect(await waiting).toBe(true);
    expect(applied).toEqual(['drafted', 'published']);
    await consumer.stop();
    // Another member's progress is read from the group's committed offsets.
    expect(await new ConsumerProgress(bus, 'post-status', ['parley.posts']).caughtUp(500)).toBe(
      true,
    );
    await bus.close();
  });
});
