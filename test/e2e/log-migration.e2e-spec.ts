import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostPage, PostView, ThreadPage } from '@parley/contracts';
import { type Commit, EmbeddedEventStore } from '@parley/eventstore';
import { eventually, runEntryPoint, jsonCaller } from '@parley/testing';
import { newCommentId } from '../../apps/comments/src/comments/comment-keys';
import { plaintextCommentCommit } from '../../apps/comments/src/testing/plaintext-comments';
import { oldNotificationCommit } from '../../apps/notifications/src/testing/old-notifications';
import { oldLikeCommit, oldPostCommit } from '../../apps/posts/src/testing/old-post-events';
import { type StandaloneProcess, startStandalone, stopStandalone } from './standalone-process';

/** Guests whose comments an old Parley wrote in plaintext. */
const GUESTS = [
  { name: 'Olga Plaintext', email: 'olga.plaintext@example.com', url: 'https://olga-site.example' },
  { name: 'Pavel Cleartext', email: 'pavel.cleartext@example.com', url: null },
];

/** Names an account had, which events written before they named accounts by id copied. */
const COPIED = {
  draft: 'Quentin Draftname',
  imported: 'Quinn Importedname',
  like: 'Lena Likedname',
  notification: 'Nora Notifiedname',
} as const;

/** An old Parley's events of another service, written into its log as they were. */
async function writeOld(dir: string, service: string, commits: Commit[]): Promise<void> {
  const log = await EmbeddedEventStore.open(
    `/parley/${service}`,
    join(dir, service, 'events.jsonl'),
  );
  for (const commit of commits) await log.importCommit(commit);
  await log.close();
}

/** The bytes of every service's event log in a data folder. */
function logBytes(dir: string): string {
  return readdirSync(dir)
    .map((service) => join(dir, service, 'events.jsonl'))
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path, 'utf8'))
    .join('\n');
}

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
 * nothing in the new folder holds the guests' names or addresses in clear; nor does its log hold
 * the names that posts, likes and notifications copied from accounts before naming them by id.
 */
describe('migrating a log written before sealing (standalone)', () => {
  jest.setTimeout(300_000);
  const root = mkdtempSync(join(tmpdir(), 'parley-migrate-log-'));
  const oldDir = join(root, 'old');
  const newDir = join(root, 'new');
  let parley: StandaloneProcess | undefined;
  const call = jsonCaller(() => parley?.url ?? '');
  let postId = '';
  let before: ThreadPage;
  let author = { id: '', displayName: '' };
  const importedPostId = randomUUID();

  afterAll(async () => {
    if (parley) await stopStandalone(parley.child);
    rmSync(root, { recursive: true, force: true });
  });

  it('starts from a data folder holding plaintext guest comments', async () => {
    parley = await startStandalone(oldDir, ['--seed-demo']);
    const posts = await call<PostPage>('GET', '/api/v1/posts?limit=1');
    const post = posts.body.items[0]!;
    postId = post.id;
    author = post.author;
    before = (await call<ThreadPage>('GET', `/api/v1/posts/${postId}/comments`)).body;
    expect(before.items.length).toBeGreaterThan(0);
    expect(await stopStandalone(parley.child)).toBe(0);
    parley = undefined;

    // Written as the old Parley wrote them (its bus had them then; the new one gets them from the copy).
    const log = await EmbeddedEventStore.open(
      '/parley/comments',
      join(oldDir, 'comments', 'events.jsonl'),
    );
    for (const [i, guest] of GUESTS.entries()) {
      // Ids sort by posting time, as Parley makes them: the thread numbers its comments by id.
      const postedAt = new Date(Date.now() + i * 1000);
      await log.importCommit(
        plaintextCommentCommit({
          ...guest,
          commentId: newCommentId(postedAt),
          postId,
          postTitle: post.title,
          postSlug: post.slug,
          body: `Written before sealing, number ${i + 1}.`,
          postedAt: postedAt.toISOString(),
        }),
      );
    }
    await log.close();
    const at = new Date(Date.now() - 86_400_000).toISOString();
    await writeOld(oldDir, 'posts', [
      oldPostCommit({
        postId: randomUUID(),
        authorId: author.id,
        authorName: COPIED.draft,
        slug: 'a-draft-written-before-v2',
        title: 'A draft written before v2',
        at,
      }),
      // Imported by an older Parley from a writer who had an account here, with their name.
      oldPostCommit({
        postId: importedPostId,
        authorId: author.id,
        authorName: COPIED.imported,
        slug: 'imported-before-v2',
        title: 'Imported before v2',
        at,
        published: true,
        imported: { system: 'wordpress', site: 'https://old-blog.example', id: '41' },
      }),
      oldLikeCommit({
        postId: importedPostId,
        accountId: author.id,
        displayName: COPIED.like,
        at,
      }),
    ]);
    await writeOld(oldDir, 'notifications', [
      oldNotificationCommit({
        notificationId: `ntf-${randomUUID()}`,
        authorName: COPIED.notification,
        recipientAccountId: author.id,
        version: 2,
        at,
      }),
    ]);
    const raw = rawBytes(oldDir).toString('utf8');
    for (const guest of GUESTS) expect(raw).toContain(guest.email);
    const logs = logBytes(oldDir);
    expect(Object.values(COPIED).filter((name) => logs.includes(name))).toEqual(
      Object.values(COPIED),
    );
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
    // The names a draft and an import copied from an account, and the one a notification did.
    expect(run.stderr).toMatch(/posts: .* 2 personal data fields sealed/);
    expect(run.stderr).toMatch(/notifications: .* 1 personal data fields sealed/);

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
    // The post imported with the name it copied shows its account's own name instead.
    const imported = await eventually(
      async () => {
        const found = await call<PostView>('GET', `/api/v1/posts/${importedPostId}`);
        return found.status === 200 && found.body.author.displayName ? found.body : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(imported.author).toEqual(author);
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

  it('holds no name copied from an account in the new folder’s logs', () => {
    const raw = logBytes(newDir);
    expect(raw).toContain('parley.post.drafted.v2');
    expect(Object.values(COPIED).filter((name) => raw.includes(name))).toEqual([]);
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
