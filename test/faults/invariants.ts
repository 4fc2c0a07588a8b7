import type {
  InboxResponse,
  NotificationReason,
  NotificationView,
  NotificationWhy,
  PostView,
  ThreadItem,
  ThreadPage,
} from '@parley/contracts';
import { KafkaMessageBus } from '@parley/messaging';
import { accountDataOpener, connectMongo } from '@parley/platform';
import {
  MongoDocumentStore,
  type Projection,
  ProjectionGenerations,
  rebuildProjection,
} from '@parley/readmodel';
import { type CaughtMail, type MailCatcher, sleep } from '@parley/testing';
import { Kafka, logLevel } from 'kafkajs';
import { ACCOUNTS_DIRECTORY } from '../../apps/gateway/src/identity/accounts.projection';
import type {
  Account,
  CommentRecord,
  Conversation,
  Person,
  PostRecord,
  SubscriptionRecord,
} from './conversation';
import { definitionOf } from '../ops/consumer-groups';
import { type App, type FaultStack, PUBLIC_BASE_URL } from './fault-stack';
import { MongoPersonKeyStore } from '@parley/privacy';

/** What a notification is about, and which rule made it: a visible comment, a held one, a new post. */
type Kind = 'visible' | 'held' | 'blog';
type Due = 'owed' | 'maybe' | 'none';

interface Expected {
  person: Person;
  subject: string;
  kind: Kind;
  inApp: Due;
  email: Due;
  /** The reasons the policy may give, most specific first. */
  reasons: Set<NotificationReason>;
}

const RANK: Record<NotificationReason, number> = {
  reply: 0,
  branch: 1,
  post: 2,
  'post-author': 3,
  blog: 4,
  moderation: 5,
};

export interface InvariantOptions {
  /**
   * The notifications process was SIGKILLed: a mail whose sending it had started is not sent
   * again (at most once), and its ledger says so; a confirmation mail may come twice.
   */
  notificationsCrashed?: boolean;
}

export interface Findings {
  failures: string[];
  counts: {
    commentsAnswered: number;
    commentsUnanswered: number;
    unansweredCreated: number;
    approvals: number;
    likes: number;
    subscriptions: number;
    posts: number;
    inAppOwed: number;
    emailOwed: number;
    uncertain: number;
    interrupted: number;
    mails: number;
  };
}

function emptyCounts(): Findings['counts'] {
  return {
    commentsAnswered: 0,
    commentsUnanswered: 0,
    unansweredCreated: 0,
    approvals: 0,
    likes: 0,
    subscriptions: 0,
    posts: 0,
    inAppOwed: 0,
    emailOwed: 0,
    uncertain: 0,
    interrupted: 0,
    mails: 0,
  };
}

const commentKey = (id: string) => `comment:${id}`;
const postKey = (id: string) => `post:${id}`;
const MARKER = /^\[([a-z0-9]+-\d+)\]/;

function isSame(a: Person, b: Person): boolean {
  return a.key === b.key;
}

/** A subscription the policy surely saw when it handled something it started on at `from`. */
function seenBy(record: { visible: number | null }, from: number): boolean {
  return record.visible !== null && record.visible < from;
}

/**
 * What the notification policy owes, worked out from what the conversation was told: one
 * notification per person and comment (or post) with the most specific reason, never to
 * the writer; "maybe" (at most once) where the order of things leaves it open.
 */
export function expectedNotifications(conversation: Conversation): Map<string, Expected> {
  const expected = new Map<string, Expected>();
  const add = (e: Expected) => expected.set(`${e.person.key}|${e.subject}|${e.kind}`, e);

  for (const comment of conversation.comments) {
    if (!comment.id || !comment.status) continue;
    const certain = comment.created !== null;
    if (comment.status === 'pending') {
      // Held: the moderators and the post's author are asked to look at it, in the app.
      for (const person of [conversation.admin, comment.post.author]) {
        if (isSame(person, comment.author)) continue;
        add({
          person,
          subject: commentKey(comment.id),
          kind: 'held',
          inApp: certain ? 'owed' : 'maybe',
          email: 'none',
          reasons: new Set(['moderation']),
        });
      }
    }
    const visible = comment.status === 'approved' || comment.approval?.done != null;
    if (!visible) continue;
    // From when the policy may have handled it: the posting, or the first approval request.
    const from = comment.status === 'approved' ? comment.sent : comment.approval!.first;
    const sure = comment.status === 'approved' ? certain : comment.approval!.done !== null;
    for (const e of recipientsOf(conversation, comment, from, sure)) add(e);
  }

  for (const post of conversation.posts) {
    for (const s of conversation.subscriptions.filter((s) => s.kind === 'blog')) {
      if (isSame(s.who, post.author)) continue;
      const due: Due = seenBy(s, post.publish.first) ? 'owed' : 'maybe';
      add({
        person: s.who,
        subject: postKey(post.id),
        kind: 'blog',
        inApp: due,
        email: due,
        reasons: new Set(['blog']),
      });
    }
  }
  return expected;
}

function recipientsOf(
  conversation: Conversation,
  comment: CommentRecord,
  from: number,
  sure: boolean,
): Expected[] {
  const candidates = new Map<
    string,
    { person: Person; reason: NotificationReason; certain: boolean }[]
  >();
  const candidate = (person: Person, reason: NotificationReason, certain: boolean) => {
    if (isSame(person, comment.author)) return;
    candidates.set(person.key, [
      ...(candidates.get(person.key) ?? []),
      { person, reason, certain: certain && sure },
    ]);
  };
  const ancestors: string[] = [];
  for (let at = comment.parent; at; at = at.parent) if (at.id) ancestors.push(at.id);
  const parent = comment.parent;
  if (parent) {
    if (parent.author.kind === 'account') candidate(parent.author, 'reply', true);
    else
      candidate(
        parent.author,
        'reply',
        parent.author.subscriptionSeen !== null && parent.author.subscriptionSeen < from,
      );
  }
  const follows = (s: SubscriptionRecord, kind: SubscriptionRecord['kind'], targets: string[]) =>
    s.kind === kind && s.targetId !== null && targets.includes(s.targetId);
  for (const s of conversation.subscriptions) {
    if (follows(s, 'branch', ancestors)) candidate(s.who, 'branch', seenBy(s, from));
    if (follows(s, 'post', [comment.post.id])) candidate(s.who, 'post', seenBy(s, from));
  }
  candidate(comment.post.author, 'post-author', true);

  return [...candidates.values()].map((list) => {
    const person = list[0]!.person;
    const best = list.filter((c) => c.certain).sort((a, b) => RANK[a.reason] - RANK[b.reason])[0];
    const reasons = new Set(
      list.filter((c) => !best || RANK[c.reason] <= RANK[best.reason]).map((c) => c.reason),
    );
    const due: Due = best ? 'owed' : 'maybe';
    let email: Due = due;
    if (person.kind === 'guest') {
      // Mail only to a confirmed address: sure if confirmed before the policy could act.
      const confirm = person.confirm;
      email =
        confirm === null
          ? 'none'
          : due === 'owed' && confirm.done !== null && confirm.done < from
            ? 'owed'
            : 'maybe';
    }
    return {
      person,
      subject: commentKey(comment.id!),
      kind: 'visible' as const,
      inApp: person.kind === 'account' ? due : ('none' as const),
      email,
      reasons,
    };
  });
}

/** The subject a notification mail is about, from its "Read it" link. */
function subjectOfMail(conversation: Conversation, mail: CaughtMail): string | undefined {
  const link = /Read it: (\S+)/.exec(mail.text)?.[1];
  if (!link?.startsWith(`${PUBLIC_BASE_URL}/posts/`)) return undefined;
  const comment = /#comment-([^\s#?]+)$/.exec(link)?.[1];
  if (comment) return commentKey(comment);
  const slug = link.slice(`${PUBLIC_BASE_URL}/posts/`.length);
  const post = conversation.postBySlug(decodeURIComponent(slug));
  return post ? postKey(post.id) : `post-slug:${slug}`;
}

function kindOfMail(mail: CaughtMail, subject: string): Kind {
  if (subject.startsWith('post')) return 'blog';
  return /awaits moderation/.test(mail.headers.subject ?? '') ? 'held' : 'visible';
}

function kindOf(item: NotificationView): Kind {
  if (item.reason === 'moderation') return 'held';
  return item.subject.kind === 'post' ? 'blog' : 'visible';
}

function subjectOf(item: NotificationView): string {
  return item.subject.kind === 'comment'
    ? commentKey(item.subject.commentId)
    : postKey(item.subject.postId);
}

async function inboxOf(conversation: Conversation, account: Account): Promise<NotificationView[]> {
  const items: NotificationView[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page: { status: number; body: InboxResponse } = await conversation.call<InboxResponse>(
      'GET',
      `/api/v1/notifications?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      undefined,
      account.token,
    );
    if (page.status !== 200) throw new Error(`inbox of ${account.key}: ${page.status}`);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
    if (!cursor) return items;
  }
}

async function threadOf(conversation: Conversation, post: PostRecord): Promise<ThreadPage[]> {
  const pages: ThreadPage[] = [];
  for (let page = 1; ; page++) {
    const reply = await conversation.call<ThreadPage>(
      'GET',
      `/api/v1/posts/${post.id}/comments?view=moderation&page=${page}`,
      undefined,
      conversation.admin.token,
    );
    if (reply.status !== 200) throw new Error(`thread of ${post.slug}: ${reply.status}`);
    pages.push(reply.body);
    if (page >= reply.body.totals.pages) return pages;
  }
}

function describeDue(due: Due): string {
  return due === 'owed' ? '1' : due === 'maybe' ? 'at most 1' : '0';
}

function fits(count: number, due: Due): boolean {
  return due === 'owed' ? count === 1 : due === 'maybe' ? count <= 1 : count === 0;
}

/**
 * Checks, from the public API and the SMTP server's mail: every comment answered 201 is in
 * its thread exactly once (and nothing else is, but what requests without an answer
 * created); likes and counts agree; every notification owed was delivered once per channel
 * and nothing else was.
 */
export async function checkConversation(
  conversation: Conversation,
  smtp: MailCatcher,
  options: InvariantOptions = {},
): Promise<Findings> {
  const failures: string[] = [];
  const fail = (what: string) => {
    if (failures.length < 40) failures.push(what);
  };
  for (const surprise of conversation.surprises) fail(`unexpected answer: ${surprise}`);
  const byMarker = new Map<string, CommentRecord>();
  for (const c of conversation.comments) {
    const marker = MARKER.exec(c.body)?.[1];
    if (marker) byMarker.set(marker, c);
  }

  // Threads: each comment once, in its place, with its likes.
  for (const post of conversation.posts) {
    const pages = await threadOf(conversation, post);
    const items: ThreadItem[] = pages.flatMap((p) => p.items);
    const seen = new Map<string, number>();
    for (const item of items) seen.set(item.id, (seen.get(item.id) ?? 0) + 1);
    for (const [id, n] of seen) if (n > 1) fail(`comment ${id} is ${n} times in its thread`);
    for (const item of items) {
      const marker = MARKER.exec(item.body)?.[1];
      const record = marker ? byMarker.get(marker) : undefined;
      if (!record) {
        fail(`comment ${item.id} in the thread of ${post.slug} was never posted: ${item.body}`);
        continue;
      }
      if (record.id === null) {
        // A request without an answer that did create its comment.
        record.id = item.id;
        record.status = item.status === 'approved' ? 'approved' : 'pending';
      }
      if (record.id !== item.id)
        fail(`comment ${record.body} has id ${item.id}, answered ${record.id}`);
      const likes = conversation.commentLikes.get(item.id)?.size ?? 0;
      if (item.likeCount !== likes)
        fail(`comment ${item.id} shows ${item.likeCount} likes, ${likes} were answered`);
    }
    for (const record of conversation.comments.filter((c) => c.post === post && c.created)) {
      const item = items.find((i) => i.id === record.id);
      if (!item) {
        fail(`comment ${record.id} (answered 201) is missing from the thread of ${post.slug}`);
        continue;
      }
      if (item.parentId !== (record.parent?.id ?? null))
        fail(`comment ${record.id} answers ${item.parentId}, not ${record.parent?.id ?? null}`);
      const status = conversation.isVisible(record) ? 'approved' : 'pending';
      if (item.status !== status) fail(`comment ${record.id} is ${item.status}, not ${status}`);
    }
    const view = await conversation.call<PostView>('GET', `/api/v1/posts/${post.id}`);
    const approved = pages[0]?.totals.comments ?? 0;
    if (view.body.commentCount !== approved)
      fail(`post ${post.slug} counts ${view.body.commentCount} comments, its thread ${approved}`);
    const likers = conversation.postLikes.get(post.id)?.size ?? 0;
    if (view.body.likeCount !== likers)
      fail(`post ${post.slug} shows ${view.body.likeCount} likes, ${likers} were answered`);
  }

  // Notifications: in the app and by mail, each owed one once, nothing else.
  const expected = expectedNotifications(conversation);
  let inAppOwed = 0;
  let emailOwed = 0;
  let uncertain = 0;
  let interrupted = 0;
  let mails = 0;
  for (const person of conversation.people) {
    const inbox = person.kind === 'account' ? await inboxOf(conversation, person) : [];
    const inApp = new Map<string, NotificationView[]>();
    for (const item of inbox) {
      const key = `${person.key}|${subjectOf(item)}|${kindOf(item)}`;
      inApp.set(key, [...(inApp.get(key) ?? []), item]);
    }
    const mail = new Map<string, number>();
    const received = conversation.mailsTo(person.email);
    const confirmations = received.filter((m) =>
      /confirm your subscription/i.test(m.headers.subject ?? ''),
    );
    const verifications = received.filter((m) =>
      /confirm your email/i.test(m.headers.subject ?? ''),
    );
    for (const m of received) {
      if (confirmations.includes(m) || verifications.includes(m)) continue;
      const subject = subjectOfMail(conversation, m);
      if (!subject) {
        fail(`${person.key} got a mail that is about nothing known: ${m.headers.subject}`);
        continue;
      }
      mails += 1;
      const key = `${person.key}|${subject}|${kindOfMail(m, subject)}`;
      mail.set(key, (mail.get(key) ?? 0) + 1);
    }
    if (person.kind === 'account' && verifications.length !== 1)
      fail(`${person.key} got ${verifications.length} verification mails`);
    if (person.kind === 'guest') {
      const asked = conversation.comments.some((c) => c.author === person && c.created !== null);
      const most = options.notificationsCrashed ? 2 : 1;
      if (asked && (confirmations.length < 1 || confirmations.length > most))
        fail(`${person.key} got ${confirmations.length} confirmation mails`);
      if (!asked && confirmations.length > 1)
        fail(`${person.key} got ${confirmations.length} confirmation mails`);
    }

    const keys = new Set([
      ...[...expected.keys()].filter((k) => k.startsWith(`${person.key}|`)),
      ...inApp.keys(),
      ...mail.keys(),
    ]);
    for (const key of keys) {
      const e = expected.get(key);
      const inAppDue: Due = e?.inApp ?? 'none';
      const emailDue: Due = e?.email ?? 'none';
      if (inAppDue === 'owed') inAppOwed += 1;
      if (emailDue === 'owed') emailOwed += 1;
      if (inAppDue === 'maybe' || emailDue === 'maybe') uncertain += 1;
      const items = inApp.get(key) ?? [];
      if (!fits(items.length, inAppDue))
        fail(`${key}: ${items.length} in the inbox, expected ${describeDue(inAppDue)}`);
      for (const item of items)
        if (e && !e.reasons.has(item.reason))
          fail(`${key}: reason ${item.reason}, expected one of ${[...e.reasons].join(', ')}`);
      const sent = mail.get(key) ?? 0;
      if (fits(sent, emailDue)) continue;
      const why =
        person.kind === 'account' && items[0]
          ? await conversation.call<NotificationWhy>(
              'GET',
              `/api/v1/notifications/${items[0].id}/why`,
              undefined,
              person.token,
            )
          : undefined;
      const ledger = why?.body.channels?.find((c) => c.channel === 'email');
      if (
        sent === 0 &&
        emailDue === 'owed' &&
        options.notificationsCrashed &&
        ledger?.state === 'failed' &&
        /not sent again/.test(ledger.reason ?? '')
      ) {
        interrupted += 1;
        continue;
      }
      fail(
        `${key}: ${sent} mails, expected ${describeDue(emailDue)}` +
          (ledger
            ? ` (ledger: ${ledger.state} after ${ledger.attempts} attempts at ${ledger.updatedAt}${ledger.reason ? `, ${ledger.reason}` : ''})`
            : ` (no ledger: ${why?.status ?? 'no inbox item'})`),
      );
    }
  }

  const answered = conversation.comments.filter((c) => c.created !== null);
  const unanswered = conversation.comments.filter((c) => c.created === null);
  return {
    failures,
    counts: {
      commentsAnswered: answered.length,
      commentsUnanswered: unanswered.length,
      unansweredCreated: unanswered.filter((c) => c.id !== null).length,
      approvals: conversation.comments.filter((c) => c.approval?.done != null).length,
      likes:
        [...conversation.commentLikes.values()].reduce((n, s) => n + s.size, 0) +
        [...conversation.postLikes.values()].reduce((n, s) => n + s.size, 0),
      subscriptions: conversation.subscriptions.length,
      posts: conversation.posts.length,
      inAppOwed,
      emailOwed,
      uncertain,
      interrupted,
      mails,
    },
  };
}

/** Objects with their keys in one order, so that documents compare whatever order a store kept. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

function projectionsOf(app: App): readonly Projection[] {
  return app === 'gateway' ? [ACCOUNTS_DIRECTORY] : definitionOf(app).projections;
}

/**
 * Rebuilds every read model of every service from the topics into a scratch database and
 * compares it, document by document, with the live one. Call it when the platform is quiet.
 */
export async function rebuiltReadModelsDiffer(
  stack: FaultStack,
): Promise<{ rebuilt: number; differences: string[] }> {
  const differences: string[] = [];
  let rebuilt = 0;
  const kafka = new Kafka({
    clientId: 'fault-rebuild',
    brokers: stack.options.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const bus = new KafkaMessageBus(kafka, {
    consumerMaxWaitMs: 20,
    groupPrefix: `${stack.options.topicPrefix}.rebuild`,
  });
  try {
    // Each app's read models at once: a rebuild's time goes mostly to joining its consumer group.
    await Promise.all(
      (['gateway', 'posts', 'comments', 'notifications'] as const).map(async (app) => {
        const live = await connectMongo(stack.mongoUri(app));
        const scratch = await connectMongo(stack.options.mongoUri(`faults_rebuild_${app}`));
        try {
          const liveStore = new MongoDocumentStore(live);
          const scratchStore = new MongoDocumentStore(scratch);
          for (const projection of projectionsOf(app)) {
            const generation = await new ProjectionGenerations(liveStore).current(projection.name);
            const result = await rebuildProjection({
              service: app,
              projection,
              bus,
              store: scratchStore,
              topicName: (key) => stack.topic(key),
              // The service's own keys open the personal data its events carry sealed, and
              // the gateway's internal listener an account's, as for the service itself.
              context: {
                personKeys: new MongoPersonKeyStore(live),
                personalData: accountDataOpener({
                  service: app,
                  caller: { accountId: `fault-rebuild-${app}`, displayName: app, roles: ['admin'] },
                  identityUrl: stack.identityUrl,
                }),
              },
            });
            rebuilt += 1;
            for (const logical of Object.keys(projection.collections)) {
              const before = await liveStore
                .collection(`${logical}_g${generation}`)
                .find({}, { sort: { _id: 1 } });
              const after = await scratchStore
                .collection(`${logical}_g${result.generation}`)
                .find({}, { sort: { _id: 1 } });
              const where = `${app} ${projection.name}.${logical}`;
              if (before.length !== after.length)
                differences.push(
                  `${where}: ${before.length} live documents, ${after.length} rebuilt`,
                );
              const rebuiltById = new Map(after.map((d) => [d._id, d]));
              for (const doc of before) {
                const a = JSON.stringify(canonical(doc));
                const b = JSON.stringify(canonical(rebuiltById.get(doc._id)));
                if (a !== b && differences.length < 20)
                  differences.push(`${where} ${doc._id}:\n  live    ${a}\n  rebuilt ${b}`);
              }
            }
          }
        } finally {
          await live.close();
          await scratch.dropDatabase().catch(() => undefined);
          await scratch.close();
        }
      }),
    );
  } finally {
    await bus.close();
  }
  return { rebuilt, differences };
}

/** Waits for the conversation's checks to pass (the platform catches up), then returns the last findings. */
export async function settle(
  stack: FaultStack,
  conversation: Conversation,
  smtp: MailCatcher,
  options: InvariantOptions & { timeoutMs?: number } = {},
): Promise<Findings> {
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  for (;;) {
    await stack.quiesce(Math.max(5_000, deadline - Date.now()));
    // Nothing may be left in a dead-letter topic: the faults are over, every message could be handled.
    const dead = await stack.deadLettered();
    // A read the platform cannot answer yet (a 504 while a restarted server's connections
    // come back) is a finding like any other: it must pass before the deadline.
    const findings = await checkConversation(conversation, smtp, options).catch(
      (error: unknown): Findings => ({
        failures: [`could not read the platform's state: ${String(error)}`],
        counts: emptyCounts(),
      }),
    );
    findings.failures.push(
      ...dead.map((d) => `dead-lettered by ${d.group}: ${d.type} ${d.subject}: ${d.error}`),
    );
    if (findings.failures.length === 0 || Date.now() > deadline) return findings;
    await sleep(2_000);
  }
}
