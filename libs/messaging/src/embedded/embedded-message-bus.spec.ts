import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dlqOf } from '@parley/contracts';
import pino from 'pino';
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

  it('saves the offsets of members that leave at the same moment, and resumes from them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-bus-'));
    const first = await EmbeddedMessageBus.open({ dir });
    await first.ensureTopics([{ name: 'parley.comments', partitions: 4 }]);
    const publish = (bus: EmbeddedMessageBus, values: string[]) =>
      bus.publisher().publish([
        {
          topic: 'parley.comments',
          messages: values.map((v) => ({ key: v, value: v, headers: {} })),
        },
      ]);
    await publish(
      first,
      Array.from({ length: 40 }, (_, i) => `m${i}`),
    );
    const seen: string[] = [];
    const members = [1, 2].map(() =>
      first.consumer({
        groupId: 'delivery',
        topics: ['parley.comments'],
        fromBeginning: true,
        handler: async (m) => {
          seen.push(m.value);
        },
      }),
    );
    for (const member of members) await member.start();
    while (seen.length < 40) await new Promise((resolve) => setTimeout(resolve, 5));
    // Both save the group's offsets at once: two saves of one file overlap.
    await Promise.all(members.map((m) => m.stop()));
    await first.close();
    expect((await readdir(join(dir, 'groups'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const second = await EmbeddedMessageBus.open({ dir });
    await publish(second, ['late']);
    const again: string[] = [];
    await second
      .consumer({
        groupId: 'delivery',
        topics: ['parley.comments'],
        fromBeginning: true,
        handler: async (m) => {
          again.push(m.value);
        },
      })
      .start();
    while (again.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(again).toEqual(['late']);
    await second.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('logs an offset save that fails in the background and saves again with the next commit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-bus-'));
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const bus = await EmbeddedMessageBus.open({ dir, logger });
    await bus.ensureTopics([{ name: 'parley.posts', partitions: 1 }]);
    const seen: string[] = [];
    await bus
      .consumer({
        groupId: 'durable',
        topics: ['parley.posts'],
        fromBeginning: true,
        handler: async (m) => {
          seen.push(m.value);
        },
      })
      .start();
    const send = (value: string) =>
      bus
        .publisher()
        .publish([{ topic: 'parley.posts', messages: [{ key: 'k', value, headers: {} }] }]);
    // The groups folder becomes a file: the timed save cannot write.
    await rm(join(dir, 'groups'), { recursive: true });
    await writeFile(join(dir, 'groups'), '');
    await send('a');
    for (let waited = 0; lines.length === 0 && waited < 2_000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(JSON.parse(lines[0]!)).toMatchObject({
      groupId: 'durable',
      msg: 'could not save committed offsets',
    });
    await rm(join(dir, 'groups'));
    await send('b');
    await bus.close();
    const reopened = await EmbeddedMessageBus.open({ dir });
    expect(await reopened.groupOffsets('durable', 'parley.posts')).toEqual([
      { partition: 0, high: '2' },
    ]);
    expect(seen).toEqual(['a', 'b']);
    await reopened.close();
    await rm(dir, { recursive: true, force: true });
  });
});
