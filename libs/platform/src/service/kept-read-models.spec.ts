import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EmbeddedMessageBus } from '@parley/messaging';
import { MemoryDocumentStore } from '@parley/readmodel';
import {
  type KeptReadModelsOptions,
  keepReadModels,
  nothingUnpublished,
  openKeptFile,
  readModelsBehind,
  restoreReadModels,
  sealKeptFile,
  untilReadModelsSettled,
} from './kept-read-models';
import type { ServiceInfrastructure } from './service-infrastructure';

interface Seen {
  _id: string;
  value: string;
  at: Date;
}

const TOPIC = 'parley.comments';
const GROUP = 'parley-comments.thread.g1';
const until = async (holds: () => boolean) => {
  for (let i = 0; i < 200 && !holds(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!holds()) throw new Error('never held');
};

/** A data folder's bus and a service's store, with a projection of the topic into one collection. */
async function opened(dir: string) {
  const bus = await EmbeddedMessageBus.open({ dir: join(dir, 'bus') });
  await bus.ensureTopics([{ name: TOPIC, partitions: 2 }]);
  const store = new MemoryDocumentStore();
  const options: KeptReadModelsOptions = {
    file: join(dir, 'comments', 'read-models.jsonl'),
    store,
    bus,
    feeds: [{ groupId: GROUP, topics: [TOPIC] }],
  };
  const seen = store.collection<Seen>('seen');
  const project = async () => {
    const consumer = bus.consumer({
      groupId: GROUP,
      topics: [TOPIC],
      fromBeginning: true,
      volatileOffsets: true,
      handler: async (message) => {
        await seen.insertOne({ _id: message.value, value: message.value, at: new Date(0) });
      },
    });
    await consumer.start();
    return consumer;
  };
  const publish = (...values: string[]) =>
    bus
      .publisher()
      .publish([
        { topic: TOPIC, messages: values.map((v) => ({ key: v, value: v, headers: {} })) },
      ]);
  return { bus, store, seen, options, project, publish };
}

/** A stop that kept the read models of a topic holding `values`, all applied. */
async function kept(dir: string, ...values: string[]) {
  const first = await opened(dir);
  await first.publish(...values);
  const consumer = await first.project();
  await until(() => first.store.keptInMemory()[0]?.docs.length === values.length);
  await consumer.stop();
  expect(await keepReadModels(first.options)).toBe(true);
  await first.bus.close();
  return first;
}

/** A start that takes nothing of what was kept, removes it, and starts its group from the beginning. */
async function expectReplayed(dir: string) {
  const second = await opened(dir);
  expect(await restoreReadModels(second.options)).toBeNull();
  expect(existsSync(second.options.file)).toBe(false);
  expect(existsSync(`${second.options.file}.key`)).toBe(false);
  expect(await second.bus.committedOffsets(GROUP)).toEqual({});
  expect(await second.seen.count({})).toBe(0);
  await second.bus.close();
}

describe('read models kept between a stop and a start (embedded)', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-kept-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps the documents with where their group stood; the next start takes them and goes on from there', async () => {
    const first = await opened(dir);
    await first.publish('a', 'b', 'c');
    const consumer = await first.project();
    await until(() => first.store.keptInMemory().some((c) => c.docs.length === 3));
    await consumer.stop();
    expect(await readModelsBehind(first.options)).toBeUndefined();
    expect(await keepReadModels(first.options)).toBe(true);
    const offsets = await first.bus.committedOffsets(GROUP);
    await first.bus.close();

    const second = await opened(dir);
    expect(await restoreReadModels(second.options)).toBe(3);
    expect(existsSync(second.options.file)).toBe(false);
    expect(await second.bus.committedOffsets(GROUP)).toEqual(offsets);
    // Dates come back dates.
    expect(await second.seen.findOne({ _id: 'b' })).toEqual({
      _id: 'b',
      value: 'b',
      at: new Date(0),
    });
    // Only what came after is applied: a replay of a, b or c would refuse the same _id.
    await second.publish('d');
    const resumed = await second.project();
    await until(() => second.store.keptInMemory()[0]?.docs.length === 4);
    await resumed.stop();
    expect((await second.seen.find({}, { sort: { _id: 1 } })).map((d) => d.value)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    await second.bus.close();
  });

  it('keeps nothing while a group has not applied every event on its topics', async () => {
    const first = await opened(dir);
    await first.publish('a');
    const consumer = await first.project();
    await until(() => first.store.keptInMemory()[0]?.docs.length === 1);
    await consumer.stop();
    await first.publish('b');
    expect(await readModelsBehind(first.options)).toBe(GROUP);
    expect(await keepReadModels(first.options)).toBe(false);
    expect(existsSync(first.options.file)).toBe(false);
    await first.bus.close();
  });

  it.each([
    ['kept by other code', (text: string) => text.replace(/"code":"[0-9a-f]+"/, '"code":"other"')],
    ['of another format', (text: string) => text.replace('"format":1', '"format":0')],
    ['kept for other groups', (text: string) => text.replaceAll(GROUP, 'parley-comments.old.g1')],
    ['cut short', (text: string) => text.slice(0, text.lastIndexOf('"b"'))],
  ])('replays the logs instead of taking read models %s, and removes them', async (_, change) => {
    const first = await kept(dir, 'a', 'b');
    const text = (await openKeptFile(first.options.file))!.toString('utf8');
    await sealKeptFile(first.options.file, [change(text)]);
    await expectReplayed(dir);
  });

  it.each([
    ['torn', (bytes: Buffer) => bytes.subarray(0, bytes.length - 40)],
    [
      'changed',
      (bytes: Buffer) =>
        Buffer.concat([bytes.subarray(0, 20), Buffer.from('x'), bytes.subarray(21)]),
    ],
  ])('replays the logs instead of taking read models whose file was %s', async (_, change) => {
    const first = await kept(dir, 'a', 'b');
    await writeFile(first.options.file, change(await readFile(first.options.file)));
    await expectReplayed(dir);
  });

  it('replays the logs instead of taking read models without their key', async () => {
    const first = await kept(dir, 'a', 'b');
    await rm(`${first.options.file}.key`);
    await expectReplayed(dir);
  });

  it('holds nothing of the documents in clear, and their key goes with them', async () => {
    const first = await kept(dir, 'a-name-in-clear', 'b-name-in-clear');
    expect((await readFile(first.options.file)).includes('name-in-clear')).toBe(false);
    expect(existsSync(`${first.options.file}.key`)).toBe(true);
    const second = await opened(dir);
    expect(await restoreReadModels(second.options)).toBe(2);
    expect(existsSync(`${first.options.file}.key`)).toBe(false);
    await second.bus.close();
  });

  it('replays the logs instead of taking read models of a log that is not there any more', async () => {
    const first = await opened(dir);
    await first.publish('a', 'b', 'c', 'd');
    const consumer = await first.project();
    await until(() => first.store.keptInMemory()[0]?.docs.length === 4);
    await consumer.stop();
    expect(await keepReadModels(first.options)).toBe(true);
    await first.bus.close();
    // The topics are gone (another data folder's read models copied in, say).
    await rm(join(dir, 'bus'), { recursive: true });

    const second = await opened(dir);
    expect(await restoreReadModels(second.options)).toBeNull();
    expect(await second.seen.count({})).toBe(0);
    await second.bus.close();
  });

  it('starts from the logs when nothing was kept, and removes what a stop cut short left', async () => {
    const first = await opened(dir);
    const left = [`${first.options.file}.4242.tmp`, `${first.options.file}.key.4242.tmp`];
    await mkdir(dirname(first.options.file), { recursive: true });
    for (const path of left) await writeFile(path, 'half of it');
    expect(await restoreReadModels(first.options)).toBeNull();
    expect(left.filter((path) => existsSync(path))).toEqual([]);
    await first.bus.close();
  });

  it('waits at a stop until every commit is on the bus and every group applied it, for a while', async () => {
    const first = await opened(dir);
    let unpublished = 1;
    const services = [
      {
        infra: {
          eventStore: {
            readUnpublished: async () => Array.from({ length: unpublished }),
          },
        } as unknown as ServiceInfrastructure,
      },
    ];
    expect(await nothingUnpublished(services)).toBe(false);
    expect(await untilReadModelsSettled(services, [first.options], 50)).toBe(false);
    // Relayed, but not applied yet: still waiting; then applied.
    unpublished = 0;
    await first.publish('a');
    expect(await untilReadModelsSettled(services, [first.options], 50)).toBe(false);
    const consumer = await first.project();
    expect(await untilReadModelsSettled(services, [first.options], 2_000)).toBe(true);
    await consumer.stop();
    await first.bus.close();
  });
});
