import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostPage, ThreadPage } from '@parley/contracts';
import { EmbeddedEventStore } from '@parley/eventstore';
import { eventually, runEntryPoint } from '@parley/testing';
import { plaintextCommentCommit } from '../../apps/comments/src/testing/plaintext-comments';
import { type StandaloneProcess, startStandalone, stopStandalone } from './standalone-process';
import { caller } from './wordpress-fixture';

/** Guests whose comments an old Parley wrote in plaintext. */
const GUESTS = [
  { name: 'Olga Plaintext', email: 'olga.plaintext@example.com', url: 'https://olga-site.example' },
  { name: 'Pavel Cleartext', email: 'pavel.cleartext@example.com', url: null },
];

/** `npm run migrate-log -- <args>` on a data folder: the standalone entry point, as a process. */
const migrateLog = (dataDir: string, args: string[]) =>
  runEntryPoint('standalone', ['migrate-log', ...args], {
    env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  });

/** Every file of a folder, as bytes: what a disk would give away. */
function rawBytes(dir: string): Buffer {
  const parts: Buffer[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) parts.push(rawBytes(path));
    else parts.push(readFileSync(path));
  }
  return Buffer.concat(parts);
}

/**
 * A data folder whose comments were written in plaintext, before personal data was sealed,
 * copied into a new folder by `npm run migrate-log`: the new Parley shows the same thread, and
 * nothing in the new folder holds the guests' names or addresses in clear.
 */
describe('migrating a log written before sealing (standalone)', () => {
  jest.setTimeout(300_000);
  const root = mkdtempSync(join(tmpdir(), 'parley-migrate-log-'));
  const oldDir = join(root, 'old');
  const newDir = join(root, 'new');
  let parley: StandaloneProcess | undefined;
  const call = caller(() => parley?.url ?? '');
  let postId = '';
  let before: ThreadPage;

  afterAll(async () => {
    if (parley) await stopStandalone(parley.child);
    rmSync(root, { recursive: true, force: true });
  });

  it('starts from a data folder holding plaintext guest comments', async () => {
    parley = await startStandalone(oldDir, ['--seed-demo']);
    const posts = await call<PostPage>('GET', '/api/v1/posts?limit=1');
    const post = posts.body.items[0]!;
    postId = post.id;
    before = (await call<ThreadPage>('GET', `/api/v1/posts/${postId}/comments`)).body;
    expect(before.items.length).toBeGreaterThan(0);
    expect(await stopStandalone(parley.child)).toBe(0);
    parley = undefined;

    // Written as the old Parley wrote them (its bus had them then; the new one gets them from the copy).
    const log = await EmbeddedEventStore.open(
      '/parley/comments',
      join(oldDir, 'comments', 'events.jsonl'),
    );
    for (const [i, guest] of GUESTS.entries())
      await log.importCommit(
        plaintextCommentCommit({
          ...guest,
          commentId: randomUUID(),
          postId,
          postTitle: post.title,
          postSlug: post.slug,
          body: `Written before sealing, number ${i + 1}.`,
          postedAt: new Date(Date.now() + i * 1000).toISOString(),
        }),
      );
    await log.close();
    const raw = rawBytes(oldDir).toString('utf8');
    for (const guest of GUESTS) expect(raw).toContain(guest.email);
  });

  it('refuses bad arguments and names what is wrong', async () => {
    const missing = await migrateLog(oldDir, []);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('--to is missing');
    const itself = await migrateLog(oldDir, ['--to', oldDir]);
    expect(itself.code).toBe(64);
    expect(itself.stderr).toContain('the data folder itself');
    const service = await migrateLog(oldDir, ['--service', 'comments', '--to', newDir]);
    expect(service.code).toBe(64);
    expect(service.stderr).toContain('migrated whole');
  });

  it('copies every log into the new folder with the plaintext sealed, and a second run copies nothing', async () => {
    const run = await migrateLog(oldDir, ['--to', newDir]);
    expect(run.stderr).toMatch(/comments: \d+ streams, \d+ commits/);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/comments: .* 5 personal data fields sealed/);

    const again = await migrateLog(oldDir, ['--to', newDir]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/comments: .* 0 commits written now/);
    expect(again.stderr).toMatch(/comments: .* 0 personal data fields sealed/);
  });

  it('shows the same thread on the new folder, the old comments with their guests’ names and websites', async () => {
    parley = await startStandalone(newDir);
    const after = (
      await eventually(async () => {
        const thread = await call<ThreadPage>('GET', `/api/v1/posts/${postId}/comments`);
        // The thread is rebuilt from the logs at start: its accounts' names come with the
        // accounts' events, which may be replayed after the comments that name them by id.
        return thread.body.items?.length === before.items.length + GUESTS.length &&
          thread.body.items.every((item) => item.author?.name)
          ? thread
          : undefined;
      })
    ).body;
    const old = after.items.filter((item) => item.body.startsWith('Written before sealing'));
    const shown = old.map((item) => [item.author?.name, item.author?.url, item.body]);
    expect(shown.sort((a, b) => String(a[2]).localeCompare(String(b[2])))).toEqual(
      GUESTS.map((g, i) => [g.name, g.url, `Written before sealing, number ${i + 1}.`]),
    );
    expect(after.items.filter((item) => !old.includes(item))).toEqual(before.items);
    expect(await stopStandalone(parley.child)).toBe(0);
    parley = undefined;
  });

  it('holds no guest’s name, address or website in clear anywhere in the new folder', () => {
    const raw = rawBytes(newDir).toString('utf8');
    for (const guest of GUESTS)
      for (const text of [guest.name, guest.email, guest.url]) {
        if (text !== null) expect(raw).not.toContain(text);
      }
  });

  it('refuses a target that holds another log', async () => {
    const other = join(root, 'other');
    const log = await EmbeddedEventStore.open(
      '/parley/comments',
      join(other, 'comments', 'events.jsonl'),
    );
    await log.importCommit(
      plaintextCommentCommit({
        ...GUESTS[0]!,
        commentId: randomUUID(),
        postId,
        body: 'Elsewhere',
        postedAt: '2024-02-01T00:00:00.000Z',
      }),
    );
    await log.close();
    const refused = await migrateLog(oldDir, ['--to', other]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not migrated: the target already holds another log');
    expect(existsSync(join(other, 'secrets.json'))).toBe(false);
  });
});
