import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostCommentResponse, PostView, ThreadPage, TokensResponse } from '@parley/contracts';
import {
  type HarnessMode,
  MailCatcher,
  PrivateKafka,
  PrivateMongo,
  describeInfra,
  eventually,
  findInRawBytes,
  sleep,
  jsonCaller,
} from '@parley/testing';
import { type ParleyStack, type StackOptions, startParleyStack } from './stack';

const PASSWORD = 'correct horse battery staple';

/**
 * A guest comments, is replied to, subscribes, gets mail, exports and is erased, and an account
 * comments, is replied to and mailed and deletes itself; then the raw
 * bytes of everything the stack keeps on disk (the standalone data folder; Kafka's log segments
 * and the Mongo-compatible server's files) hold none of their personal data, while a
 * sentence of the comment itself is still found there (the scan sees what is stored in clear).
 */
function atRest(mode: HarnessMode): void {
  describe(`a guest's and an account's personal data on disk after erasure (${mode})`, () => {
    jest.setTimeout(mode === 'distributed' ? 300_000 : 90_000);
    const wait = { timeoutMs: mode === 'distributed' ? 90_000 : 15_000 };
    const smtp = new MailCatcher();
    // Random, not the end of a unique name: the private servers keep their files between runs,
    // and databases named after a tag of an earlier run would hold that run's accounts.
    const tag = randomBytes(4).toString('hex');
    const guest = {
      name: `Quentin Sealwright ${tag}`,
      email: `quentin.${tag}@guest.example`,
      url: `https://sealwright-${tag}.example/`,
    };
    const reader = {
      name: `Rhoda Keysworth ${tag}`,
      email: `rhoda.${tag}@reader.example`,
    };
    const ip = `203.0.113.${(Number.parseInt(tag.slice(-2), 36) % 200) + 20}`;
    const kept = `A sentence kept in clear ${tag}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-at-rest-'));
    const mongo = new PrivateMongo('at-rest', 27241);
    const kafka = new PrivateKafka('at-rest', 19492);
    let parley: ParleyStack | undefined;
    const call = jsonCaller(() => parley?.url ?? '');

    const options = (): StackOptions => ({
      smtpUrl: smtp.url,
      trustProxy: true,
      ...(mode === 'embedded'
        ? { dataDir }
        : {
            servers: {
              kafkaBrokers: kafka.brokers,
              mongoUri: (name: string) => mongo.uri(`${name}_${tag}`),
            },
          }),
    });

    beforeAll(async () => {
      await smtp.start();
      if (mode === 'distributed') await Promise.all([mongo.up(), kafka.up()]);
      parley = await startParleyStack(mode, options());
    }, 180_000);

    afterAll(async () => {
      await parley?.close();
      await smtp.stop();
      if (mode === 'distributed') await Promise.all([mongo.down(), kafka.down()]);
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('keeps none of it, shows the comments in place, and a rebuild shows the same', async () => {
      const admin = await call<TokensResponse>('POST', '/api/v1/auth/register', {
        email: `boots.${tag}@blog.example`,
        password: PASSWORD,
        displayName: 'Boots',
      });
      expect(admin.status).toBe(201);
      const token = admin.body.accessToken;
      expect(
        (await call('PUT', '/api/v1/settings/comments', { floodSeconds: 0 }, token)).status,
      ).toBe(200);
      const draft = await call<PostView>(
        'POST',
        '/api/v1/posts',
        { title: `Kept on disk ${tag}`, body: 'A post.' },
        token,
      );
      const postId = draft.body.id;
      expect((await call('POST', `/api/v1/posts/${postId}/publish`, undefined, token)).status).toBe(
        200,
      );
      await eventually(async () => {
        const thread = await call<ThreadPage>('GET', `/api/v1/posts/${postId}/comments`);
        return thread.status === 200 && thread.body.commentsOpen ? true : undefined;
      }, wait);

      // The guest writes from an address a proxy passes on, and asks to hear of replies.
      const posted = await fetch(`${parley!.url}/api/v1/posts/${postId}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ body: kept, author: guest, notify: 'replies' }),
      });
      expect(posted.status).toBe(201);
      const byGuest = ((await posted.json()) as PostCommentResponse).id;
      const confirmation = await eventually(
        () => smtp.to(guest.email).find((m) => m.text.includes('/api/v1/subscriptions/confirm')),
        wait,
      );
      const link = /\S*\/api\/v1\/subscriptions\/confirm\?token=\S+/.exec(confirmation.text)?.[0];
      expect(link).toBeDefined();
      const confirmed = await call('GET', new URL(link!).pathname + new URL(link!).search);
      expect(confirmed.status).toBeLessThan(400);
      const queue = await call<{ items: { id: string; origin?: { ip: string | null } }[] }>(
        'GET',
        '/api/v1/moderation/queue',
        undefined,
        token,
      );
      expect(queue.body.items.find((i) => i.id === byGuest)?.origin?.ip).toBe(ip);
      expect(
        (
          await call(
            'POST',
            `/api/v1/comments/${byGuest}/moderation`,
            { status: 'approved' },
            token,
          )
        ).status,
      ).toBe(200);
      const reply = await call<PostCommentResponse>(
        'POST',
        `/api/v1/posts/${postId}/comments`,
        { body: `A reply to the guest ${tag}`, parentId: byGuest },
        token,
      );
      expect(reply.status).toBe(201);
      await eventually(
        () => smtp.to(guest.email).find((m) => m.text.includes(`A reply to the guest ${tag}`)),
        wait,
      );

      // The guest's export holds their comment and subscription.
      expect(
        (await call('POST', '/api/v1/personal-data/requests', { email: guest.email })).status,
      ).toBe(202);
      const exportMail = await eventually(
        () => smtp.to(guest.email).find((m) => m.text.includes('/api/v1/personal-data?token=')),
        wait,
      );
      const exportLink = /\/api\/v1\/personal-data\?token=\S+/.exec(exportMail.text)?.[0];
      const exported = await call<string>('GET', exportLink!);
      expect(exported.status).toBe(200);
      expect(JSON.stringify(exported.body)).toContain(kept);
      expect(JSON.stringify(exported.body)).toContain(guest.email);

      const erased = await call<{ comments: number }>(
        'POST',
        '/api/v1/personal-data/erasures',
        { email: guest.email },
        token,
      );
      expect(erased.status).toBe(200);
      expect(erased.body.comments).toBe(1);
      const shown = async () =>
        eventually(async () => {
          const thread = await call<ThreadPage>('GET', `/api/v1/posts/${postId}/comments`);
          const item = thread.body.items.find((i) => i.id === byGuest);
          return item?.author?.name === 'Deleted reader' ? thread.body : undefined;
        }, wait);
      const live = await shown();
      expect(
        live.items.map((i) => [i.id, i.author?.name ?? null, i.author?.url ?? null, i.body]),
      ).toEqual([
        [byGuest, 'Deleted reader', null, kept],
        [reply.body.id, 'Boots', null, `A reply to the guest ${tag}`],
      ]);

      // A new reply to the erased guest's comment mails nobody.
      const mailsBefore = smtp.to(guest.email).length;
      const again = await call<PostCommentResponse>(
        'POST',
        `/api/v1/posts/${postId}/comments`,
        { body: `Another reply ${tag}`, parentId: byGuest },
        token,
      );
      expect(again.status).toBe(201);
      await sleep(mode === 'distributed' ? 5_000 : 1_500);
      expect(smtp.to(guest.email)).toHaveLength(mailsBefore);

      // An account registers, confirms its address, comments, is replied to and mailed, and
      // deletes itself.
      const registered = await call<TokensResponse>('POST', '/api/v1/auth/register', {
        email: reader.email,
        password: PASSWORD,
        displayName: reader.name,
      });
      expect(registered.status).toBe(201);
      const readerToken = registered.body.accessToken;
      const verification = await eventually(
        () => smtp.to(reader.email).find((m) => m.text.includes('/api/v1/auth/verify-email')),
        wait,
      );
      const verify = /\S*\/api\/v1\/auth\/verify-email\?token=\S+/.exec(verification.text)?.[0];
      const verified = await call('GET', new URL(verify!).pathname + new URL(verify!).search);
      expect(verified.status).toBeLessThan(400);
      const byReader = await call<PostCommentResponse>(
        'POST',
        `/api/v1/posts/${postId}/comments`,
        { body: `An account's comment ${tag}` },
        readerToken,
      );
      expect(byReader.status).toBe(201);
      expect(byReader.body.comment.author?.name).toBe(reader.name);
      await eventually(async () => {
        const thread = await call<ThreadPage>('GET', `/api/v1/posts/${postId}/comments`);
        const item = thread.body.items.find((i) => i.id === byReader.body.id);
        return item?.author?.name === reader.name ? true : undefined;
      }, wait);
      const toReader = await call<PostCommentResponse>(
        'POST',
        `/api/v1/posts/${postId}/comments`,
        { body: `A reply to the account ${tag}`, parentId: byReader.body.id },
        token,
      );
      expect(toReader.status).toBe(201);
      const replyMail = await eventually(
        () => smtp.to(reader.email).find((m) => m.text.includes(`A reply to the account ${tag}`)),
        wait,
      );
      expect(replyMail.text).toContain('Boots');
      expect((await call('DELETE', '/api/v1/me', undefined, readerToken)).status).toBe(200);
      await eventually(async () => {
        const thread = await call<ThreadPage>('GET', `/api/v1/posts/${postId}/comments`);
        const item = thread.body.items.find((i) => i.id === byReader.body.id);
        return item?.author?.name === 'Deleted reader' ? true : undefined;
      }, wait);
      const before = await shown();

      // A clean stop writes out what the servers hold; then every byte on disk is read.
      await parley!.close();
      parley = undefined;
      if (mode === 'distributed') await Promise.all([mongo.down(), kafka.down()]);
      const dirs = mode === 'embedded' ? [dataDir] : [mongo.dataDir, kafka.dataDir];
      const host = new URL(guest.url).host;
      const found = await findInRawBytes(dirs, [
        guest.name,
        guest.email,
        host,
        ip,
        kept,
        reader.email,
        reader.name,
      ]);
      const leaks = found.filter((f) => f.text !== kept);
      expect(leaks).toEqual([]);
      expect(found.some((f) => f.text === kept)).toBe(true);
      // Embedded, what was scanned holds the read models the stop kept (sealed): every service's.
      const keptFiles = ['gateway', 'posts', 'comments', 'notifications'].map((service) =>
        join(dataDir, service, 'read-models.jsonl'),
      );
      if (mode === 'embedded') expect(keptFiles.filter((file) => !existsSync(file))).toEqual([]);

      // Started again, the read models are taken from the stop (embedded) or are the database's,
      // and show the same thread.
      if (mode === 'distributed') await Promise.all([mongo.up(), kafka.up()]);
      parley = await startParleyStack(mode, options());
      expect(keptFiles.filter((file) => existsSync(file))).toEqual([]);
      expect((await shown()).items).toEqual(before.items);
      if (mode === 'embedded') {
        // And rebuilt from the logs alone, with nothing kept: the erased data does not come back.
        await parley.close();
        for (const file of keptFiles) rmSync(file);
        parley = await startParleyStack(mode, options());
        const rebuilt = await shown();
        expect(rebuilt.items).toEqual(before.items);
      }
    });
  });
}

atRest('embedded');
describeInfra('on Kafka and the Mongo-compatible server', () => atRest('distributed'));
