import type { CommentToImport, ImportTarget, PostToImport, StepOutcome } from './wordpress-import';
import { isImportedWriterId } from '@parley/domain';
import { COMMENTS_AT_A_TIME, importWordpress, importedId, postStatusOf } from './wordpress-import';

const SITE = 'https://old.example';

const wxr = (items: string) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Old blog</title><link>${SITE}/</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login>ann</wp:author_login><wp:author_email>ann@old.example</wp:author_email><wp:author_display_name>Ann</wp:author_display_name></wp:author>
${items}
</channel></rss>`;

const comment = (id: string, parent: string, extra = '') =>
  `<wp:comment><wp:comment_id>${id}</wp:comment_id><wp:comment_parent>${parent}</wp:comment_parent>
<wp:comment_author>Guest ${id}</wp:comment_author><wp:comment_author_email>guest${id}@example.com</wp:comment_author_email>
<wp:comment_date_gmt>2014-01-0${id} 10:00:00</wp:comment_date_gmt><wp:comment_content>Comment ${id}</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved>${extra}</wp:comment>`;

const POST = `<item><title>Hello</title><link>${SITE}/2014/01/01/hello/</link><dc:creator>ann</dc:creator><wp:post_id>10</wp:post_id>
<wp:post_type>post</wp:post_type><wp:status>publish</wp:status><wp:post_name>hello</wp:post_name>
<wp:post_date_gmt>2014-01-01 09:00:00</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>
<content:encoded><![CDATA[<!-- wp:paragraph --><p>Hi</p><!-- /wp:paragraph -->]]></content:encoded>
${comment('3', '2')}${comment('1', '0')}${comment('2', '1')}${comment('4', '99')}
</item><item><title>About</title><wp:post_id>11</wp:post_id><wp:post_type>page</wp:post_type>
<wp:status>publish</wp:status>${comment('5', '0')}</item>`;

class FakeTarget implements ImportTarget {
  readonly posts: PostToImport[] = [];
  readonly comments: CommentToImport[] = [];
  private readonly seen = new Set<string>();

  accountByEmail(email: string) {
    return Promise.resolve(
      email === 'ann@old.example' || email === 'guest2@example.com'
        ? { accountId: `acc-${email}`, displayName: 'Ann Here', roles: ['author' as const] }
        : null,
    );
  }

  importPost(post: PostToImport): Promise<StepOutcome> {
    this.posts.push(post);
    return Promise.resolve(this.once(post.postId));
  }

  importComment(comment: CommentToImport): Promise<StepOutcome> {
    this.comments.push(comment);
    return Promise.resolve(this.once(comment.commentId));
  }

  has(_what: 'post' | 'comment', id: string): Promise<boolean> {
    return Promise.resolve(this.seen.has(id));
  }

  private once(id: string): StepOutcome {
    if (this.seen.has(id)) return 'existing';
    this.seen.add(id);
    return 'added';
  }
}

async function* chunks(text: string): AsyncGenerator<string> {
  yield text;
}

/** A target that takes a while for each comment, and notes what it was doing when. */
class SlowTarget extends FakeTarget {
  readonly log: string[] = [];
  private inFlight = 0;
  maxInFlight = 0;

  override async importComment(comment: CommentToImport): Promise<StepOutcome> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.log.push(`start ${comment.imported.id}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    this.log.push(`in ${comment.imported.id}`);
    this.inFlight -= 1;
    return super.importComment(comment);
  }
}

describe('importing a WordPress export', () => {
  it('imports several comments of a post at a time, a reply only once its parent is in', async () => {
    const replies = Array.from({ length: 20 }, (_, i) => comment(String(i + 5), '1')).join('');
    const target = new SlowTarget();
    const summary = await importWordpress({
      open: () => chunks(wxr(POST.replace('</item>', `${replies}</item>`))),
      target,
      dryRun: false,
    });
    expect(summary.comments.added).toBe(24);
    expect(target.maxInFlight).toBe(COMMENTS_AT_A_TIME);
    const at = (entry: string) => target.log.indexOf(entry);
    expect(at('start 2')).toBeGreaterThan(at('in 1'));
    expect(at('start 3')).toBeGreaterThan(at('in 2'));
    for (let i = 5; i < 25; i++) expect(at(`start ${i}`)).toBeGreaterThan(at('in 1'));
  });

  it("keeps the byline of a writer without an account here, under an imported writer's id", async () => {
    const target = new FakeTarget();
    const bea = wxr(
      POST.replace('<dc:creator>ann</dc:creator>', '<dc:creator>bea</dc:creator>'),
    ).replace(
      '</wp:author>',
      '</wp:author><wp:author><wp:author_login>bea</wp:author_login><wp:author_email>bea@old.example</wp:author_email><wp:author_display_name>Bea Old</wp:author_display_name></wp:author>',
    );
    await importWordpress({ open: () => chunks(bea), target, dryRun: false });
    const { author } = target.posts[0]!;
    expect(author.displayName).toBe('Bea Old');
    expect(isImportedWriterId(author.accountId)).toBe(true);
  });

  it('stops at a comment whose import fails, with its error, and starts no other after it', async () => {
    const failure = new Error('comments service unreachable');
    class FailingTarget extends SlowTarget {
      override async importComment(comment: CommentToImport): Promise<StepOutcome> {
        if (comment.imported.id === '7') {
          this.log.push('start 7');
          await new Promise((resolve) => setTimeout(resolve, 10));
          this.log.push('failed 7');
          throw failure;
        }
        return super.importComment(comment);
      }
    }
    const others = Array.from({ length: 20 }, (_, i) => comment(String(i + 5), '0')).join('');
    const target = new FailingTarget();
    await expect(
      importWordpress({
        open: () => chunks(wxr(POST.replace('</item>', `${others}</item>`))),
        target,
        dryRun: false,
      }),
    ).rejects.toBe(failure);
    // What was under way when it failed is in; nothing was started after the failure.
    const failedAt = target.log.indexOf('failed 7');
    expect(target.log.slice(failedAt).filter((entry) => entry.startsWith('start'))).toEqual([]);
    expect(target.log.filter((entry) => entry.startsWith('start')).length).toBe(
      target.log.filter((entry) => entry.startsWith('in')).length + 1,
    );
    expect(target.comments.length).toBeLessThan(23);
  });

  it('reports a refused comment as before, and leaves its replies out', async () => {
    class RefusingTarget extends SlowTarget {
      override async importComment(comment: CommentToImport): Promise<StepOutcome> {
        // The later one is refused first: the summary still names them in the order they were taken.
        if (comment.imported.id === '4') return { refused: 'body-too-long: Too long' };
        if (comment.imported.id !== '1') return super.importComment(comment);
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { refused: 'post-closed: Comments are closed' };
      }
    }
    const summary = await importWordpress({
      open: () => chunks(wxr(POST)),
      target: new RefusingTarget(),
      dryRun: false,
    });
    expect(summary.comments).toMatchObject({ added: 0, existing: 0 });
    expect(Object.entries(summary.skipped)).toEqual([
      ['comments refused: post-closed: Comments are closed', 1],
      ['replies to a comment that was not imported', 2],
      ['comments refused: body-too-long: Too long', 1],
      ['page items (Parley has posts only)', 1],
      ['comments on page items', 1],
    ]);
    expect(summary.notes).toEqual({
      'replies to a comment not in the file, imported as top-level comments': 1,
    });
  });

  it('imports a post and its comments parents first, with ids from the site and the WordPress ids', async () => {
    const target = new FakeTarget();
    const summary = await importWordpress({
      open: () => chunks(wxr(POST)),
      target,
      dryRun: false,
    });
    expect(target.posts).toHaveLength(1);
    const post = target.posts[0]!;
    const postId = importedId(SITE, 'post', '10', new Date('2014-01-01T09:00:00Z'));
    expect(post).toMatchObject({
      postId,
      slug: 'hello',
      status: 'published',
      content: { title: 'Hello', body: '<p>Hi</p>' },
      imported: { system: 'wordpress', site: SITE, id: '10', link: `${SITE}/2014/01/01/hello/` },
    });
    // Its writer has an account here: named by id only, the account's name is the account's.
    expect(post.author).toEqual({ accountId: 'acc-ann@old.example' });
    const idOf = (id: string) =>
      importedId(SITE, 'comment', id, new Date(`2014-01-0${id}T10:00:00Z`));
    const calls = target.comments.map((c) => [c.imported.id, c.parentId]);
    expect([...calls].sort()).toEqual([
      ['1', null],
      ['2', idOf('1')],
      ['3', idOf('2')],
      // Its parent is not in the file: it stands on its own.
      ['4', null],
    ]);
    // Several at a time, but never a reply before its parent.
    const at = (id: string) => calls.findIndex(([wpId]) => wpId === id);
    expect(at('1')).toBeLessThan(at('2'));
    expect(at('2')).toBeLessThan(at('3'));
    const byId = (id: string) => target.comments.find((c) => c.imported.id === id)!;
    expect(byId('2').author).toEqual({
      kind: 'account',
      account: { accountId: 'acc-guest2@example.com', displayName: 'Ann Here', roles: ['author'] },
    });
    expect(byId('1').author).toEqual({
      kind: 'guest',
      person: { name: 'Guest 1', email: 'guest1@example.com', url: null },
    });
    expect(summary.comments).toMatchObject({ added: 4, existing: 0 });
    expect(summary.skipped).toEqual({
      'page items (Parley has posts only)': 1,
      'comments on page items': 1,
    });

    const again = await importWordpress({ open: () => chunks(wxr(POST)), target, dryRun: false });
    expect(again.posts).toMatchObject({ added: 0, existing: 1 });
    expect(again.comments).toMatchObject({ added: 0, existing: 4 });
  });

  it('writes nothing in a dry run, and tells what is new and what is here already', async () => {
    const target = new FakeTarget();
    const summary = await importWordpress({ open: () => chunks(wxr(POST)), target, dryRun: true });
    expect(target.posts).toEqual([]);
    expect(target.comments).toEqual([]);
    expect(summary.posts).toMatchObject({ added: 1, existing: 0 });
    expect(summary.comments).toMatchObject({ added: 4, existing: 0 });

    await importWordpress({ open: () => chunks(wxr(POST)), target, dryRun: false });
    const after = await importWordpress({ open: () => chunks(wxr(POST)), target, dryRun: true });
    expect(after.posts).toMatchObject({ added: 0, existing: 1 });
    expect(after.comments).toMatchObject({ added: 0, existing: 4 });
    expect(target.posts).toHaveLength(1);
  });

  it('reads WordPress statuses as the closest Parley has', () => {
    expect(postStatusOf({ status: 'publish', password: '' })).toBe('published');
    expect(postStatusOf({ status: 'publish', password: 'enter' })).toBe('draft');
    expect(postStatusOf({ status: 'future', password: '' })).toBe('scheduled');
    expect(postStatusOf({ status: 'private', password: '' })).toBe('draft');
    expect(postStatusOf({ status: 'trash', password: '' })).toBeNull();
  });
});
