import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type PersonalDataExport,
  type PostCommentResponse,
  type PostView,
  type TokensResponse,
  personalDataExportSchema,
} from '@parley/contracts';
import {
  MailCatcher,
  describeInfra,
  eventually,
  runEntryPoint,
  testInfra,
  jsonCaller,
} from '@parley/testing';
import { TokenSigner } from '../../apps/gateway/src/identity/credentials';
import { PUBLIC_BASE_URL, registerAccount, stackForTests } from './stack';
import { type StandaloneProcess, startStandalone, stopStandalone } from './standalone-process';

/** What names a person: if any of these shows in another person's export, it leaked. */
const WADE = ['Wade Guest', 'wade@example.com', 'wade.example'];
const AMY = ['Amy Reader', 'amy@example.com'];
const BOOTS = ['Boots Admin', 'boots@blog.example'];

/** `npm run privacy -- <args>` on a data folder: the standalone entry point, as a process. */
const runPrivacy = (dataDir: string, args: string[]) =>
  runEntryPoint('standalone', ['privacy', ...args], {
    env: { DATA_DIR: dataDir, PUBLIC_BASE_URL, LOG_LEVEL: 'warn' },
  });

function expectNoneOf(document: unknown, words: readonly string[]): void {
  const text = JSON.stringify(document).toLowerCase();
  for (const word of words) expect(text).not.toContain(word.toLowerCase());
}

/**
 * A guest and an account comment, reply, like, subscribe and get mail on `npm start`'s Parley;
 * each downloads their data (the account logged in, the guest through a mailed link) and finds
 * exactly their own in it, and the operator prints the same with `npm run privacy -- export`.
 */
describe('the export of a person’s data (standalone)', () => {
  jest.setTimeout(180_000);
  const smtp = new MailCatcher();
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-personal-data-'));
  let parley: StandaloneProcess;
  const call = jsonCaller(() => parley.url);

  let admin: TokensResponse;
  let amy: TokensResponse;
  let post: PostView;
  let wadesComment: string;
  let amysReply: string;
  let wadesReply: string;

  /** A link from a mail, as a path on the gateway. */
  const linkIn = (text: string, path: string): string => {
    const found = new RegExp(`${PUBLIC_BASE_URL}(${path.replace(/\?/g, '\\?')}[^\\s"<>]+)`).exec(
      text,
    )?.[1];
    if (!found) throw new Error(`no ${path} link in:\n${text}`);
    return found;
  };

  const register = async (email: string, displayName: string) => {
    const created = await registerAccount(call, email, displayName);
    const mail = await eventually(() =>
      smtp.to(email).find((m) => /confirm your email/i.test(m.headers.subject ?? '')),
    );
    expect((await call('GET', linkIn(mail.text, '/api/v1/auth/verify-email?token='))).status).toBe(
      303,
    );
    return created;
  };

  const comment = async (body: unknown) => {
    const posted = await call<PostCommentResponse>(
      'POST',
      `/api/v1/posts/${post.id}/comments`,
      body,
    );
    expect(posted.status).toBe(201);
    return posted.body;
  };

  const approve = async (id: string) =>
    expect(
      (
        await call(
          'POST',
          `/api/v1/comments/${id}/moderation`,
          { status: 'approved' },
          admin.accessToken,
        )
      ).status,
    ).toBe(200);

  beforeAll(async () => {
    await smtp.start();
    parley = await startStandalone(dataDir, [], {
      SMTP_URL: smtp.url,
      PUBLIC_BASE_URL,
      RATE_LIMIT_WRITES_PER_MINUTE: '1000',
    });
  }, 180_000);

  afterAll(async () => {
    if (parley) await stopStandalone(parley.child);
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets a guest and an account comment, reply, like, subscribe and get mail', async () => {
    admin = await register('boots@blog.example', 'Boots Admin');
    amy = await register('amy@example.com', 'Amy Reader');
    expect(
      (await call('PUT', '/api/v1/settings/comments', { floodSeconds: 0 }, admin.accessToken))
        .status,
    ).toBe(200);
    const draft = await call<PostView>(
      'POST',
      '/api/v1/posts',
      { title: 'Her', body: 'A film by Spike Jonze.' },
      admin.accessToken,
    );
    expect(draft.status).toBe(201);
    expect(
      (await call('POST', `/api/v1/posts/${draft.body.id}/publish`, undefined, admin.accessToken))
        .status,
    ).toBe(200);
    post = (
      await eventually(async () => {
        const found = await call<PostView>('GET', `/api/v1/posts/${draft.body.slug}`);
        return found.status === 200 ? found : undefined;
      })
    ).body;

    const wade = await comment({
      body: 'What a film. I cried at the ending.',
      author: { name: 'Wade Guest', email: 'Wade@Example.com', url: 'https://wade.example' },
      notify: 'replies',
    });
    wadesComment = wade.id;
    const confirmation = await eventually(() =>
      smtp
        .to('wade@example.com')
        .find((m) => m.text.includes('/api/v1/subscriptions/confirm?token=')),
    );
    expect(
      (await call('GET', linkIn(confirmation.text, '/api/v1/subscriptions/confirm?token='))).status,
    ).toBeLessThan(400);
    await approve(wadesComment);

    const reply = await call<PostCommentResponse>(
      'POST',
      `/api/v1/posts/${post.id}/comments`,
      { body: 'So did I, twice.', parentId: wadesComment },
      amy.accessToken,
    );
    expect(reply.status).toBe(201);
    amysReply = reply.body.id;
    if (reply.body.status !== 'approved') await approve(amysReply);
    expect(
      (await call('PUT', `/api/v1/comments/${wadesComment}/like`, undefined, amy.accessToken))
        .status,
    ).toBeLessThan(300);
    expect(
      (await call('PUT', `/api/v1/posts/${post.id}/like`, undefined, amy.accessToken)).status,
    ).toBeLessThan(300);
    expect(
      (
        await call(
          'POST',
          '/api/v1/subscriptions',
          { kind: 'post', targetId: post.id },
          amy.accessToken,
        )
      ).status,
    ).toBeLessThan(300);

    const back = await comment({
      body: 'Twice! The letters scene gets me.',
      parentId: amysReply,
      author: { name: 'Wade Guest', email: 'wade@example.com', url: 'https://wade.example' },
    });
    wadesReply = back.id;
    if (back.status !== 'approved') await approve(wadesReply);

    // Each is told of the other's reply by mail.
    await eventually(() =>
      smtp.to('wade@example.com').find((m) => m.text.includes(`#comment-${amysReply}`)),
    );
    await eventually(() =>
      smtp.to('amy@example.com').find((m) => m.text.includes(`#comment-${wadesReply}`)),
    );
  });

  let amysExport: PersonalDataExport;

  it('gives the account, logged in, exactly its own data', async () => {
    expect((await call('GET', '/api/v1/me/personal-data')).status).toBe(401);
    const answer = await eventually(async () => {
      const got = await call<PersonalDataExport>(
        'GET',
        '/api/v1/me/personal-data',
        undefined,
        amy.accessToken,
      );
      return got.status === 200 && got.body.notifications.length > 0 ? got : undefined;
    });
    expect(answer.headers.get('content-disposition')).toMatch(
      /^attachment; filename="parley-personal-data-\d{4}-\d\d-\d\d\.json"$/,
    );
    amysExport = personalDataExportSchema.parse(answer.body);
    expect(amysExport.person).toEqual({ kind: 'account', accountId: amy.account.id });
    expect(amysExport.account).toMatchObject({
      email: 'amy@example.com',
      displayName: 'Amy Reader',
    });
    expect(amysExport.comments.map((c) => [c.id, c.body, c.link])).toEqual([
      [amysReply, 'So did I, twice.', `${PUBLIC_BASE_URL}/posts/${post.slug}#comment-${amysReply}`],
    ]);
    expect(amysExport.likes).toEqual([
      expect.objectContaining({ commentId: wadesComment, postId: post.id, postTitle: 'Her' }),
    ]);
    expect(amysExport.postLikes).toEqual([
      expect.objectContaining({ postId: post.id, link: `${PUBLIC_BASE_URL}/posts/${post.slug}` }),
    ]);
    expect(amysExport.subscriptions).toEqual([
      expect.objectContaining({ kind: 'post', targetId: post.id, active: true }),
    ]);
    const told = amysExport.notifications.find((n) => n.subject.commentId === wadesReply);
    expect(told).toMatchObject({ reason: 'reply' });
    expect(told?.deliveries.find((d) => d.channel === 'email')).toMatchObject({
      state: 'sent',
      attempts: 1,
    });
    expectNoneOf(amysExport, [...WADE, ...BOOTS]);
  });

  it('mails a guest a signed link that downloads exactly their data, and tells nobody whether an address is known', async () => {
    const unknown = await call('POST', '/api/v1/personal-data/requests', {
      email: 'nobody@example.com',
    });
    expect(unknown.status).toBe(202);
    const known = await call('POST', '/api/v1/personal-data/requests', {
      email: ' WADE@example.com ',
    });
    expect(known.status).toBe(202);
    expect(known.text).toBe(unknown.text);
    const mail = await eventually(() =>
      smtp.to('wade@example.com').find((m) => m.text.includes('/api/v1/personal-data?token=')),
    );
    expect(smtp.to('nobody@example.com')).toEqual([]);
    const link = linkIn(mail.text, '/api/v1/personal-data?token=');

    const answer = await call<PersonalDataExport>('GET', link);
    expect(answer.status).toBe(200);
    const wades = personalDataExportSchema.parse(answer.body);
    expect(wades.person).toEqual({ kind: 'guest', email: 'wade@example.com' });
    expect(wades.account).toBeNull();
    expect(wades.comments.map((c) => c.id).sort()).toEqual([wadesComment, wadesReply].sort());
    expect(wades.comments.every((c) => c.author.email === 'wade@example.com')).toBe(true);
    expect(wades.comments.find((c) => c.id === wadesReply)?.parentId).toBe(amysReply);
    expect(wades.likes).toEqual([]);
    expect(wades.postLikes).toEqual([]);
    expect(wades.subscriber).toMatchObject({
      kind: 'guest',
      email: 'wade@example.com',
      confirmed: true,
    });
    expect(wades.subscriptions).toEqual([expect.objectContaining({ kind: 'replies' })]);
    const told = wades.notifications.find((n) => n.subject.commentId === amysReply);
    expect(told?.deliveries.find((d) => d.channel === 'email')).toMatchObject({
      state: 'sent',
      attempts: 1,
    });
    expectNoneOf(wades, [...AMY, ...BOOTS]);
  });

  it('refuses a tampered or expired link with a problem', async () => {
    const mail = smtp
      .to('wade@example.com')
      .find((m) => m.text.includes('/api/v1/personal-data?token='));
    const token = decodeURIComponent(
      linkIn(mail?.text ?? '', '/api/v1/personal-data?token=').split('token=')[1] ?? '',
    );
    // The services' own route is not a public one, and the public one needs the link's token.
    for (const path of [
      '/v1/personal-data?email=wade%40example.com',
      '/api/v1/personal-data?email=wade%40example.com',
    ]) {
      const refused = await call('GET', path);
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.text).not.toContain('I cried at the ending');
    }
    // Another address in the payload, with the signature of the real one.
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const forged = Buffer.from(JSON.stringify({ ...claims, email: 'amy@example.com' })).toString(
      'base64url',
    );
    const tampered = await call(
      'GET',
      `/api/v1/personal-data?token=${encodeURIComponent(`${header}.${forged}.${signature}`)}`,
    );
    expect(tampered.status).toBe(401);
    expect(tampered.headers.get('content-type')).toContain('application/problem+json');
    expect(tampered.text).not.toContain('amy@example.com');

    // A link signed with this Parley's own key, whose day is over.
    const { jwtSecret } = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as {
      jwtSecret: string;
    };
    const past = new Date(Date.now() - 48 * 3600_000);
    const expired = await new TokenSigner(jwtSecret, 900).personalDataExport(
      'wade@example.com',
      new Date(past.getTime() + 24 * 3600_000),
      past,
    );
    const late = await call('GET', `/api/v1/personal-data?token=${encodeURIComponent(expired)}`);
    expect(late.status).toBe(401);
    expect(late.headers.get('content-type')).toContain('application/problem+json');
    expect((late.body as { errors?: { field: string }[] }).errors?.[0]?.field).toBe('query.token');
  });

  it('links the privacy page from the reader page, where a guest asks for the link', async () => {
    const page = await call('GET', `/posts/${post.slug}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<a href="/privacy#export">Export my data</a>');
    expect(page.text).toContain('<a href="/privacy#delete">Delete my data</a>');
    const privacy = await call('GET', '/privacy');
    expect(privacy.status).toBe(200);
    expect(privacy.text).toContain('action="/privacy/export-requests"');
    expect(privacy.text).toContain('id="delete"');
  });

  it('prints the same data with npm run privacy -- export, on the data folder', async () => {
    expect(await stopStandalone(parley.child)).toBe(0);
    const printed = await runPrivacy(dataDir, ['export', 'amy@example.com']);
    expect(printed.code).toBe(0);
    const document = personalDataExportSchema.parse(JSON.parse(printed.stdout));
    expect(document.person).toEqual({ kind: 'account', accountId: amy.account.id });
    expect(document.comments.map((c) => c.id)).toEqual([amysReply]);
    expect(document.notifications.map((n) => n.id).sort()).toEqual(
      amysExport.notifications.map((n) => n.id).sort(),
    );
    expectNoneOf(document, [...WADE, ...BOOTS]);

    const guest = await runPrivacy(dataDir, ['export', 'wade@example.com']);
    expect(guest.code).toBe(0);
    const wades = personalDataExportSchema.parse(JSON.parse(guest.stdout));
    expect(wades.comments.map((c) => c.id).sort()).toEqual([wadesComment, wadesReply].sort());
    expectNoneOf(wades, [...AMY, ...BOOTS]);

    const usage = await runPrivacy(dataDir, ['export']);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain('export [--guest] <email>');
  });
});

/** `npm run privacy -- <args>` with KAFKA_BROKERS set: the gateway's entry point, as a process. */
const runGatewayPrivacy = (env: Record<string, string>, args: string[]) =>
  runEntryPoint('gateway', ['privacy', ...args], { env: { LOG_LEVEL: 'warn', ...env } });

describeInfra('the export of a person’s data on Kafka and the Mongo-compatible server', () => {
  jest.setTimeout(180_000);
  const wait = { timeoutMs: 60_000 };
  const { smtp, parley, call } = stackForTests('distributed', 180_000);

  it('prints a person’s data with the gateway’s environment, from the running services', async () => {
    const admin = await registerAccount(call, 'boots@blog.example', 'Boots Admin');
    const amy = await registerAccount(call, 'amy@example.com', 'Amy Reader');
    const draft = await call<PostView>(
      'POST',
      '/api/v1/posts',
      { title: 'Her', body: 'A film.' },
      admin.accessToken,
    );
    expect(
      (await call('POST', `/api/v1/posts/${draft.body.id}/publish`, undefined, admin.accessToken))
        .status,
    ).toBe(200);
    const postId = draft.body.id;
    await eventually(async () => {
      const thread = await call<{ commentsOpen: boolean }>(
        'GET',
        `/api/v1/posts/${postId}/comments`,
      );
      return thread.status === 200 && thread.body.commentsOpen ? true : undefined;
    }, wait);
    const wade = await call<PostCommentResponse>('POST', `/api/v1/posts/${postId}/comments`, {
      body: 'What a film.',
      author: { name: 'Wade Guest', email: 'wade@example.com', url: 'https://wade.example' },
    });
    expect(wade.status).toBe(201);
    const reply = await call<PostCommentResponse>(
      'POST',
      `/api/v1/posts/${postId}/comments`,
      { body: 'Indeed.' },
      amy.accessToken,
    );
    expect(reply.status).toBe(201);

    const services = parley().services!;
    const env = {
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      MONGODB_URI: services.gateway.mongoUri ?? '',
      POSTS_URL: services.posts.url,
      COMMENTS_URL: services.comments.url,
      NOTIFICATIONS_URL: services.notifications.url,
      JWT_SECRET: 'a-privacy-command-secret-of-32-chars-at-least',
      PUBLIC_BASE_URL,
      SMTP_URL: smtp.url,
    };
    const amys = await eventually(async () => {
      const printed = await runGatewayPrivacy(env, ['export', 'amy@example.com']);
      expect({ code: printed.code, stderr: printed.stderr }).toMatchObject({ code: 0 });
      const document = personalDataExportSchema.parse(JSON.parse(printed.stdout));
      return document.comments.length === 1 ? document : undefined;
    }, wait);
    expect(amys.person).toEqual({ kind: 'account', accountId: amy.account.id });
    expect(amys.account?.email).toBe('amy@example.com');
    expect(amys.comments.map((c) => c.id)).toEqual([reply.body.id]);
    expectNoneOf(amys, [...WADE, ...BOOTS]);

    const wades = await runGatewayPrivacy(env, ['export', 'wade@example.com']);
    expect(wades.code).toBe(0);
    const guest = personalDataExportSchema.parse(JSON.parse(wades.stdout));
    expect(guest.person).toEqual({ kind: 'guest', email: 'wade@example.com' });
    expect(guest.comments.map((c) => c.id)).toEqual([wade.body.id]);
    expectNoneOf(guest, [...AMY, ...BOOTS]);
  });
});
