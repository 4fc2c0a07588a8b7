import type { TokensResponse } from '@parley/contracts';
import { MemoryMailbox } from '@parley/mail';
import {
  type HarnessMode,
  type ServiceHarness,
  describeInfra,
  eventually,
  publishEvents,
  startServiceHarness,
} from '@parley/testing';
import { gatewayService } from '../gateway.service';
import { gatewayAloneOptions } from '../testing/gateway-alone';

const PASSWORD = 'correct horse battery staple';

function identityScenario(mode: HarnessMode): void {
  describe(`identity through the gateway (${mode})`, () => {
    let gateway: ServiceHarness;
    const mailbox = new MemoryMailbox();
    let clockOffsetMs = 0;
    const clock = () => new Date(Date.now() + clockOffsetMs);

    beforeAll(async () => {
      gateway = await startServiceHarness(
        gatewayService(
          gatewayAloneOptions({
            timeoutMs: 1000,
            mailer: mailbox,
            corsOrigins: ['https://blog.example'],
          }),
        ),
        mode,
        { clock },
      );
    });

    afterAll(async () => {
      await gateway.close();
    }, 120_000);

    const post = <T>(path: string, body: unknown, token?: string) =>
      fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      }).then(async (r) => ({
        status: r.status,
        headers: r.headers,
        body: (await r
          .text()
          .then((text) => (text ? (JSON.parse(text) as unknown) : undefined))) as T,
      }));
    const get = <T>(path: string, token?: string) =>
      fetch(`${gateway.url}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        redirect: 'manual',
      }).then(async (r) => ({
        status: r.status,
        headers: r.headers,
        body: (r.headers.get('content-type')?.includes('json')
          ? await r.json()
          : await r.text()) as T,
      }));

    let admin: TokensResponse;
    let reader: TokensResponse;

    it('makes the first account the admin and later ones readers, and mails a verification link', async () => {
      const first = await post<TokensResponse>('/api/v1/auth/register', {
        email: 'Admin@Blog.Example ',
        password: PASSWORD,
        displayName: 'Boots',
      });
      expect(first.status).toBe(201);
      admin = first.body;
      expect(admin.account).toMatchObject({
        email: 'admin@blog.example',
        displayName: 'Boots',
        roles: ['admin'],
        emailVerified: false,
      });
      const second = await post<TokensResponse>('/api/v1/auth/register', {
        email: 'amy@example.com',
        password: PASSWORD,
        displayName: 'Amy',
      });
      expect(second.status).toBe(201);
      reader = second.body;
      expect(reader.account.roles).toEqual(['reader']);

      const mail = mailbox.messages().find((m) => m.to === 'amy@example.com');
      expect(mail?.subject).toMatch(/confirm your email/i);
      const link = /https:\/\/blog\.example(\/api\/v1\/auth\/verify-email\?token=[^\s"<]+)/.exec(
        mail?.text ?? '',
      )?.[1];
      expect(link).toBeDefined();
      const verified = await get<string>(link!);
      expect(verified.status).toBe(303);
      const me = await get<{ emailVerified: boolean }>('/api/v1/me', reader.accessToken);
      expect(me.body.emailVerified).toBe(true);
    });

    it("keeps the staff's names for them and refuses names that hide or reorder text", async () => {
      const taken = await eventually(async () => {
        const attempt = await post<{ code: string; errors: { field: string }[] }>(
          '/api/v1/auth/register',
          { email: 'impostor@example.com', password: PASSWORD, displayName: ' BOOTS ' },
        );
        return attempt.status === 422 ? attempt : undefined;
      });
      expect(taken.body.code).toBe('name-reserved');
      expect(taken.body.errors.map((e) => e.field)).toEqual(['displayName']);
      const patch = (displayName: string) =>
        fetch(`${gateway.url}/api/v1/me`, {
          method: 'PATCH',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${reader.accessToken}`,
          },
          body: JSON.stringify({ displayName }),
        }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { errors?: { field: string; reason: string }[] },
        }));
      expect((await patch('B\u043e\u043ets')).status).toBe(422);
      const hidden = await patch('Amy\u202Egnp.exe');
      expect(hidden.status).toBe(400);
      expect(hidden.body.errors?.[0]?.field).toBe('displayName');
      expect(hidden.body.errors?.[0]?.reason).toMatch(/text-direction/);
      const guest = await post<{ code: string; errors: { field: string }[] }>(
        '/api/v1/posts/p1/comments',
        { body: 'Hello', author: { name: 'Bööts', email: 'guest@example.com' } },
      );
      expect(guest.status).toBe(422);
      expect(guest.body.errors.map((e) => e.field)).toEqual(['author.name']);
      // The staff member keeps their own name.
      const own = await fetch(`${gateway.url}/api/v1/me`, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${admin.accessToken}`,
        },
        body: JSON.stringify({ displayName: 'boots' }),
      });
      expect(own.status).toBe(200);
    });

    it('answers a registration with a taken address as a new one, binds nothing to it and tells the owner', async () => {
      const before = mailbox.messages().length;
      const again = await post<TokensResponse>('/api/v1/auth/register', {
        email: 'AMY@example.com',
        password: 'another password here',
        displayName: 'Other Amy',
      });
      const fresh = await post<TokensResponse>('/api/v1/auth/register', {
        email: 'dot@example.com',
        password: PASSWORD,
        displayName: 'Dot',
      });
      expect(again.status).toBe(fresh.status);
      expect(Object.keys(again.body).sort()).toEqual(Object.keys(fresh.body).sort());
      expect(again.body.account).toMatchObject({
        email: 'amy@example.com',
        displayName: 'Other Amy',
        roles: ['reader'],
        emailVerified: false,
      });
      expect(again.body.account.id).not.toBe(reader.account.id);
      const toAmy = mailbox
        .messages()
        .slice(before)
        .filter((m) => m.to === 'amy@example.com');
      expect(toAmy.map((m) => m.subject)).toEqual([
        'Someone tried to create an account with your address',
      ]);
      // The address stays its owner's: the newcomer's password does not log in with it.
      const owner = await post<TokensResponse>('/api/v1/auth/login', {
        email: 'amy@example.com',
        password: PASSWORD,
      });
      expect(owner.body.account.id).toBe(reader.account.id);
      expect(
        (
          await post('/api/v1/auth/login', {
            email: 'amy@example.com',
            password: 'another password here',
          })
        ).status,
      ).toBe(401);
      // Nor can the newcomer have a link sent that would verify the address for them.
      const mailsToAmy = () => mailbox.messages().filter((m) => m.to === 'amy@example.com').length;
      const sentBefore = mailsToAmy();
      const resent = await post('/api/v1/auth/resend-verification', {}, again.body.accessToken);
      expect(resent.status).toBe(202);
      expect(mailsToAmy()).toBe(sentBefore);
    });

    it('sends a few verification mails to an address, however often they are asked for', async () => {
      const victim = 'victim@example.com';
      const mailsToVictim = () => mailbox.messages().filter((m) => m.to === victim).length;
      const registered = await post<TokensResponse>('/api/v1/auth/register', {
        email: victim,
        password: PASSWORD,
        displayName: 'Vic',
      });
      expect(mailsToVictim()).toBe(1);
      const answers: number[] = [];
      for (let i = 0; i < 8; i++)
        answers.push(
          (await post('/api/v1/auth/resend-verification', {}, registered.body.accessToken)).status,
        );
      expect(answers).toEqual(Array(8).fill(202));
      // Registering the address again adds no mail past the quota either.
      for (let i = 0; i < 3; i++)
        expect(
          (
            await post('/api/v1/auth/register', {
              email: victim,
              password: PASSWORD,
              displayName: `Vic ${i}`,
            })
          ).status,
        ).toBe(201);
      expect(mailsToVictim()).toBe(3);
    });

    it('runs a POST with an Idempotency-Key once and replays its answer', async () => {
      const send = (body: unknown) =>
        fetch(`${gateway.url}/api/v1/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': 'register-bo-1' },
          body: JSON.stringify(body),
        });
      const body = { email: 'bo@example.com', password: PASSWORD, displayName: 'Bo' };
      const first = await send(body);
      const again = await send(body);
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const [a, b] = [
        (await first.json()) as TokensResponse,
        (await again.json()) as TokensResponse,
      ];
      expect(b.account.id).toBe(a.account.id);
      const other = await send({ ...body, displayName: 'Someone else' });
      expect(other.status).toBe(422);
      expect(((await other.json()) as { code: string }).code).toBe('idempotency-key-reused');
    });

    it('answers a wrong password and an unknown address the same way', async () => {
      const wrong = await post<{ code: string; title: string }>('/api/v1/auth/login', {
        email: 'amy@example.com',
        password: 'not the password',
      });
      const unknown = await post<{ code: string; title: string }>('/api/v1/auth/login', {
        email: 'nobody@example.com',
        password: 'whatever it is',
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect({ code: wrong.body.code, title: wrong.body.title }).toEqual({
        code: unknown.body.code,
        title: unknown.body.title,
      });
      const good = await post<TokensResponse>('/api/v1/auth/login', {
        email: 'amy@example.com',
        password: PASSWORD,
      });
      expect(good.status).toBe(200);
      expect(good.body.account.displayName).toBe('Amy');
    });

    it('locks an address after a few wrong passwords, for longer each time, and a success resets it', async () => {
      const login = (email: string, password: string) =>
        post<TokensResponse & { code: string }>('/api/v1/auth/login', { email, password });
      const wrongTimes = async (email: string, times: number) => {
        for (let i = 0; i < times; i++)
          expect((await login(email, 'not the password')).status).toBe(401);
      };
      await post('/api/v1/auth/register', {
        email: 'cy@example.com',
        password: PASSWORD,
        displayName: 'Cy',
      });
      await wrongTimes('cy@example.com', 5);
      // Even the right password is refused now, from whatever client.
      const locked = await login('cy@example.com', PASSWORD);
      expect(locked.status).toBe(429);
      expect(locked.headers.get('content-type')).toMatch(/problem\+json/);
      expect(locked.body.code).toBe('too-many-attempts');
      const firstWait = Number(locked.headers.get('retry-after'));
      expect(firstWait).toBeGreaterThan(0);
      expect(firstWait).toBeLessThanOrEqual(60);
      // An address without an account answers the same way.
      await wrongTimes('nobody-here@example.com', 5);
      expect((await login('nobody-here@example.com', PASSWORD)).body.code).toBe(
        'too-many-attempts',
      );

      clockOffsetMs += 61_000;
      await wrongTimes('cy@example.com', 5);
      const again = await login('cy@example.com', PASSWORD);
      expect(again.status).toBe(429);
      expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(firstWait);

      clockOffsetMs += 121_000;
      expect((await login('cy@example.com', PASSWORD)).status).toBe(200);
      // The success reset the count: one more wrong password is just wrong.
      await wrongTimes('cy@example.com', 1);
      expect((await login('cy@example.com', PASSWORD)).status).toBe(200);
    });

    it('rotates refresh tokens and ends the session when an old one comes back', async () => {
      const login = await post<TokensResponse>('/api/v1/auth/login', {
        email: 'amy@example.com',
        password: PASSWORD,
      });
      const first = login.body.refreshToken;
      const rotated = await post<TokensResponse>('/api/v1/auth/refresh', { refreshToken: first });
      expect(rotated.status).toBe(200);
      expect(rotated.body.refreshToken).not.toBe(first);

      // Within the grace window the same token is a race between tabs: it gets the same successor.
      const raced = await post<TokensResponse>('/api/v1/auth/refresh', { refreshToken: first });
      expect(raced.status).toBe(200);
      expect(raced.body.refreshToken).toBe(rotated.body.refreshToken);

      clockOffsetMs += 31_000;
      const replayed = await post<{ code: string }>('/api/v1/auth/refresh', {
        refreshToken: first,
      });
      expect(replayed.status).toBe(401);
      // The theft ends the session: the newest token is refused too.
      const newest = await post<{ code: string }>('/api/v1/auth/refresh', {
        refreshToken: rotated.body.refreshToken,
      });
      expect(newest.status).toBe(401);
    });

    it('keeps the session of two tabs refreshing at once with one token', async () => {
      const login = await post<TokensResponse>('/api/v1/auth/login', {
        email: 'amy@example.com',
        password: PASSWORD,
      });
      const refreshToken = login.body.refreshToken;
      const [a, b] = await Promise.all([
        post<TokensResponse>('/api/v1/auth/refresh', { refreshToken }),
        post<TokensResponse>('/api/v1/auth/refresh', { refreshToken }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(a.body.refreshToken).toBe(b.body.refreshToken);
      const next = await post<TokensResponse>('/api/v1/auth/refresh', {
        refreshToken: a.body.refreshToken,
      });
      expect(next.status).toBe(200);
      expect((await get('/api/v1/me', next.body.accessToken)).status).toBe(200);
    });

    it("refuses a session's access tokens once it has logged out", async () => {
      const login = await post<TokensResponse>('/api/v1/auth/login', {
        email: 'amy@example.com',
        password: PASSWORD,
      });
      const other = await post<TokensResponse>('/api/v1/auth/login', {
        email: 'amy@example.com',
        password: PASSWORD,
      });
      expect((await get('/api/v1/me', login.body.accessToken)).status).toBe(200);
      expect(
        (await post('/api/v1/auth/logout', { refreshToken: login.body.refreshToken })).status,
      ).toBe(204);
      const after = await get<{ code: string }>('/api/v1/me', login.body.accessToken);
      expect(after.status).toBe(401);
      expect(after.body.code).toBe('unauthenticated');
      // Another login of the same account goes on.
      expect((await get('/api/v1/me', other.body.accessToken)).status).toBe(200);
    });

    it('refuses the access tokens of a session that ended on another gateway instance', async () => {
      const login = await post<TokensResponse>('/api/v1/auth/login', {
        email: 'amy@example.com',
        password: PASSWORD,
      });
      const sessionId = login.body.refreshToken.split('.')[0] ?? '';
      expect((await get('/api/v1/me', login.body.accessToken)).status).toBe(200);
      // What another instance publishes when the session ends there.
      await publishEvents(
        gateway.infra.bus,
        gateway.infra.topicName('accounts'),
        '/parley/gateway',
        `session-${sessionId}`,
        [
          {
            type: 'parley.session.ended.v1',
            data: { sessionId, reason: 'logout', endedAt: clock().toISOString() },
          },
        ],
        2,
      );
      await eventually(async () =>
        (await get('/api/v1/me', login.body.accessToken)).status === 401 ? true : undefined,
      );
    });

    it('resets a forgotten password through a link mailed once, and ends every other session', async () => {
      const email = 'rey@example.com';
      const mailsToRey = () => mailbox.messages().filter((m) => m.to === email);
      const registered = await post<TokensResponse>('/api/v1/auth/register', {
        email,
        password: PASSWORD,
        displayName: 'Rey',
      });
      const elsewhere = await post<TokensResponse>('/api/v1/auth/login', {
        email,
        password: PASSWORD,
      });
      const resetLink = async (): Promise<string> => {
        const before = mailsToRey().length;
        expect(
          (await post('/api/v1/auth/password-reset', { email: ' REY@example.com' })).status,
        ).toBe(202);
        const mail = await eventually(async () => mailsToRey()[before]);
        expect(mail.subject).toBe('Choose a new password');
        const token = /\/reset-password\?token=([^\s"<]+)/.exec(mail.text)?.[1];
        expect(token).toBeDefined();
        return decodeURIComponent(token!);
      };
      // An unknown address is answered the same, and nobody is mailed.
      const before = mailbox.messages().length;
      expect(
        (await post('/api/v1/auth/password-reset', { email: 'nobody@example.com' })).status,
      ).toBe(202);

      const expired = await resetLink();
      clockOffsetMs += 3601_000;
      const tooLate = await post<{ code: string }>('/api/v1/auth/password-reset/confirm', {
        token: expired,
        password: 'a brand new password',
      });
      clockOffsetMs -= 3601_000;
      expect(tooLate.status).toBe(401);

      const token = await resetLink();
      const forged = await post('/api/v1/auth/password-reset/confirm', {
        token: `${token.slice(0, -4)}abcd`,
        password: 'a brand new password',
      });
      expect(forged.status).toBe(401);
      const wrongUse = await post('/api/v1/auth/password-reset/confirm', {
        token: registered.body.accessToken,
        password: 'a brand new password',
      });
      expect(wrongUse.status).toBe(401);
      expect(
        (
          await post('/api/v1/auth/password-reset/confirm', {
            token,
            password: 'a brand new password',
          })
        ).status,
      ).toBe(204);
      expect(
        mailbox
          .messages()
          .slice(before)
          .some((m) => m.to === 'nobody@example.com'),
      ).toBe(false);
      // The link works once.
      const again = await post('/api/v1/auth/password-reset/confirm', {
        token,
        password: 'yet another password',
      });
      expect(again.status).toBe(401);
      // Every session the account had is over, its access tokens and refresh tokens alike.
      for (const tokens of [registered.body, elsewhere.body]) {
        expect((await get('/api/v1/me', tokens.accessToken)).status).toBe(401);
        expect(
          (await post('/api/v1/auth/refresh', { refreshToken: tokens.refreshToken })).status,
        ).toBe(401);
      }
      expect((await post('/api/v1/auth/login', { email, password: PASSWORD })).status).toBe(401);
      const login = await post<TokensResponse>('/api/v1/auth/login', {
        email,
        password: 'a brand new password',
      });
      expect(login.status).toBe(200);
      expect(login.body.account.id).toBe(registered.body.account.id);
    });

    it('logs out', async () => {
      const login = await post<TokensResponse>('/api/v1/auth/login', {
        email: 'amy@example.com',
        password: PASSWORD,
      });
      expect(
        (await post('/api/v1/auth/logout', { refreshToken: login.body.refreshToken })).status,
      ).toBe(204);
      expect(
        (await post('/api/v1/auth/refresh', { refreshToken: login.body.refreshToken })).status,
      ).toBe(401);
    });

    it('needs a valid access token for /me and refuses a forged one', async () => {
      expect((await get('/api/v1/me')).status).toBe(401);
      const forged = await get<{ code: string }>(
        '/api/v1/me',
        `${reader.accessToken.slice(0, -4)}abcd`,
      );
      expect(forged.status).toBe(401);
      expect(forged.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('lets an admin grant roles, and nobody else', async () => {
      const byReader = await fetch(`${gateway.url}/api/v1/accounts/${admin.account.id}/roles`, {
        method: 'PUT',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${reader.accessToken}`,
        },
        body: JSON.stringify({ roles: ['reader'] }),
      });
      expect(byReader.status).toBe(403);
      const byAdmin = await fetch(`${gateway.url}/api/v1/accounts/${reader.account.id}/roles`, {
        method: 'PUT',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${admin.accessToken}`,
        },
        body: JSON.stringify({ roles: ['reader', 'author'] }),
      });
      expect(byAdmin.status).toBe(200);
      const refreshed = await post<TokensResponse>('/api/v1/auth/login', {
        email: 'amy@example.com',
        password: PASSWORD,
      });
      expect(refreshed.body.account.roles).toEqual(['reader', 'author']);
      const listed = await eventually(async () => {
        const list = await get<{ items: { id: string; roles: string[] }[] }>(
          '/api/v1/accounts',
          admin.accessToken,
        );
        const amy = list.body.items.find((a) => a.id === reader.account.id);
        return amy?.roles.includes('author') ? list.body : undefined;
      });
      expect(listed.items.map((a) => a.id)).toContain(admin.account.id);
      expect(JSON.stringify(listed)).not.toContain('@');
    });

    it('changes the display name', async () => {
      const response = await fetch(`${gateway.url}/api/v1/me`, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${reader.accessToken}`,
        },
        body: JSON.stringify({ displayName: 'Amy P.' }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { displayName: string }).displayName).toBe('Amy P.');
    });

    it('validates bodies field by field and rejects unknown fields', async () => {
      const bad = await post<{ code: string; errors: { field: string }[] }>(
        '/api/v1/auth/register',
        {
          email: 'not-an-address',
          password: 'short',
          displayName: '',
          isAdmin: true,
        },
      );
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e) => e.field).sort()).toEqual([
        'displayName',
        'email',
        'isAdmin',
        'password',
      ]);
      expect(bad.body.errors.find((e) => e.field === 'isAdmin')).toEqual({
        field: 'isAdmin',
        reason: 'unknown field',
      });
    });

    it('documents every identity route in the OpenAPI document', async () => {
      const doc = await get<{
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      }>('/api/openapi.json');
      expect(doc.status).toBe(200);
      for (const path of [
        '/api/v1/auth/register',
        '/api/v1/auth/login',
        '/api/v1/auth/refresh',
        '/api/v1/auth/logout',
        '/api/v1/auth/password-reset',
        '/api/v1/auth/password-reset/confirm',
        '/api/v1/me',
      ]) {
        expect(doc.body.paths[path]).toBeDefined();
      }
      expect(Object.keys(doc.body.paths['/api/v1/auth/login']?.post?.responses ?? {})).toEqual(
        expect.arrayContaining(['200', '400', '401', '429']),
      );
      expect((await get<string>('/api/docs')).status).toBe(200);
    });

    it('limits authentication attempts with 429 and Retry-After', async () => {
      let limited: { status: number; headers: Headers; body: { code: string } } | undefined;
      // Ten at a time, as a script would: the limit counts requests, however they arrive.
      for (let i = 0; i < 400 && !limited; i += 10) {
        const attempts = await Promise.all(
          Array.from({ length: 10 }, (_, j) =>
            post<{ code: string }>('/api/v1/auth/login', {
              email: `probe-${i + j}@example.com`,
              password: 'wrong password here',
            }),
          ),
        );
        limited = attempts.find((attempt) => attempt.status === 429);
      }
      expect(limited?.body.code).toBe('rate-limited');
      expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
      // A hundred password checks before the limit: minutes on a loaded machine.
    }, 240_000);
  });
}

identityScenario('embedded');
describeInfra('identity on the real infrastructure', () => identityScenario('distributed'));
