/** A message as a producer hands it over: keyed, so one key keeps its order. */
export interface OutgoingMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface TopicBatch {
  topic: string;
  messages: OutgoingMessage[];
}

/** A message as a consumer receives it. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  /** Position in the partition, as a decimal string (Kafka offsets are 64-bit). */
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
  /** When the broker (or the embedded log) accepted the message, ms since the epoch. */
  timestamp: number;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  /** -1 keeps messages for ever. */
  retentionMs?: number;
}

export type MessageHandler = (message: IncomingMessage) => Promise<void>;

export interface ConsumeOptions {
  groupId: string;
  topics: string[];
  /** Where a group without committed offsets starts: the oldest message, or new ones only. */
  fromBeginning: boolean;
  /**
   * Instead: a group without committed offsets starts, in each partition, at the first
   * message written at or after this time.
   */
  fromTime?: Date;
  /**
   * The handler of one message. Messages of one partition are handled one at a time,
   * in order; an offset is committed only after its handler resolved. A handler that
   * rejects is called again with the same message after a pause.
   */
  handler: MessageHandler;
  /** Partitions handled at the same time by one member. */
  concurrency?: number;
  /**
   * The group's effects live in memory (an embedded read model rebuilt at start), so its
   * offsets must not outlive the process: every start reads from the beginning.
   */
  volatileOffsets?: boolean;
}

/** One member of a consumer group. */
export interface MessageConsumer {
  start(): Promise<void>;
  /** Finishes the messages in hand, commits, and leaves the group. */
  stop(): Promise<void>;
  /** Leaves without committing what was handled since the last commit, as a crash would. */
  abort(): Promise<void>;
  /** Partitions currently assigned to this member, by topic. */
  assignment(): Record<string, number[]>;
}

export interface MessagePublisher {
  /** Resolves once every message is durably accepted (acks from all in-sync replicas). */
  publish(batches: TopicBatch[]): Promise<void>;
}

export interface PartitionOffsets {
  partition: number;
  /** Offset of the next message that will be written. */
  high: string;
}

/** A message broker: Kafka, or the embedded one. */
export interface MessageBus {
  readonly kind: 'kafka' | 'embedded';
  publisher(): MessagePublisher;
  consumer(options: ConsumeOptions): MessageConsumer;
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** End offsets of a topic's partitions (for lag, rebuild progress and tests). */
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Committed offsets of a group on a topic; '-1' where it has none. */
  groupOffsets(groupId: string, topic: string): Promise<PartitionOffsets[]>;
  close(): Promise<void>;
}
