import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dlqOf } from '@parley/contracts';
import type { IncomingMessage } from '../message';
import { messageBusContract } from '../testing/bus.contract';
import { EmbeddedMessageBus } from './embedded-message-bus';

let n = 0;

messageBusContract('embedded', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-bus-'));
  const bus = await EmbeddedMessageBus.open({ dir });
  return {
    bus,
    async topic(label, partitions) {
      const name = `t${n++}.${label}`;
      await bus.ensureTopics([
        { name, partitions },
        { name: dlqOf(name), partitions: 1 },
      ]);
      return name;
    },
    group: (label) => `g${n++}.${label}`,
    async close() {
      await bus.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('EmbeddedMessageBus on disk', () => {
  it('keeps topics and committed offsets across a restart; volatile groups start over', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-bus-'));
    const first = await EmbeddedMessageBus.open({ dir });
    await first.ensureTopics([{ name: 'parley.posts', partitions: 2 }]);
    await first.publisher().publish([
      {
        topic: 'parley.posts',
        messages: ['a', 'b', 'c'].map((v) => ({ key: v, value: v, headers: {} })),
      },
    ]);
    const seen: string[] = [];
    const durable = first.consumer({
      groupId: 'durable',
      topics: ['parley.posts'],
      fromBeginning: true,
      handler: async (m: IncomingMessage) => {
        seen.push(m.value);
      },
    });
    await durable.start();
    while (seen.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await first.close();

    const second = await EmbeddedMessageBus.open({ dir });
    expect(
      (await second.topicOffsets('parley.posts')).reduce((sum, p) => sum + Number(p.high), 0),
    ).toBe(3);
    const again: string[] = [];
    const volatileSeen: string[] = [];
    await second
      .publisher()
      .publish([{ topic: 'parley.posts', messages: [{ key: 'd', value: 'd', headers: {} }] }]);
    const resumed = second.consumer({
      groupId: 'durable',
      topics: ['parley.posts'],
      fromBeginning: true,
      handler: async (m) => {
        again.push(m.value);
      },
    });
    const rebuilt = second.consumer({
      groupId: 'read-model',
      topics: ['parley.posts'],
      fromBeginning: true,
      volatileOffsets: true,
      handler: async (m) => {
        volatileSeen.push(m.value);
      },
    });
    await resumed.start();
    await rebuilt.start();
    while (again.length < 1 || volatileSeen.length < 4)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(again).toEqual(['d']);
    expect(volatileSeen.sort()).toEqual(['a', 'b', 'c', 'd']);
    await second.close();
    await rm(dir, { recursive: true, force: true });
  });
});
