/** The topics of the platform, by the aggregate family whose events they carry. */
export const TOPICS = {
  accounts: 'parley.accounts',
  posts: 'parley.posts',
  comments: 'parley.comments',
  notifications: 'parley.notifications',
} as const;

export type TopicKey = keyof typeof TOPICS;
export type TopicName = (typeof TOPICS)[TopicKey];

export const DLQ_SUFFIX = '.dlq';

export function dlqOf(topic: string): string {
  return `${topic}${DLQ_SUFFIX}`;
}

/** A topic's name on a cluster whose topics carry a prefix (shared clusters, test runs). */
export function topicName(key: TopicKey, prefix = ''): string {
  return prefix ? `${prefix}.${TOPICS[key]}` : TOPICS[key];
}
