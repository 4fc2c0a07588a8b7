import { createReadStream, readFileSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ImportView, PostPage, TokensResponse } from '@parley/contracts';
import { type HarnessMode, MailCatcher, describeInfra, sleep, jsonCaller } from '@parley/testing';
import { type ParleyStack, startParleyStack } from './stack';
import {
  WORDPRESS_FIXTURE as FIXTURE,
  expectFixtureOnPages,
  expectNobodyTold,
  writerFollowingTheBlog,
} from './wordpress-fixture';

/** Room for the fixture, and little more. */
const MAX_BYTES = statSync(FIXTURE).size + 1024;

interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: { field: string; reason: string }[];
}

/**
 * An author or admin uploads a WordPress export to the gateway (POST /api/v1/imports): it is
 * streamed and checked as it arrives, imported in the background through the services, and its
 * progress is read at its Location; on both stacks.
 */
function uploads(mode: HarnessMode): void {
  describe(`uploading a WordPress export (${mode})`, () => {
    const timeouts =
      mode === 'distributed' ? { test: 900_000, wait: 180_000 } : { test: 120_000, wait: 10_000 };
    jest.setTimeout(timeouts.test);
    const smtp = new MailCatcher();
    let parley: ParleyStack;
    let admin: string;
    let reader: string;
    const call = jsonCaller(() => parley.url);

    /** Sends the body as a stream, the way a large file goes up. */
    async function upload(
      body: Buffer | string | Readable | null,
      token?: string,
      type = 'application/xml',
      search = '',
    ) {
      const response = await fetch(`${parley.url}/api/v1/imports${search}`, {
        method: 'POST',
        headers: {
          'content-type': type,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body:
          body === null || body instanceof Readable
            ? (Readable.toWeb(body ?? createReadStream(FIXTURE)) as ReadableStream<Uint8Array>)
            : body,
        duplex: 'half',
      });
      const text = await response.text();
      return {
        status: response.status,
        type: response.headers.get('content-type') ?? '',
        location: response.headers.get('location'),
        body: (text ? JSON.parse(text) : null) as unknown,
      };
    }

    /** Reads the import's progress until it ends: every answer seen on the way. */
    async function follow(location: string): Promise<ImportView[]> {
      const seen: ImportView[] = [];
      const deadline = Date.now() + timeouts.test;
      for (;;) {
        const answer = await call<ImportView>('GET', location, undefined, admin);
        expect(answer.status).toBe(200);
        seen.push(answer.body);
        if (answer.body.state === 'done' || answer.body.state === 'failed') return seen;
        if (Date.now() > deadline) throw new Error(`the import did not end: ${answer.text}`);
        await sleep(50);
      }
    }

    beforeAll(async () => {
      await smtp.start();
      parley = await startParleyStack(mode, { smtpUrl: smtp.url, importMaxBytes: MAX_BYTES });
      admin = await writerFollowingTheBlog(call, smtp);
      const registered = await call<TokensResponse>('POST', '/api/v1/auth/register', {
        email: 'reader@blog.example',
        password: 'correct horse battery staple',
        displayName: 'A Reader',
      });
      reader = registered.body.accessToken;
    }, 300_000);

    afterAll(async () => {
      await parley?.close();
      await smtp.stop();
    });

    it('refuses a file that is not a WordPress export or was cut off, naming the reason, and writes nothing', async () => {
      const notWxr = await upload('{"name": "parley"}', admin);
      expect(notWxr.status).toBe(422);
      expect(notWxr.type).toContain('application/problem+json');
      expect(notWxr.body).toMatchObject({
        code: 'not-a-wordpress-export',
        errors: [{ field: 'body' }],
      });
      expect((notWxr.body as Problem).detail).toMatch(/not well-formed XML|not a WordPress export/);
      const html = await upload('<html><body>a page</body></html>', admin);
      expect(html.status).toBe(422);
      expect((html.body as Problem).detail).toContain('it is <html>, not an RSS document');
      const cut = await upload(readFileSync(FIXTURE).subarray(0, 300_000), admin);
      expect(cut.status).toBe(422);
      expect((cut.body as Problem).detail).toContain('it was cut off');
      // Over the limit: by its declared length, and as it streams in without one.
      const padded = Buffer.concat([readFileSync(FIXTURE), Buffer.alloc(2048, 0x20)]);
      const declared = await upload(padded, admin);
      expect(declared).toMatchObject({ status: 413, body: { code: 'payload-too-large' } });
      const streamed = await upload(
        Readable.from([padded.subarray(0, 300_000), padded.subarray(300_000)]),
        admin,
      );
      expect(streamed).toMatchObject({ status: 413, body: { code: 'payload-too-large' } });
      const json = await upload('{}', admin, 'application/json');
      expect(json.status).toBe(415);
      const posts = await call<PostPage>('GET', '/api/v1/posts');
      expect(posts.body.items).toEqual([]);
    });

    it('lets authors and admins only upload and read imports', async () => {
      const anonymous = await upload(null);
      expect(anonymous).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
      expect(anonymous.type).toContain('application/problem+json');
      const byReader = await upload(null, reader);
      expect(byReader).toMatchObject({ status: 403, body: { code: 'forbidden' } });
      const unknown = await call<Problem>(
        'GET',
        '/api/v1/imports/0190a4c2-5b3e-7d2f-8a1b-3c4d5e6f7a8b',
        undefined,
        admin,
      );
      expect(unknown.status).toBe(404);
    });

    it('runs a dry run of an upload: what the import would bring, nothing written', async () => {
      const accepted = await upload(null, admin, 'application/xml', '?dryRun=true');
      expect(accepted.status).toBe(202);
      expect(accepted.body).toMatchObject({ dryRun: true, state: 'queued' });
      const last = (await follow(accepted.location!)).at(-1)!;
      expect(last).toMatchObject({
        dryRun: true,
        state: 'done',
        summary: {
          posts: { added: 51, existing: 0 },
          comments: { added: 27, existing: 0 },
        },
      });
      expect((await call<PostPage>('GET', '/api/v1/posts')).body.items).toEqual([]);
      const unknown = await upload(null, admin, 'application/xml', '?dryRun=maybe');
      expect(unknown).toMatchObject({ status: 400 });
    });

    it('imports the upload in the background with its progress readable, the fixture on the pages, a second upload adding nothing (standalone), nobody told', async () => {
      const mailsBefore = smtp.mails.length;
      const accepted = await upload(null, admin);
      expect(accepted.status).toBe(202);
      const started = accepted.body as ImportView;
      expect(accepted.location).toBe(`/api/v1/imports/${started.id}`);
      expect(started).toMatchObject({
        source: 'wordpress',
        dryRun: false,
        state: 'queued',
        items: { done: 0, total: 180 },
      });
      // Another's import is not theirs to read.
      const peek = await call<Problem>('GET', accepted.location!, undefined, reader);
      expect(peek.status).toBe(403);
      const anonymousPeek = await call<Problem>('GET', accepted.location!);
      expect(anonymousPeek.status).toBe(401);

      const seen = await follow(accepted.location!);
      const running = seen.filter((v) => v.state === 'importing');
      expect(running.length).toBeGreaterThan(0);
      const done = seen.map((v) => v.items.done);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      expect(running.some((v) => v.items.done < 180 && v.items.total === 180)).toBe(true);
      const last = seen.at(-1)!;
      expect(last).toMatchObject({
        state: 'done',
        items: { done: 180, total: 180 },
        failure: null,
        summary: {
          site: { title: 'Theme Unit Test Data', url: 'https://wpthemetestdata.wordpress.com' },
          posts: { added: 51, existing: 0, published: 48, scheduled: 1, draft: 2 },
          comments: {
            added: 27,
            existing: 0,
            byStatus: { approved: 26, pending: 1, spam: 0, trash: 0 },
            byKind: { comment: 23, pingback: 2, trackback: 2 },
          },
          authors: { inFile: 2, matchedAccounts: 1 },
        },
      });
      expect(last.summary!.skipped['page items (Parley has posts only)']).toBe(21);
      expect(last.summary!.categories).toBeGreaterThan(0);
      expect(last.summary!.tags).toBeGreaterThan(0);
      expect(last.finishedAt).not.toBeNull();

      // A second upload runs the same import code on either stack: once is enough, where it is fast.
      if (mode === 'embedded') {
        const again = await upload(null, admin);
        expect(again.status).toBe(202);
        const second = (await follow(again.location!)).at(-1)!;
        expect(second.summary).toMatchObject({
          posts: { added: 0, existing: 51 },
          comments: { added: 0, existing: 27 },
        });
      }

      await expectFixtureOnPages(call, { waitMs: timeouts.wait });
      await expectNobodyTold(call, smtp, admin, mailsBefore, { waitMs: timeouts.wait });
    });
  });
}

uploads('embedded');
describeInfra('uploading a WordPress export on Kafka and the Mongo-compatible server', () =>
  uploads('distributed'),
);
