import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostView, ThreadPage, TokensResponse } from '@parley/contracts';
import { requestJson } from '@parley/testing';
import { type StandaloneProcess, startStandalone, stopStandalone } from './standalone-process';

/** The write load of the benchmark (bench/http.bench.ts): 16 connections, as fast as answered. */
const CONNECTIONS = 16;
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);

async function ok<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const answer = await requestJson<T>(base, method, path, body, token);
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`);
  return answer.body;
}

/** How many times each comment shows in the post's thread, over every page. */
async function threadCounts(base: string, postId: string, token: string) {
  const counts = new Map<string, number>();
  for (let page = 1, pages = 1; page <= pages; page++) {
    const thread = await ok<ThreadPage>(
      base,
      'GET',
      `/api/v1/posts/${postId}/comments?page=${page}`,
      undefined,
      token,
    );
    pages = thread.totals.pages;
    for (const item of thread.items) counts.set(item.id, (counts.get(item.id) ?? 0) + 1);
  }
  return counts;
}

/** Comments answered 201 that the thread does not show exactly once, and comments it shows that were not. */
async function storedOnce(base: string, postId: string, token: string, created: string[]) {
  const counts = await threadCounts(base, postId, token);
  const answered = new Set(created);
  return {
    notOnce: created
      .filter((id) => counts.get(id) !== 1)
      .map((id) => `${id} ×${counts.get(id) ?? 0}`),
    unanswered: [...counts.keys()].filter((id) => !answered.has(id)),
  };
}

function alive(parley: StandaloneProcess): boolean {
  return parley.child.exitCode === null && parley.child.signalCode === null;
}

/** Lines a crash or a lost promise leaves in the output. */
const CRASH = /unhandled|uncaught|ENOENT|triggerUncaughtException|Parley failed/i;

describe('standalone mode under a minute of sustained comment writes, with its data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-soak-'));
  const limits = { RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_WRITES_PER_MINUTE: '1000000' };
  let parley: StandaloneProcess | undefined;

  afterAll(async () => {
    if (parley) await stopStandalone(parley.child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stays up, and stores every comment it answered 201 once, before and after a restart', async () => {
    parley = await startStandalone(dataDir, [], limits);
    const base = parley.url;
    const register = (name: string) =>
      ok<TokensResponse>(base, 'POST', '/api/v1/auth/register', {
        email: `${name}@soak.example`,
        password: 'a-soak-test-password',
        displayName: name,
      });
    const admin = await register('admin');
    const reader = await register('reader');
    await ok(
      base,
      'PUT',
      '/api/v1/settings/comments',
      { floodSeconds: 0, commentsPerPage: 500 },
      admin.accessToken,
    );
    const post = await ok<PostView>(
      base,
      'POST',
      '/api/v1/posts',
      { title: 'Soak', body: 'A post that takes a minute of comments.' },
      admin.accessToken,
    );
    await ok(base, 'POST', `/api/v1/posts/${post.id}/publish`, undefined, admin.accessToken);

    const created: string[] = [];
    const refused: string[] = [];
    const end = Date.now() + SECONDS * 1000;
    let sent = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < end) {
          const n = sent++;
          try {
            const answer = await requestJson<{ id: string }>(
              base,
              'POST',
              `/api/v1/posts/${post.id}/comments`,
              { body: `A comment under load, number ${n}, with a little **markdown**.` },
              reader.accessToken,
            );
            if (answer.status === 201) created.push(answer.body.id);
            else refused.push(`${answer.status} ${answer.text.slice(0, 200)}`);
          } catch (error) {
            refused.push(String(error));
            if (!alive(parley!)) return;
          }
        }
      }),
    );
    process.stdout.write(
      `[soak] ${created.length} comments answered 201 in ${SECONDS} s (${Math.round(created.length / SECONDS)}/s), ${refused.length} not\n`,
    );

    // The process's last words when it did not survive.
    expect(alive(parley) ? 'running' : parley.output().slice(-3000)).toBe('running');
    expect(parley.output()).not.toMatch(CRASH);
    expect(refused.slice(0, 5)).toEqual([]);
    expect(created.length).toBeGreaterThan(SECONDS);
    const once = { notOnce: [], unanswered: [] };
    expect(await storedOnce(base, post.id, reader.accessToken, created)).toEqual(once);

    expect(await stopStandalone(parley.child)).toBe(0);
    expect(parley.output()).not.toMatch(CRASH);
    parley = await startStandalone(dataDir, [], limits);
    expect(await storedOnce(parley.url, post.id, reader.accessToken, created)).toEqual(once);
    expect(await stopStandalone(parley.child)).toBe(0);
    expect(parley.output()).not.toMatch(CRASH);
    parley = undefined;
  }, 240_000);
});
