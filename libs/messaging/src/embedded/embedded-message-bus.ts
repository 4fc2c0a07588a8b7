import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppendLog, type LinePlace, SnapshotFile } from '@parley/files';
import type { Logger } from 'pino';
import type {
  ConsumeOptions,
  IncomingMessage,
  MessageBus,
  MessageConsumer,
  MessagePublisher,
  PartitionOffsets,
  TopicBatch,
  TopicSpec,
} from '../message';
import { retryUntilStopped } from '../retry';

interface StoredMessage {
  key: string | null;
  value: string;
  headers: Record<string, string>;
  timestamp: number;
}

interface TopicRecord {
  p: number;
  k: string | null;
  v: string;
  h: Record<string, string>;
  ts: number;
}

/** A stable partitioner: the same key always lands on the same partition. */
export function partitionOf(key: string | null, partitions: number): number {
  if (key === null) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

/** Messages decoded from a topic's file and kept for the next consumer (the groups reading alike). */
const DECODED_MESSAGES = 2_048;

/** Messages a consumer takes from a partition at a time, when they are at hand. */
const READ_AHEAD = 64;

/** How a topic line begins as this bus writes it: its partition is read without decoding the line. */
const TOPIC_LINE = /^\{"p":(\d+),/;
const CLOSING_BRACE = 0x7d;

/**
 * One partition of a topic: its messages held in memory (a bus without a folder), or where
 * each lies in the topic's file.
 */
class PartitionMessages {
  private readonly held: StoredMessage[] = [];
  private readonly positions: number[] = [];
  private readonly lengths: number[] = [];

  get length(): number {
    return this.held.length + this.positions.length;
  }

  hold(message: StoredMessage): void {
    this.held.push(message);
  }

  place(place: LinePlace): void {
    this.positions.push(place.position);
    this.lengths.push(place.length);
  }

  placeOf(offset: number): LinePlace | undefined {
    const position = this.positions[offset];
    const length = this.lengths[offset];
    return position === undefined || length === undefined ? undefined : { position, length };
  }

  heldAt(offset: number): StoredMessage | undefined {
    return this.held[offset];
  }
}

class EmbeddedTopic {
  readonly partitions: PartitionMessages[];
  private waiters: (() => void)[] = [];
  private readonly decoded = new Map<number, StoredMessage>();

  constructor(
    readonly name: string,
    partitionCount: number,
    readonly log: AppendLog | undefined,
  ) {
    this.partitions = Array.from({ length: partitionCount }, () => new PartitionMessages());
  }

  /**
   * Up to `max` messages from an offset below the partition's length: those at hand without
   * waiting, and then the first that must be read from the file.
   */
  async messagesFrom(partition: number, offset: number, max: number): Promise<StoredMessage[]> {
    const messages = this.partitions[partition];
    const end = Math.min(messages?.length ?? 0, offset + max);
    const found: StoredMessage[] = [];
    for (let at = offset; at < end; at++) {
      const message = this.atHand(partition, at);
      if (!message) break;
      found.push(message);
    }
    if (found.length === 0 && offset < end) found.push(await this.read(partition, offset));
    return found;
  }

  /**
   * The offset of the first message of a partition written at or after `time` (its length when
   * none is): messages are written in time order, so a search halves the range at each read.
   */
  async offsetAt(partition: number, time: number): Promise<number> {
    let [low, high] = [0, this.partitions[partition]?.length ?? 0];
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const [message] = await this.messagesFrom(partition, middle, 1);
      if (message && message.timestamp < time) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private atHand(partition: number, offset: number): StoredMessage | undefined {
    const messages = this.partitions[partition];
    const held = messages?.heldAt(offset);
    if (held) return held;
    const place = messages?.placeOf(offset);
    if (!place || !this.log) return undefined;
    const kept = this.decoded.get(place.position);
    if (kept) return kept;
    const line = this.log.readAtHand(place);
    return line === undefined ? undefined : this.decode(place, line);
  }

  private async read(partition: number, offset: number): Promise<StoredMessage> {
    const place = this.partitions[partition]?.placeOf(offset);
    if (!place || !this.log) throw new Error(`No message ${offset} in ${this.name}:${partition}`);
    return this.decode(place, await this.log.read(place));
  }

  private decode(place: LinePlace, line: string): StoredMessage {
    const message = storedMessage(JSON.parse(line) as TopicRecord);
    this.keepDecoded(place, message);
    return message;
  }

  keepDecoded(place: LinePlace, message: StoredMessage): void {
    this.decoded.set(place.position, message);
    if (this.decoded.size > DECODED_MESSAGES) {
      const oldest = this.decoded.keys().next().value;
      if (oldest !== undefined) this.decoded.delete(oldest);
    }
  }

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves when a message is published or `wake` is called from outside. */
  waitForMore(): { promise: Promise<void>; cancel: () => void } {
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.waiters.push(wake);
    return { promise, cancel: wake };
  }
}

function storedMessage(r: TopicRecord): StoredMessage {
  return { key: r.k, value: r.v, headers: r.h, timestamp: r.ts };
}

type PartitionKey = `${string}:${number}`;

class EmbeddedGroup {
  readonly members: EmbeddedMember[] = [];
  readonly committed = new Map<PartitionKey, number>();
  private persistTimer: NodeJS.Timeout | undefined;
  private rebalancing: Promise<void> = Promise.resolve();
  private readonly snapshot: SnapshotFile | undefined;

  constructor(
    readonly id: string,
    file: string | undefined,
    private readonly logger: Logger | undefined,
  ) {
    this.snapshot = file ? new SnapshotFile(file) : undefined;
  }

  static async load(
    id: string,
    file: string | undefined,
    logger: Logger | undefined,
  ): Promise<EmbeddedGroup> {
    const group = new EmbeddedGroup(id, file, logger);
    if (!file) return group;
    try {
      const saved = JSON.parse(await readFile(file, 'utf8')) as Record<PartitionKey, number>;
      for (const [key, offset] of Object.entries(saved))
        group.committed.set(key as PartitionKey, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return group;
  }

  commit(key: PartitionKey, offset: number): void {
    this.committed.set(key, offset);
    if (!this.snapshot || this.persistTimer) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined;
      // Offsets not saved now are saved with the next commit; until then a restart redelivers.
      this.persist().catch((error: unknown) => {
        this.logger?.warn({ err: error, groupId: this.id }, 'could not save committed offsets');
      });
    }, 100);
  }

  async persist(): Promise<void> {
    if (!this.snapshot) return;
    clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    await this.snapshot.save(JSON.stringify(Object.fromEntries(this.committed)));
  }

  /** Pauses every member, commits, splits the partitions anew among them and resumes. */
  rebalance(topics: Map<string, EmbeddedTopic>): Promise<void> {
    this.rebalancing = this.rebalancing.then(async () => {
      await Promise.all(this.members.map((m) => m.pause()));
      const members = this.members.filter((m) => m.active);
      const assignments = new Map<EmbeddedMember, PartitionKey[]>(members.map((m) => [m, []]));
      let next = 0;
      const topicNames = [...new Set(members.flatMap((m) => m.topics))].sort();
      for (const name of topicNames) {
        const topic = topics.get(name);
        if (!topic) continue;
        for (let p = 0; p < topic.partitions.length; p++) {
          const candidates = members.filter((m) => m.topics.includes(name));
          const member = candidates[next++ % candidates.length];
          if (member) assignments.get(member)?.push(`${name}:${p}`);
        }
      }
      for (const [member, keys] of assignments) member.resume(keys);
    });
    return this.rebalancing;
  }
}

/**
 * The message bus of embedded mode: topics are in-process logs (kept on disk as JSON
 * lines when a directory is given, and read back from there: memory holds where each
 * message lies, and the messages read or published last), consumer groups keep their own
 * offsets and split partitions among their members, as Kafka does.
 */
export class EmbeddedMessageBus implements MessageBus {
  readonly kind = 'embedded' as const;
  private readonly topics = new Map<string, EmbeddedTopic>();
  private readonly groups = new Map<string, Promise<EmbeddedGroup>>();
  private readonly members = new Set<EmbeddedMember>();

  private constructor(
    private readonly dir: string | undefined,
    readonly logger?: Logger,
  ) {}

  static async open(options: { dir?: string; logger?: Logger } = {}): Promise<EmbeddedMessageBus> {
    const bus = new EmbeddedMessageBus(options.dir, options.logger);
    if (!options.dir) return bus;
    await mkdir(join(options.dir, 'topics'), { recursive: true });
    await mkdir(join(options.dir, 'groups'), { recursive: true });
    for (const file of await readdir(join(options.dir, 'topics'))) {
      const match = /^(.+)\.(\d+)\.jsonl$/.exec(file);
      if (!match?.[1] || !match[2]) continue;
      await bus.openTopic(match[1], Number(match[2]));
    }
    return bus;
  }

  publisher(): MessagePublisher {
    return { publish: (batches) => this.publish(batches) };
  }

  consumer(options: ConsumeOptions): MessageConsumer {
    const member = new EmbeddedMember(this, options);
    this.members.add(member);
    return member;
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    for (const spec of specs) {
      if (!this.topics.has(spec.name)) await this.openTopic(spec.name, spec.partitions);
    }
  }

  async topicOffsets(topicName: string): Promise<PartitionOffsets[]> {
    const topic = this.requireTopic(topicName);
    return topic.partitions.map((messages, partition) => ({
      partition,
      high: String(messages.length),
    }));
  }

  async groupOffsets(groupId: string, topicName: string): Promise<PartitionOffsets[]> {
    const topic = this.requireTopic(topicName);
    const group = await this.group(groupId, false);
    return topic.partitions.map((_, partition) => ({
      partition,
      high: String(group.committed.get(`${topicName}:${partition}`) ?? -1),
    }));
  }

  /**
   * Where a group stands, by `topic:partition`: the next offset it takes on each partition it
   * has committed on (none for a group this bus has not seen).
   */
  async committedOffsets(groupId: string): Promise<Record<string, number>> {
    const group = await this.groups.get(groupId);
    return group ? Object.fromEntries(group.committed) : {};
  }

  /**
   * Starts a group whose offsets are not kept by the bus (`volatileOffsets`) from the offsets it
   * had reached when the read models it feeds were kept, instead of from the beginning. Only
   * before any member of the group has started.
   */
  async resumeGroup(groupId: string, offsets: Readonly<Record<string, number>>): Promise<void> {
    if (this.groups.has(groupId)) throw new Error(`The group ${groupId} has started already`);
    const group = await this.group(groupId, true);
    for (const [key, offset] of Object.entries(offsets))
      group.committed.set(key as PartitionKey, offset);
  }

  async close(): Promise<void> {
    await Promise.all([...this.members].map((m) => m.stop()));
    for (const topic of this.topics.values()) await topic.log?.close();
    for (const group of this.groups.values()) await (await group).persist();
  }

  requireTopic(name: string): EmbeddedTopic {
    const topic = this.topics.get(name);
    if (!topic) throw new Error(`Unknown topic ${name}: create it with ensureTopics first`);
    return topic;
  }

  group(id: string, volatile: boolean): Promise<EmbeddedGroup> {
    let group = this.groups.get(id);
    if (!group) {
      const file =
        this.dir && !volatile
          ? join(this.dir, 'groups', `${encodeURIComponent(id)}.json`)
          : undefined;
      group = EmbeddedGroup.load(id, file, this.logger);
      this.groups.set(id, group);
    }
    return group;
  }

  topicMap(): Map<string, EmbeddedTopic> {
    return this.topics;
  }

  forget(member: EmbeddedMember): void {
    this.members.delete(member);
  }

  private async openTopic(name: string, partitions: number): Promise<void> {
    if (!this.dir) {
      this.topics.set(name, new EmbeddedTopic(name, partitions, undefined));
      return;
    }
    const places: { partition: number; place: LinePlace }[] = [];
    const log = await AppendLog.scan(
      join(this.dir, 'topics', `${name}.${partitions}.jsonl`),
      (line, place) => {
        const partition = partitionOfLine(line);
        if (partition === null || partition >= partitions) return false;
        places.push({ partition, place });
        return true;
      },
      // Groups read one topic at different places: more of it is kept at hand than for a store.
      { cachedBlocks: 64 },
    );
    const topic = new EmbeddedTopic(name, partitions, log);
    for (const { partition, place } of places) topic.partitions[partition]?.place(place);
    this.topics.set(name, topic);
  }

  private async publish(batches: TopicBatch[]): Promise<void> {
    const staged = batches.map((batch) => {
      const topic = this.requireTopic(batch.topic);
      const now = Date.now();
      const records: TopicRecord[] = batch.messages.map((m) => ({
        p: partitionOf(m.key, topic.partitions.length),
        k: m.key,
        v: m.value,
        h: m.headers,
        ts: now,
      }));
      return { topic, records };
    });
    // Durable first, visible second: consumers never see a message a crash could take back.
    const written = staged.map(({ topic, records }) =>
      records.map((r) => ({
        partition: r.p,
        message: storedMessage(r),
        appended: topic.log?.appendPlaced(r),
      })),
    );
    await Promise.all(written.flat().flatMap((w) => (w.appended ? [w.appended.written] : [])));
    staged.forEach(({ topic }, i) => {
      for (const { partition, message, appended } of written[i] ?? []) {
        const messages = topic.partitions[partition];
        if (appended) {
          messages?.place(appended.place);
          // Consumers at the end of the topic take it from here, without reading the file.
          topic.keepDecoded(appended.place, message);
        } else messages?.hold(message);
      }
      topic.notify();
    });
  }
}

/** The partition a topic line is for, read from its beginning (or from the whole line); null for no record. */
function partitionOfLine(line: Buffer): number | null {
  const begins = TOPIC_LINE.exec(line.toString('latin1', 0, 16));
  if (begins && line[line.length - 1] === CLOSING_BRACE) return Number(begins[1]);
  try {
    const record = JSON.parse(line.toString('utf8')) as Partial<TopicRecord>;
    return typeof record.p === 'number' ? record.p : null;
  } catch {
    return null;
  }
}

class EmbeddedMember implements MessageConsumer {
  active = false;
  private group: EmbeddedGroup | undefined;
  private partitions: PartitionKey[] = [];
  private loops: Promise<void>[] = [];
  private generation = 0;
  private readonly cancelWaits = new Set<() => void>();
  private aborting = false;
  private readonly startOffsets = new Map<PartitionKey, number>();

  constructor(
    private readonly bus: EmbeddedMessageBus,
    private readonly options: ConsumeOptions,
  ) {}

  get topics(): string[] {
    return this.options.topics;
  }

  async start(): Promise<void> {
    for (const name of this.options.topics) this.bus.requireTopic(name);
    this.group = await this.bus.group(this.options.groupId, this.options.volatileOffsets ?? false);
    const from = this.options.fromTime?.getTime();
    for (const name of this.options.topics) {
      const topic = this.bus.requireTopic(name);
      for (const [p, messages] of topic.partitions.entries())
        this.startOffsets.set(
          `${name}:${p}`,
          from !== undefined
            ? await topic.offsetAt(p, from)
            : this.options.fromBeginning
              ? 0
              : messages.length,
        );
    }
    this.active = true;
    this.group.members.push(this);
    await this.group.rebalance(this.bus.topicMap());
  }

  assignment(): Record<string, number[]> {
    const result: Record<string, number[]> = {};
    for (const key of this.partitions) {
      const at = key.lastIndexOf(':');
      (result[key.slice(0, at)] ??= []).push(Number(key.slice(at + 1)));
    }
    return result;
  }

  async stop(): Promise<void> {
    await this.leave(false);
  }

  async abort(): Promise<void> {
    await this.leave(true);
  }

  /** Lets the messages in hand finish and stops the partition loops (rebalance). */
  async pause(): Promise<void> {
    this.generation += 1;
    for (const cancel of this.cancelWaits) cancel();
    this.cancelWaits.clear();
    await Promise.all(this.loops);
    this.loops = [];
    this.partitions = [];
  }

  resume(partitions: PartitionKey[]): void {
    this.partitions = partitions;
    const generation = this.generation;
    this.loops = partitions.map((key) => this.consume(key, generation));
  }

  private async leave(aborting: boolean): Promise<void> {
    if (!this.active || !this.group) return;
    this.aborting = aborting;
    this.active = false;
    await this.pause();
    const group = this.group;
    group.members.splice(group.members.indexOf(this), 1);
    this.bus.forget(this);
    if (!aborting) await group.persist();
    await group.rebalance(this.bus.topicMap());
  }

  private async consume(key: PartitionKey, generation: number): Promise<void> {
    const group = this.group;
    if (!group) return;
    const at = key.lastIndexOf(':');
    const topic = this.bus.requireTopic(key.slice(0, at));
    const partition = Number(key.slice(at + 1));
    const messages = topic.partitions[partition];
    if (!messages) return;
    const live = () => this.active && this.generation === generation;
    let position = group.committed.get(key) ?? this.startOffsets.get(key) ?? 0;
    // Messages read ahead, the first of them at `position`.
    let ahead: StoredMessage[] = [];
    while (live()) {
      if (position >= messages.length) {
        const wait = topic.waitForMore();
        this.cancelWaits.add(wait.cancel);
        if (position >= messages.length && live()) await wait.promise;
        this.cancelWaits.delete(wait.cancel);
        continue;
      }
      // Once read, a message is in hand: a stop lets it finish, a crash does not.
      if (ahead.length === 0) ahead = await topic.messagesFrom(partition, position, READ_AHEAD);
      if (this.aborting) return;
      const message = ahead.shift();
      if (!message) continue;
      const incoming: IncomingMessage = {
        topic: topic.name,
        partition,
        offset: String(position),
        key: message.key,
        value: message.value,
        headers: message.headers,
        timestamp: message.timestamp,
      };
      const done = await retryUntilStopped(
        () => this.options.handler(incoming),
        live,
        this.bus.logger,
      );
      if (!done || this.aborting) return;
      position += 1;
      group.commit(key, position);
    }
  }
}
