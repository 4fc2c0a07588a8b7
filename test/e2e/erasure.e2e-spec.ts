import type { PostCommentResponse, PostView, ThreadPage, TokensResponse } from '@parley/contracts';
import { type HarnessMode, describeInfra, eventually } from '@parley/testing';
import { registerAccount, stackForTests } from './stack';

interface Problem {
  status: number;
  errors?: { field: string; reason: string }[];
}

/**
 * A guest erased by an admin and an account that deletes itself, through the gateway on both
 * stacks: their comments stay in place as by "Deleted reader" or as tombstones holding replies.
 */
function erasure(mode: HarnessMode): void {
  describe(`erasing a person through the gateway (${mode})`, () => {
    jest.setTimeout(mode === 'distributed' ? 180_000 : 30_000);
    const wait = { timeoutMs: mode === 'distributed' ? 60_000 : 10_000 };
    const { smtp, parley, call } = stackForTests(mode, 120_000);

    const register = async (email: string, displayName: string) =>
      (await registerAccount(call, email, displayName)).accessToken;

    it('anonymizes a guest for an admin and removes an account at its own request, replies kept', async () => {
      const admin = await register('admin@blog.example', 'Boots');
      const amy = await register('amy@blog.example', 'Amy Reader');
      expect(
        (await call('PUT', '/api/v1/settings/comments', { floodSeconds: 0 }, admin)).status,
      ).toBe(200);
      const draft = await call<PostView>(
        'POST',
        '/api/v1/posts',
        { title: 'Forget me', body: 'A post.' },
        admin,
      );
      const postId = draft.body.id;
      expect((await call('POST', `/api/v1/posts/${postId}/publish`, undefined, admin)).status).toBe(
        200,
      );
      await eventually(
        async () => (await call('GET', '/api/v1/posts/forget-me')).status === 200 || undefined,
        wait,
      );
      const comment = async (
        body: string,
        as: { token?: string; author?: object },
        parentId?: string,
      ) => {
        const posted = await call<PostCommentResponse>(
          'POST',
          `/api/v1/posts/${postId}/comments`,
          { body, ...(as.author ? { author: as.author } : {}), ...(parentId ? { parentId } : {}) },
          as.token,
        );
        expect(posted.status).toBe(201);
        return posted.body.id;
      };
      const gus = { name: 'Gus Guest', email: 'gus@guest.example', url: 'https://gus.example/' };
      const byGus = await comment('Lovely post.', { author: gus });
      expect(
        (await call('POST', `/api/v1/comments/${byGus}/moderation`, { status: 'approved' }, admin))
          .status,
      ).toBe(200);
      const toGus = await comment('Thanks, Gus.', { token: admin }, byGus);
      const byAmy = await comment('I agree.', { token: amy });
      const toAmy = await comment('Glad you do.', { token: admin }, byAmy);

      const erase = (body: unknown, token?: string) =>
        call<Problem & { comments: number; account: boolean }>(
          'POST',
          '/api/v1/personal-data/erasures',
          body,
          token,
        );
      expect((await erase({ email: gus.email })).status).toBe(401);
      expect((await erase({ email: gus.email }, amy)).status).toBe(403);
      const bad = await erase({ email: 'not an address' }, admin);
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect(bad.body.errors?.map((e) => e.field)).toEqual(['email']);

      const adminItself = await call<Problem>('DELETE', '/api/v1/me', undefined, admin);
      expect(adminItself.status).toBe(409);
      const erasedGus = await erase({ email: 'GUS@guest.example' }, admin);
      expect(erasedGus.status).toBe(200);
      expect(erasedGus.body).toMatchObject({ mode: 'anonymize', comments: 1, account: false });
      const erasedAmy = await call<{ comments: number; account: boolean }>(
        'DELETE',
        '/api/v1/me?mode=remove',
        undefined,
        amy,
      );
      expect(erasedAmy.status).toBe(200);
      expect(erasedAmy.body).toMatchObject({ mode: 'remove', comments: 1, account: true });

      const page = await eventually(async () => {
        const thread = await call<ThreadPage>('GET', `/api/v1/posts/${postId}/comments`);
        const amyGone = thread.body.items.find((i) => i.id === byAmy)?.deleted === true;
        return thread.status === 200 && amyGone ? thread.body : undefined;
      }, wait);
      expect(
        page.items.map((i) => [i.id, i.author?.name ?? null, i.author?.url ?? null, i.body]),
      ).toEqual([
        [byGus, 'Deleted reader', null, 'Lovely post.'],
        [toGus, 'Boots', null, 'Thanks, Gus.'],
        [byAmy, null, null, ''],
        [toAmy, 'Boots', null, 'Glad you do.'],
      ]);
      expect(JSON.stringify(page)).not.toContain('Amy Reader');
      expect(JSON.stringify(page)).not.toContain('gus.example');

      const login = await call('POST', '/api/v1/auth/login', {
        email: 'amy@blog.example',
        password: 'correct horse battery staple',
      });
      expect(login.status).toBe(401);
      expect((await erase({ email: gus.email }, admin)).body).toMatchObject({ comments: 0 });
    });

    it('erases a guest who confirms the link mailed to their address, and nobody with a forged one', async () => {
      const hal = { name: 'Hal Guest', email: 'hal@guest.example' };
      const posts = await call<{ items: { id: string; slug: string }[] }>('GET', '/api/v1/posts');
      const postId = posts.body.items.find((p) => p.slug === 'forget-me')?.id ?? '';
      const posted = await call<PostCommentResponse>('POST', `/api/v1/posts/${postId}/comments`, {
        body: 'Hal writes.',
        author: hal,
      });
      const byHal = posted.body.id;
      const login = await call<TokensResponse>('POST', '/api/v1/auth/login', {
        email: 'admin@blog.example',
        password: 'correct horse battery staple',
      });
      const admin = login.body.accessToken;
      await call('POST', `/api/v1/comments/${byHal}/moderation`, { status: 'approved' }, admin);
      const answer = await call<PostCommentResponse>(
        'POST',
        `/api/v1/posts/${postId}/comments`,
        { body: 'Welcome.', parentId: byHal },
        admin,
      );

      const asked = await call('POST', '/api/v1/personal-data/erasure-requests', {
        email: 'HAL@guest.example',
        mode: 'remove',
      });
      expect(asked.status).toBe(202);
      const mail = await eventually(() => smtp.to(hal.email)[0], wait);
      const link = /\/privacy\/erase\?token=\S+/.exec(mail.text)?.[0] ?? '';
      const token = link.slice('/privacy/erase?token='.length);
      // The mailed link opens a page whose button erases; opening it erases nothing.
      const linkPage = await fetch(`${parley().url}${link}`);
      expect(linkPage.status).toBe(200);
      expect(await linkPage.text()).toContain('data-erasure-confirm');
      const preview = await call<{ mode: string }>(
        'GET',
        `/api/v1/personal-data/erasure-requests/confirm?token=${token}`,
      );
      expect(preview.body).toMatchObject({ mode: 'remove', confirmed: false });
      const forged = await call('POST', '/api/v1/personal-data/erasure-requests/confirm', {
        token: `${token.slice(0, -4)}abcd`,
      });
      expect(forged.status).toBe(401);
      const still = await call<ThreadPage>('GET', `/api/v1/posts/${postId}/comments`);
      expect(still.body.items.find((i) => i.id === byHal)?.author?.name).toBe('Hal Guest');

      const confirmed = await call<{ comments: number }>(
        'POST',
        '/api/v1/personal-data/erasure-requests/confirm',
        { token: decodeURIComponent(token) },
      );
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toMatchObject({ mode: 'remove', comments: 1, account: false });
      const page = await eventually(async () => {
        const thread = await call<ThreadPage>('GET', `/api/v1/posts/${postId}/comments`);
        return thread.body.items.find((i) => i.id === byHal)?.deleted ? thread.body : undefined;
      }, wait);
      expect(page.items.find((i) => i.id === answer.body.id)?.body).toBe('Welcome.');
      expect(JSON.stringify(page)).not.toContain('Hal');
    });
  });
}

erasure('embedded');
describeInfra('on Kafka and the Mongo-compatible server', () => erasure('distributed'));
