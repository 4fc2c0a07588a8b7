import type {
  PostCommentResponse,
  PostView,
  SubscriptionList,
  ThreadPage,
  TokensResponse,
} from '@parley/contracts';
import { type CaughtMail, type MailCatcher, eventually, sleep } from '@parley/testing';
import { PUBLIC_BASE_URL } from './fault-stack';

/** No answer, a retry while the first try still runs (409), or a server's failure. */
const retriable = (status: number) => status === 0 || status === 409 || status >= 500;

const PASSWORD = 'correct horse battery staple';
/** The blog's hold word: a reader's comment that says it waits for a moderator. */
export const HOLD_WORD = 'holdme';

/** An answer, or status 0 when none came (refused connection, reset, timeout). */
export interface Reply<T> {
  status: number;
  body: T;
}

/** Requests the conversation made, by outcome. */
export interface RequestCounts {
  total: number;
  ok: number;
  clientError: number;
  serverError: number;
  noAnswer: number;
}

export interface Account {
  kind: 'account';
  key: string;
  name: string;
  email: string;
  id: string;
  token: string;
}

export interface Guest {
  kind: 'guest';
  key: string;
  name: string;
  email: string;
  /** When the confirmation link was first followed, and when it answered 200. */
  confirm: { first: number; done: number | null } | null;
  /**
   * When the driver saw a reply notification mailed to the guest: from then on the guest's
   * reply subscription is certainly in the policy's read model.
   */
  subscriptionSeen: number | null;
}

export type Person = Account | Guest;

export interface PostRecord {
  id: string;
  slug: string;
  author: Account;
  /** The first publish request, and the one answered 200. */
  publish: { first: number; done: number | null };
  open: boolean;
}

export interface CommentRecord {
  /** Unique text: how an attempt without an answer is recognised in the thread. */
  body: string;
  post: PostRecord;
  parent: CommentRecord | null;
  author: Person;
  /** Known from the 201, or found in the thread by its body at the end. */
  id: string | null;
  /** Status in the 201; for attempts without an answer, what the thread shows at the end. */
  status: 'approved' | 'pending' | 'spam' | null;
  /** Sequence number when the request went out, and when its 201 came (null: no certain answer). */
  sent: number;
  created: number | null;
  approval: { first: number; done: number | null } | null;
}

export interface SubscriptionRecord {
  who: Account;
  kind: 'post' | 'branch' | 'blog';
  targetId: string | null;
  first: number;
  created: number | null;
  /** When GET /subscriptions (the policy's read model) first showed it active. */
  visible: number | null;
}

interface Job {
  /** What it is about, for a report of unfinished work. */
  label: string;
  run(): Promise<'done' | 'again' | 'idle'>;
}

/** A small deterministic generator, so a failing run can be told apart from another. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PHRASES = [
  'The ending got me too.',
  'I read this twice and still disagree, politely.',
  'Which edition are you quoting?',
  'The score carries the whole second act.',
  'Thanks, this made my Monday.',
  'Hard agree on the casting.',
  'Has anyone seen the director’s cut?',
  'I think the book handles it better.',
];

export interface ConversationOptions {
  /** The gateway's address; asked for at every request, so it may change. */
  url: () => string;
  smtp: MailCatcher;
  seed: number;
  /** Milliseconds between the starts of two steps of the conversation. */
  stepMs?: number;
}

/**
 * Drives a blog's conversation through the public API of the gateway and remembers what it
 * was told: which comments got a 201 (and which requests got no answer), approvals, likes,
 * subscriptions and when each became visible, in the order things happened (a sequence
 * number), so the invariants can tell what the notification policy owes to whom.
 */
export class Conversation {
  readonly requests: RequestCounts = {
    total: 0,
    ok: 0,
    clientError: 0,
    serverError: 0,
    noAnswer: 0,
  };
  readonly accounts: Account[] = [];
  readonly guests: Guest[] = [];
  readonly posts: PostRecord[] = [];
  readonly comments: CommentRecord[] = [];
  readonly subscriptions: SubscriptionRecord[] = [];
  /** Likes answered 200, per comment id and per post id: the account keys. */
  readonly commentLikes = new Map<string, Set<string>>();
  readonly postLikes = new Map<string, Set<string>>();
  /** Answers that no fault explains (a 4xx to a request that is valid): reported as failures. */
  readonly surprises: string[] = [];
  readonly tag = Date.now().toString(36);

  private seq = 0;
  private readonly jobs: Job[] = [];
  private readonly rng: () => number;
  private running: Promise<void> | undefined;
  private stopping = false;
  private stoppedAt: number | null = null;
  private counter = 0;

  admin!: Account;
  author!: Account;
  /** Pat follows the posts' comments; Kim the blog's new posts; Sam and Rui follow branches. */
  pat!: Account;
  rui!: Account;
  sam!: Account;
  kim!: Account;

  constructor(private readonly options: ConversationOptions) {
    this.rng = random(options.seed);
  }

  /** The order of things: every request's start and answer gets the next number. */
  now(): number {
    this.seq += 1;
    return this.seq;
  }

  /**
   * How long a request waits for its answer before it counts as unanswered: 10 s once the
   * faults may come, longer while the cast is set up (on a loaded machine the first requests
   * after the services start took more than 10 s).
   */
  private answerWithinMs = 60_000;

  get readers(): Account[] {
    return [this.pat, this.rui, this.sam, this.kim];
  }

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    timeoutMs = this.answerWithinMs,
    idempotencyKey?: string,
  ): Promise<Reply<T>> {
    this.requests.total += 1;
    try {
      const response = await fetch(`${this.options.url()}${path}`, {
        method,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          accept: 'application/json',
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      if (response.status < 400) this.requests.ok += 1;
      else if (response.status < 500) this.requests.clientError += 1;
      else this.requests.serverError += 1;
      let parsed: unknown = text;
      if (response.headers.get('content-type')?.includes('json') && text) parsed = JSON.parse(text);
      return { status: response.status, body: parsed as T };
    } catch {
      this.requests.noAnswer += 1;
      return { status: 0, body: undefined as T };
    }
  }

  /** A request that must succeed (the cast is set up before any fault). */
  private async must<T>(
    expected: number,
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<T> {
    const reply = await this.call<T>(method, path, body, token);
    if (reply.status !== expected)
      throw new Error(
        `${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)} (expected ${expected})`,
      );
    return reply.body;
  }

  // The cast, before any fault: accounts with verified addresses, the settings, a first post
  // and subscriptions, and a first exchange that proves every account is mailed.

  async setUp(): Promise<void> {
    this.admin = await this.register('boots', 'Boots');
    this.author = await this.register('alice', 'Alice');
    this.pat = await this.register('pat', 'Pat');
    this.rui = await this.register('rui', 'Rui');
    this.sam = await this.register('sam', 'Sam');
    this.kim = await this.register('kim', 'Kim');
    for (const account of this.accounts) await this.verify(account);

    await this.must(
      200,
      'PUT',
      `/api/v1/accounts/${this.author.id}/roles`,
      { roles: ['reader', 'author'] },
      this.admin.token,
    );
    this.author.token = (
      await this.must<TokensResponse>(200, 'POST', '/api/v1/auth/login', {
        email: this.author.email,
        password: PASSWORD,
      })
    ).accessToken;
    await this.must(
      200,
      'PUT',
      '/api/v1/settings/comments',
      { floodSeconds: 0, holdWords: [HOLD_WORD], commentsPerPage: 500, threadDepth: 5 },
      this.admin.token,
    );

    await this.subscribe(this.kim, 'blog', null);
    await this.untilDone();
    const first = await this.publishPost();
    await this.untilDone();
    if (!first?.open) throw new Error('the first post did not open for comments');

    // Every account is mailed once before the faults: the notifications service knows them all.
    const opening = await this.comment(this.admin, first, null);
    if (!opening?.id) throw new Error('the opening comment was not posted');
    for (const reader of this.readers) {
      const reply = await this.comment(reader, first, opening);
      if (reply?.id) await this.comment(this.author, first, reply);
    }
    await eventually(
      () =>
        this.accounts.every((a) => this.mailsTo(a.email).some((m) => /Read it:/.test(m.text)))
          ? true
          : undefined,
      { timeoutMs: 90_000, intervalMs: 200, message: 'every account to get a notification mail' },
    );
    this.answerWithinMs = 10_000;
  }

  private async register(handle: string, name: string): Promise<Account> {
    const email = `${handle}.${this.tag}@example.com`;
    const tokens = await this.must<TokensResponse>(201, 'POST', '/api/v1/auth/register', {
      email,
      password: PASSWORD,
      displayName: name,
    });
    const account: Account = {
      kind: 'account',
      key: handle,
      name,
      email,
      id: tokens.account.id,
      token: tokens.accessToken,
    };
    this.accounts.push(account);
    return account;
  }

  private async verify(account: Account): Promise<void> {
    const mail = await eventually(
      () =>
        this.mailsTo(account.email).find((m) =>
          /confirm your email/i.test(m.headers.subject ?? ''),
        ),
      { timeoutMs: 60_000, message: `the verification mail to ${account.key}` },
    );
    await this.must(303, 'GET', linkIn(mail.text, '/api/v1/auth/verify-email?token='));
  }

  mailsTo(address: string): CaughtMail[] {
    return this.options.smtp.to(address);
  }

  // The steady conversation.

  start(): void {
    this.stopping = false;
    this.stoppedAt = null;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    this.stoppedAt ??= Date.now();
  }

  /** Finishes what was started (approvals, likes, confirmations, subscriptions) once the faults are over. */
  async untilDone(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.jobs.length > 0) {
      if (Date.now() > deadline)
        throw new Error(
          `unfinished after ${timeoutMs} ms: ${this.jobs.map((j) => j.label).join('; ')}`,
        );
      const worked = await this.runJobs(this.jobs.length);
      if (!worked) await sleep(100);
    }
  }

  private async loop(): Promise<void> {
    const stepMs = this.options.stepMs ?? 250;
    while (!this.stopping) {
      const started = Date.now();
      this.noticeGuestMail();
      await this.runJobs(1);
      await this.step();
      await sleep(Math.max(0, stepMs - (Date.now() - started)));
    }
  }

  /** Runs pending work until `budget` requests were made or every job was looked at; true if any ran. */
  private async runJobs(budget: number): Promise<boolean> {
    let spent = 0;
    for (let looked = 0, n = this.jobs.length; looked < n && spent < budget; looked++) {
      const job = this.jobs.shift();
      if (!job) break;
      const outcome = await job.run();
      if (outcome !== 'idle') spent += 1;
      if (outcome !== 'done') this.jobs.push(job);
    }
    return spent > 0;
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items[Math.floor(this.rng() * items.length)];
  }

  private async step(): Promise<void> {
    const roll = this.rng();
    const open = this.posts.filter((p) => p.open);
    const post = this.pick(open);
    if (!post) return;
    const everyone = this.accounts;
    if (roll < 0.3) {
      const author = this.pick(everyone)!;
      const parent = this.rng() < 0.6 ? this.pick(this.visibleOn(post)) : undefined;
      await this.comment(author, post, parent ?? null);
    } else if (roll < 0.36) {
      await this.comment(this.pick(this.readers)!, post, null, { held: true });
    } else if (roll < 0.41) {
      if (this.guests.length < 8) await this.guestComment(post);
    } else if (roll < 0.56) {
      const target = this.pick(this.comments.filter((c) => c.id && this.isVisible(c)));
      if (target?.id) await this.likeComment(this.pick(everyone)!, target.id);
    } else if (roll < 0.6) {
      await this.likePost(this.pick(everyone)!, post);
    } else if (roll < 0.63) {
      const follower = this.pick([this.sam, this.rui])!;
      const branch = this.pick(this.visibleOn(post).filter((c) => c.parent === null));
      if (branch?.id && this.subscriptions.filter((s) => s.kind === 'branch').length < 6)
        await this.subscribe(follower, 'branch', branch.id);
    } else if (roll < 0.65) {
      if (this.posts.length < 4 && this.seq - (this.posts.at(-1)?.publish.first ?? 0) > 150)
        await this.publishPost();
    } else {
      await this.call<ThreadPage>('GET', `/api/v1/posts/${post.id}/comments`);
    }
  }

  visibleOn(post: PostRecord): CommentRecord[] {
    return this.comments.filter((c) => c.post === post && c.id !== null && this.isVisible(c));
  }

  /** Approved at posting, or by a moderator whose decision was answered. */
  isVisible(comment: CommentRecord): boolean {
    return comment.status === 'approved' || comment.approval?.done != null;
  }

  private nextBody(held = false): string {
    this.counter += 1;
    const phrase = PHRASES[this.counter % PHRASES.length];
    return `[${this.tag}-${this.counter}] ${phrase}${held ? ` ${HOLD_WORD}` : ''}`;
  }

  async comment(
    author: Account,
    post: PostRecord,
    parent: CommentRecord | null,
    options: { held?: boolean } = {},
  ): Promise<CommentRecord | undefined> {
    return this.postComment(author, post, parent, {
      body: this.nextBody(options.held),
      ...(parent?.id ? { parentId: parent.id } : {}),
    });
  }

  /** A new guest comments (and asks to hear of replies) on one of the open posts. */
  async guestJoins(): Promise<void> {
    const post = this.pick(this.posts.filter((p) => p.open));
    if (post) await this.guestComment(post);
  }

  private async guestComment(post: PostRecord): Promise<void> {
    const n = this.guests.length + 1;
    const guest: Guest = {
      kind: 'guest',
      key: `guest${n}`,
      name: `Guest ${n}`,
      email: `guest${n}.${this.tag}@example.net`,
      confirm: null,
      subscriptionSeen: null,
    };
    this.guests.push(guest);
    const parent = this.rng() < 0.5 ? this.pick(this.visibleOn(post)) : undefined;
    const record = await this.postComment(guest, post, parent ?? null, {
      body: this.nextBody(),
      ...(parent?.id ? { parentId: parent.id } : {}),
      author: { name: guest.name, email: guest.email },
      notify: 'replies',
    });
    // Whether or not it was answered, a confirmation mail may come: the guest follows it.
    if (record) this.jobs.push(this.confirmJob(guest));
  }

  private async postComment(
    author: Person,
    post: PostRecord,
    parent: CommentRecord | null,
    request: Record<string, unknown>,
  ): Promise<CommentRecord | undefined> {
    const record: CommentRecord = {
      body: request.body as string,
      post,
      parent,
      author,
      id: null,
      status: null,
      sent: this.now(),
      created: null,
      approval: null,
    };
    const reply = await this.call<PostCommentResponse>(
      'POST',
      `/api/v1/posts/${post.id}/comments`,
      request,
      author.kind === 'account' ? author.token : undefined,
    );
    if (reply.status === 201) {
      record.id = reply.body.id;
      record.status = reply.body.status;
      record.created = this.now();
      this.comments.push(record);
      if (record.status === 'pending') this.jobs.push(this.approveJob(record));
      return record;
    }
    if (reply.status === 0 || reply.status >= 500) {
      // No answer: it may exist. The thread tells at the end.
      this.comments.push(record);
      return record;
    }
    this.surprise(`comment refused: ${reply.status} ${JSON.stringify(reply.body)}`);
    return undefined;
  }

  private surprise(what: string): void {
    if (this.surprises.length < 20) this.surprises.push(what);
  }

  /** A moderator approves a held comment a few steps after it came in, and until answered. */
  private approveJob(record: CommentRecord): Job {
    const after = this.seq + 12;
    return {
      label: `approval of ${record.id}`,
      run: async () => {
        if ((!this.stopping && this.seq < after) || !record.id) return 'idle';
        record.approval ??= { first: this.now(), done: null };
        const reply = await this.call(
          'POST',
          `/api/v1/comments/${record.id}/moderation`,
          { status: 'approved' },
          this.admin.token,
        );
        if (reply.status === 200) {
          record.approval.done = this.now();
          return 'done';
        }
        if (reply.status !== 0 && reply.status < 500) {
          this.surprise(`approval refused: ${reply.status} ${JSON.stringify(reply.body)}`);
          return 'done';
        }
        return 'again';
      },
    };
  }

  /** The guest follows the link of the confirmation mail once it is there. */
  private confirmJob(guest: Guest): Job {
    return {
      label: `confirmation by ${guest.key}`,
      run: async () => {
        const mail = this.mailsTo(guest.email).find((m) =>
          m.text.includes('/api/v1/subscriptions/confirm?token='),
        );
        if (!mail) {
          // A request without an answer may not have created the comment: no mail to wait
          // for. Otherwise, 15 s after the conversation ended, the invariants tell.
          const answered = this.comments.some((c) => c.author === guest && c.created !== null);
          const waited = this.stoppedAt === null ? 0 : Date.now() - this.stoppedAt;
          return this.stoppedAt !== null && (!answered || waited > 15_000) ? 'done' : 'idle';
        }
        guest.confirm ??= { first: this.now(), done: null };
        const reply = await this.call(
          'GET',
          linkIn(mail.text, '/api/v1/subscriptions/confirm?token='),
        );
        if (reply.status === 200) {
          guest.confirm.done = this.now();
          return 'done';
        }
        if (reply.status !== 0 && reply.status < 500) {
          this.surprise(`confirmation refused: ${reply.status} ${JSON.stringify(reply.body)}`);
          return 'done';
        }
        return 'again';
      },
    };
  }

  /** A reply mailed to a guest proves the guest's reply subscription is in the read model. */
  private noticeGuestMail(): void {
    for (const guest of this.guests) {
      if (guest.subscriptionSeen !== null) continue;
      if (this.mailsTo(guest.email).some((m) => /replied to your comment/.test(m.text)))
        guest.subscriptionSeen = this.now();
    }
  }

  private async likeComment(who: Account, commentId: string): Promise<void> {
    const job: Job = {
      label: `like of ${commentId} by ${who.key}`,
      run: async () => {
        const reply = await this.call(
          'PUT',
          `/api/v1/comments/${commentId}/like`,
          undefined,
          who.token,
        );
        if (reply.status === 200) {
          const likers = this.commentLikes.get(commentId) ?? new Set<string>();
          likers.add(who.key);
          this.commentLikes.set(commentId, likers);
          return 'done';
        }
        if (reply.status !== 0 && reply.status < 500) {
          this.surprise(`comment like refused: ${reply.status} ${JSON.stringify(reply.body)}`);
          return 'done';
        }
        return 'again';
      },
    };
    // Liking is idempotent: a like without an answer is tried again until answered.
    if ((await job.run()) === 'again') this.jobs.push(job);
  }

  private async likePost(who: Account, post: PostRecord): Promise<void> {
    const job: Job = {
      label: `like of ${post.slug} by ${who.key}`,
      run: async () => {
        const reply = await this.call('PUT', `/api/v1/posts/${post.id}/like`, undefined, who.token);
        if (reply.status === 200) {
          const likers = this.postLikes.get(post.id) ?? new Set<string>();
          likers.add(who.key);
          this.postLikes.set(post.id, likers);
          return 'done';
        }
        if (reply.status !== 0 && reply.status < 500) {
          this.surprise(`post like refused: ${reply.status} ${JSON.stringify(reply.body)}`);
          return 'done';
        }
        return 'again';
      },
    };
    if ((await job.run()) === 'again') this.jobs.push(job);
  }

  /** Subscribes (again until answered: the same subscription), then watches for it in the read model. */
  async subscribe(
    who: Account,
    kind: SubscriptionRecord['kind'],
    targetId: string | null,
  ): Promise<void> {
    const record: SubscriptionRecord = {
      who,
      kind,
      targetId,
      first: this.now(),
      created: null,
      visible: null,
    };
    this.subscriptions.push(record);
    const job: Job = {
      label: `${kind} subscription of ${who.key} to ${targetId}`,
      run: async () => {
        if (record.created === null) {
          const reply = await this.call(
            'POST',
            '/api/v1/subscriptions',
            { kind, ...(targetId ? { targetId } : {}) },
            who.token,
          );
          if (reply.status === 201) record.created = this.now();
          else if (reply.status !== 0 && reply.status < 500) {
            this.surprise(`subscription refused: ${reply.status} ${JSON.stringify(reply.body)}`);
            return 'done';
          }
          return 'again';
        }
        const list = await this.call<SubscriptionList>(
          'GET',
          '/api/v1/subscriptions',
          undefined,
          who.token,
        );
        if (
          list.status === 200 &&
          list.body.items.some(
            (s) => s.kind === kind && s.targetId === targetId && s.status === 'active',
          )
        ) {
          record.visible = this.now();
          return 'done';
        }
        return 'again';
      },
    };
    if ((await job.run()) !== 'done') this.jobs.push(job);
  }

  /** The author writes and publishes a post; Pat follows its comments; it opens for comments. */
  async publishPost(): Promise<PostRecord | undefined> {
    const n = this.posts.length + 1;
    // Tried again under one key as an author's client would: a post the store was slow to
    // write is answered once, never written twice.
    const create = () =>
      this.call<PostView>(
        'POST',
        '/api/v1/posts',
        { title: `Movie Quote Monday ${n} (${this.tag})`, body: `Quote number ${n}.` },
        this.author.token,
        this.answerWithinMs,
        `post-${this.tag}-${n}`,
      );
    let created = await create();
    for (let attempt = 1; attempt < 4 && retriable(created.status); attempt++) {
      await sleep(1_000);
      created = await create();
    }
    if (created.status !== 201) {
      if (created.status !== 0 && created.status < 500)
        this.surprise(`post refused: ${created.status} ${JSON.stringify(created.body)}`);
      return undefined;
    }
    const post: PostRecord = {
      id: created.body.id,
      slug: created.body.slug,
      author: this.author,
      publish: { first: this.now(), done: null },
      open: false,
    };
    this.posts.push(post);
    const publish: Job = {
      label: `publication of ${post.slug}`,
      run: async () => {
        if (post.publish.done === null) {
          const reply = await this.call(
            'POST',
            `/api/v1/posts/${post.id}/publish`,
            undefined,
            this.author.token,
          );
          if (reply.status === 200) {
            post.publish.done = this.now();
            await this.subscribe(this.pat, 'post', post.id);
          } else if (reply.status !== 0 && reply.status < 500) {
            this.surprise(`publish refused: ${reply.status} ${JSON.stringify(reply.body)}`);
            return 'done';
          }
          return 'again';
        }
        const thread = await this.call<ThreadPage>('GET', `/api/v1/posts/${post.id}/comments`);
        if (thread.status === 200 && thread.body.commentsOpen) {
          post.open = true;
          return 'done';
        }
        return 'again';
      },
    };
    if ((await publish.run()) !== 'done') this.jobs.push(publish);
    return post;
  }

  /** Everyone the conversation mailed or might have: accounts and guests. */
  get people(): Person[] {
    return [...this.accounts, ...this.guests];
  }

  postBySlug(slug: string): PostRecord | undefined {
    return this.posts.find((p) => p.slug === slug);
  }
}

/** A link from a mail, as a path on the gateway. */
export function linkIn(text: string, path: string): string {
  const found = new RegExp(`${PUBLIC_BASE_URL}(${path.replace(/\?/g, '\\?')}[^\\s"<>]+)`).exec(
    text,
  )?.[1];
  if (!found) throw new Error(`no ${path} link in:\n${text}`);
  return found;
}
