import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailCatcher, runEntryPoint, jsonCaller } from '@parley/testing';
import { type StandaloneProcess, startStandalone, stopStandalone } from './standalone-process';
import {
  WORDPRESS_FIXTURE as FIXTURE,
  expectFirstImport,
  expectFixtureOnPages,
  expectNobodyTold,
  expectNothingAdded,
  writerFollowingTheBlog,
} from './wordpress-fixture';

const ROOT = join(__dirname, '..', '..');

/** `npm run import` after its build: the embedded entry point's import command, as a process. */
const runImport = (dataDir: string, args: string[], env: Record<string, string>) =>
  runEntryPoint('standalone', ['import', ...args], {
    env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
  });

describe('importing a WordPress export into the embedded Parley (npm run import)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-wordpress-'));
  const smtp = new MailCatcher();
  let parley: StandaloneProcess | undefined;

  const call = jsonCaller(() => parley!.url);

  beforeAll(async () => {
    await smtp.start();
  });

  afterAll(async () => {
    if (parley) await stopStandalone(parley.child);
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings in every published post and comment, nested as in WordPress, twice without adding anything, telling nobody', async () => {
    const env = { SMTP_URL: smtp.url };
    parley = await startStandalone(dataDir, [], env);
    const token = await writerFollowingTheBlog(call, smtp);
    expect(await stopStandalone(parley.child)).toBe(0);
    parley = undefined;
    const mailsBefore = smtp.mails.length;

    const first = await runImport(dataDir, ['wordpress', FIXTURE], env);
    expect({ code: first.code, output: first.output }).toMatchObject({ code: 0 });
    expectFirstImport(first.output);
    // A writer with an account here is named by id only: the posts' log holds no copy of the
    // account's name; a writer without one keeps their old blog's byline.
    const postsLog = readFileSync(join(dataDir, 'posts', 'events.jsonl'), 'utf8');
    expect(postsLog).not.toContain('Reviewer Here');
    expect(postsLog).toContain('Theme Buster');

    const dry = await runImport(dataDir, ['wordpress', FIXTURE, '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.output).toContain('would import (dry run, nothing written)');
    expect(dry.output).toMatch(/posts: +0 new, 51 already here/);

    const again = await runImport(dataDir, ['wordpress', FIXTURE], env);
    expect(again.code).toBe(0);
    expectNothingAdded(again.output);

    parley = await startStandalone(dataDir, [], env);
    await expectFixtureOnPages(call);

    // The old blog's addresses lead to the post.
    for (const old of [
      '/2012/01/03/template-comments/',
      '/2012/01/03/template-comments',
      '/?p=1148',
    ]) {
      const moved = await call('GET', old);
      expect({ old, status: moved.status, location: moved.headers.get('location') }).toEqual({
        old,
        status: 301,
        location: '/posts/template-comments',
      });
    }
    expect((await call('GET', '/2012/01/03/no-such-post/')).status).toBe(404);
    // The draft's ?p= leads nowhere: the front page, as for any other query.
    const draft = await call('GET', '/?p=1164');
    expect(draft.status).toBe(200);
    expect(draft.headers.get('location')).toBeNull();

    await expectNobodyTold(call, smtp, token, mailsBefore);
  }, 400_000);

  it('refuses a file that is not a WordPress export or was cut off, and writes nothing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'parley-wordpress-bad-'));
    try {
      const notWxr = await runImport(empty, ['wordpress', join(ROOT, 'package.json')], {});
      expect(notWxr.code).toBe(65);
      expect(notWxr.output).toMatch(/not well-formed XML|not a WordPress export/);
      const cutOff = join(empty, 'cut-off.xml');
      writeFileSync(cutOff, readFileSync(FIXTURE).subarray(0, 300_000));
      const cut = await runImport(empty, ['wordpress', cutOff], {});
      expect(cut.code).toBe(65);
      expect(cut.output).toContain('it was cut off');
      const usage = await runImport(empty, ['blogger', FIXTURE], {});
      expect(usage.code).toBe(64);
      expect(readdirSync(empty)).toEqual(['cut-off.xml']);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 120_000);
});
