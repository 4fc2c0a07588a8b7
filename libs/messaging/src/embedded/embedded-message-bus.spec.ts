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

/** A consumer of one topic from its beginning that keeps the values it is handed. */
const collecting = (
  bus: EmbeddedMessageBus,
  groupId: string,
  topic: string,
  into: string[],
  options: { volatileOffsets?: boolean } = {},
) =>
  bus.consumer({
    groupId,
    topics: [topic],
    fromBeginning: true,
    ...options,
    handler: async (m: IncomingMessage) => {
      into.push(m.value);
    },
  });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    const durable = collecting(first, 'durable', 'parley.posts', seen);
    await durable.start();
    while (seen.length < 3) await pause(5);
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
    const resumed = collecting(second, 'durable', 'parley.posts', again);
    const rebuilt = collecting(second, 'read-model', 'parley.posts', volatileSeen, {
      volatileOffsets: true,
    });
    await resumed.start();
    await rebuilt.start();
    while (again.length < 1 || volatileSeen.length < 4) await pause(5);
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
    const members = [1, 2].map(() => collecting(first, 'delivery', 'parley.comments', seen));
    for (const member of members) await member.start();
    while (seen.length < 40) await pause(5);
    // Both save the group's offsets at once: two saves of one file overlap.
    await Promise.all(members.map((m) => m.stop()));
    await first.close();
    expect((await readdir(join(dir, 'groups'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const second = await EmbeddedMessageBus.open({ dir });
    await publish(second, ['late']);
    const again: string[] = [];
    await collecting(second, 'delivery', 'parley.comments', again).start();
    while (again.length < 1) await pause(5);
    await pause(50);
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
    await collecting(bus, 'durable', 'parley.posts', seen).start();
    const send = (value: string) =>
      bus
        .publisher()
        .publish([{ topic: 'parley.posts', messages: [{ key: 'k', value, headers: {} }] }]);
    // The groups folder becomes a file: the timed save cannot write.
    await rm(join(dir, 'groups'), { recursive: true });
    await writeFile(join(dir, 'groups'), '');
    await send('a');
    for (let waited = 0; lines.length === 0 && waited < 2_000; waited += 10) await pause(10);
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

  it('reads a reopened topic larger than the messages it keeps decoded from its file, each partition in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-bus-'));
    const first = await EmbeddedMessageBus.open({ dir });
    await first.ensureTopics([{ name: 'parley.comments', partitions: 3 }]);
    const values = Array.from({ length: 3_000 }, (_, i) => `{"n":${i},"text":"é \\"quoted\\" ✓"}`);
    for (let i = 0; i < values.length; i += 500)
      await first.publisher().publish([
        {
          topic: 'parley.comments',
          messages: values
            .slice(i, i + 500)
            .map((value, j) => ({ key: `k${(i + j) % 7}`, value, headers: { n: String(i + j) } })),
        },
      ]);
    await first.close();

    const second = await EmbeddedMessageBus.open({ dir });
    const seen: IncomingMessage[] = [];
    const consumer = second.consumer({
      groupId: 'again',
      topics: ['parley.comments'],
      fromBeginning: true,
      handler: async (m) => {
        seen.push(m);
      },
    });
    await consumer.start();
    while (seen.length < values.length) await pause(5);
    expect(seen.map((m) => m.value).sort()).toEqual([...values].sort());
    for (const partition of [0, 1, 2]) {
      const order = seen.filter((m) => m.partition === partition).map((m) => Number(m.headers.n));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(order.length).toBeGreaterThan(0);
    }
    expect(seen.every((m) => m.key === `k${Number(m.headers.n) % 7}`)).toBe(true);
    await second.close();
    await rm(dir, { recursive: true, force: true });
  });
});
