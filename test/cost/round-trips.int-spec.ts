import { randomUUID } from 'node:crypto';
import type {
  InboxResponse,
  PostCommentResponse,
  PostView,
  ThreadPage,
  TokensResponse,
} from '@parley/contracts';
import type { DatabaseCommand } from '@parley/platform';
import {
  type JsonAnswer,
  MailCatcher,
  callJson,
  describeInfra,
  eventually,
  sleep,
} from '@parley/testing';
import { type ParleyStack, type ServiceName, startParleyStack } from '../e2e/stack';

const PASSWORD = 'correct horse battery staple';
const SERVICES: ServiceName[] = ['gateway', 'posts', 'comments', 'notifications'];

/**
 * A comment's round trips in each service until every view and policy has it: the figures
 * measured, with a little room where they vary from run to run (the relay's marks in comments,
 * its lease and marks in notifications).
 */
const SETTLED_BOUND: Record<'posts' | 'comments' | 'notifications', number> = {
  posts: 9,
  comments: 18,
  notifications: 22,
};
const REPLY_NOTIFICATIONS_BOUND = 23;
const REPLY_TOTAL_BOUND = 60;

/** With SHOW_ROUND_TRIPS=1 each operation prints its figures and where they go. */
function report(operation: string, figures: Record<string, number>, trips: Trips): void {
  if (!process.env.SHOW_ROUND_TRIPS) return;
  process.stdout.write(
    `${operation}: ${JSON.stringify(figures)}\n${JSON.stringify(trips.byCommand, null, 1)}\n`,
  );
}

/** Round trips of one operation: per service, and by `service: command collection`. */
interface Trips {
  total: number;
  byService: Record<ServiceName, number>;
  byCommand: Record<string, number>;
}

/**
 * How many database round trips each reader- and writer-facing operation costs on the
 * distributed stack, counted by the driver's command monitoring and attributed to the
 * operation by the correlation id that follows it through HTTP calls, Kafka and consumers.
 */
describeInfra('database round trips per operation (Kafka and the Mongo-compatible server)', () => {
  let parley: ParleyStack;
  const smtp = new MailCatcher();
  let admin: TokensResponse;
  let amy: TokensResponse;
  let ben: TokensResponse;
  let post: PostView;

  /** A call of the public API, tagged with a correlation id whose database commands are counted. */
  const call = <T>(
    method: string,
    path: string,
    { correlationId, ...options }: { body?: unknown; token?: string; correlationId?: string } = {},
  ): Promise<JsonAnswer<T>> =>
    callJson<T>(parley.url, method, path, {
      ...options,
      ...(correlationId ? { headers: { 'x-correlation-id': correlationId } } : {}),
    });

  function commandsOf(service: ServiceName, correlationId: string): DatabaseCommand[] {
    const monitor = parley.services?.[service].infra.databaseCommands;
    if (!monitor) throw new Error(`${service} counts no database commands`);
    return monitor.commandsFor(correlationId);
  }

  function tripsOf(correlationId: string): Trips {
    const trips: Trips = {
      total: 0,
      byService: { gateway: 0, posts: 0, comments: 0, notifications: 0 },
      byCommand: {},
    };
    for (const service of SERVICES) {
      for (const command of commandsOf(service, correlationId)) {
        trips.total += 1;
        trips.byService[service] += 1;
        const key = `${service}: ${command.command} ${command.collection}`;
        trips.byCommand[key] = (trips.byCommand[key] ?? 0) + 1;
      }
    }
    return trips;
  }

  /** The round trips of an operation once no service has sent one for it in a while. */
  async function settledTrips(correlationId: string): Promise<Trips> {
    let last = tripsOf(correlationId).total;
    let quietSince = Date.now();
    const deadline = Date.now() + 20_000;
    while (Date.now() - quietSince < 2_000 && Date.now() < deadline) {
      await sleep(200);
      const now = tripsOf(correlationId).total;
      if (now !== last) {
        last = now;
        quietSince = Date.now();
      }
    }
    return tripsOf(correlationId);
  }

  const operationId = (label: string) => `roundtrips-${label}-${randomUUID()}`;

  async function register(email: string, displayName: string): Promise<TokensResponse> {
    const created = await call<TokensResponse>('POST', '/api/v1/auth/register', {
      body: { email, password: PASSWORD, displayName },
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  beforeAll(async () => {
    await smtp.start();
    parley = await startParleyStack('distributed', { smtpUrl: smtp.url });
    for (const service of SERVICES)
      parley.services?.[service].infra.databaseCommands?.startRecording();
    admin = await register('boots@blog.example', 'Boots');
    amy = await register('amy@example.com', 'Amy');
    ben = await register('ben@example.com', 'Ben');
    const draft = await call<PostView>('POST', '/api/v1/posts', {
      body: { title: 'Round trips', body: 'What each **operation** costs.' },
      token: admin.accessToken,
    });
    expect(draft.status).toBe(201);
    expect(
      (await call('POST', `/api/v1/posts/${draft.body.id}/publish`, { token: admin.accessToken }))
        .status,
    ).toBe(200);
    post = await eventually(async () => {
      const found = await call<PostView>('GET', `/api/v1/posts/${draft.body.slug}`);
      return found.status === 200 ? found.body : undefined;
    });
    await eventually(async () => {
      const thread = await call<ThreadPage>('GET', `/api/v1/posts/${post.id}/comments`);
      return thread.status === 200 && thread.body.commentsOpen ? true : undefined;
    });
  });

  afterAll(async () => {
    await parley?.close();
    await smtp.stop();
  });

  it('posts a comment within its bounds: before the answer, and until every view has it', async () => {
    const id = operationId('comment');
    const posted = await call<PostCommentResponse>('POST', `/api/v1/posts/${post.id}/comments`, {
      body: { body: 'A first comment, counted.' },
      token: amy.accessToken,
      correlationId: id,
    });
    const beforeAnswer = tripsOf(id);
    expect(posted.status).toBe(201);
    const request = commandsOf('comments', id).filter((c) => c.causationId === undefined);
    const appended = request.findIndex((c) => c.command === 'insert' && c.collection === 'commits');
    expect(appended).toBeGreaterThanOrEqual(0);
    const total = await settledTrips(id);
    report(
      'POST a comment',
      {
        'decide and append': appended + 1,
        'read-your-writes wait': request.length - appended - 1,
        'before the answer (every service)': beforeAnswer.total,
        'until every view has it': total.total,
      },
      total,
    );
    // Target 3. Today: the post's status, the comment settings stream, four writer-history queries,
    // the writer's key of the day that seals the IP address and user agent, the append.
    expect(appended + 1).toBeLessThanOrEqual(8);
    // The answer waits for this process's thread projection to signal the comment, reading
    // nothing. The relay, woken by the append, works beside it and may have run by the time
    // the answer is read: marking the commit published (an update), a due scan of the outbox
    // (a find) and a renewal of its lease. Which of those land first is a matter of timing.
    const afterAppend = request.slice(appended + 1).map((c) => `${c.command} ${c.collection}`);
    const relayWork = new Set(['update commits', 'find commits', 'update lease_terms']);
    expect(afterAppend.filter((c) => !relayWork.has(c))).toEqual([]);
    expect(afterAppend.length).toBeLessThanOrEqual(relayWork.size);
    expect(total.byService.comments).toBeLessThanOrEqual(SETTLED_BOUND.comments);
    expect(total.byService.posts).toBeLessThanOrEqual(SETTLED_BOUND.posts);
    expect(total.byService.notifications).toBeLessThanOrEqual(SETTLED_BOUND.notifications);
    // The live feed names the comment's account from the names each gateway keeps in memory,
    // fed by the account events: no read.
    expect(total.byService.gateway).toBe(0);
  });

  it('reads a page of the thread within its bound, fewer when its answer is kept', async () => {
    const first = operationId('thread');
    expect(
      (await call('GET', `/api/v1/posts/${post.id}/comments`, { correlationId: first })).status,
    ).toBe(200);
    const made = tripsOf(first);
    // The comment settings are looked at once a second: of reads in a row, all but one within it.
    const keptReads = [];
    for (let read = 0; read < 3; read++) {
      const again = operationId(`thread-kept-${read}`);
      expect(
        (await call('GET', `/api/v1/posts/${post.id}/comments`, { correlationId: again })).status,
      ).toBe(200);
      keptReads.push(tripsOf(again));
    }
    const kept = keptReads.reduce((fewest, trips) => (trips.total < fewest.total ? trips : fewest));
    report('GET a thread page', { 'after a write': made.total, 'answer kept': kept.total }, made);
    // Target 2. Today a page after a write recounts and reassembles it from the comments.
    expect(made.total).toBeLessThanOrEqual(9);
    // The thread's version and the post's status.
    expect(kept.total).toBeLessThanOrEqual(2);
  });

  it('serves the reader page of a post within its bound', async () => {
    const id = operationId('page');
    const page = await call<string>('GET', `/posts/${post.slug}`, { correlationId: id });
    expect(page.status).toBe(200);
    expect(page.body).toContain('A first comment, counted.');
    const trips = tripsOf(id);
    report('GET the reader page', { 'thread answer kept': trips.total }, trips);
    // The post, its counters, its first likers, the blog settings stream; then the kept thread's
    // version and the post's status.
    expect(trips.total).toBeLessThanOrEqual(6);
  });

  it("takes a reply to its parent author's inbox within its bound", async () => {
    const parent = await call<PostCommentResponse>('POST', `/api/v1/posts/${post.id}/comments`, {
      body: { body: 'Tell me when someone answers.' },
      token: admin.accessToken,
    });
    expect(parent.status).toBe(201);
    await settledTrips(parent.body.id);
    const id = operationId('reply');
    const reply = await call<PostCommentResponse>('POST', `/api/v1/posts/${post.id}/comments`, {
      body: { body: 'An answer, Boots.', parentId: parent.body.id },
      token: ben.accessToken,
      correlationId: id,
    });
    expect(reply.status).toBe(201);
    await eventually(async () => {
      const inbox = await call<InboxResponse>('GET', '/api/v1/notifications', {
        token: admin.accessToken,
      });
      return inbox.body.items.some((n) => JSON.stringify(n).includes(reply.body.id))
        ? true
        : undefined;
    });
    const trips = await settledTrips(id);
    report(
      'a reply to the inbox',
      {
        notifications: trips.byService.notifications,
        'every service': trips.total,
      },
      trips,
    );
    expect(trips.byService.notifications).toBeLessThanOrEqual(REPLY_NOTIFICATIONS_BOUND);
    expect(trips.total).toBeLessThanOrEqual(REPLY_TOTAL_BOUND);
  });
});
