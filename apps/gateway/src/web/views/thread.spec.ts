import type { ThreadItem } from '@parley/contracts';
import { threadItem } from '@parley/testing';
import { type CommentRenderContext, commentArticle } from './thread';

const item = (over: Partial<ThreadItem> = {}): ThreadItem =>
  threadItem('c1', {
    author: { kind: 'account', accountId: 'amy', name: 'Amy', url: null, avatarSeed: 'seed' },
    body: 'First *words*',
    html: '<p>First <em>words</em></p>',
    ...over,
  });

const ctx = (over: Partial<CommentRenderContext> = {}): CommentRenderContext => ({
  slug: 'hello',
  csrf: 'csrf',
  viewerAccountId: 'amy',
  canModerate: false,
  page: 2,
  order: 'oldest',
  editableAfter: '2026-11-24T11:50:00.000Z',
  editing: null,
  ...over,
});

describe('a comment on the page', () => {
  it('offers its author an Edit link within the edit window', () => {
    const markup = commentArticle(item(), ctx()).value;
    expect(markup).toContain('href="/posts/hello?edit=c1&amp;cpage=2#comment-c1"');
    expect(markup).toMatch(/>Edit<\/a>/);
  });

  it('offers no Edit link after the window, to anyone else, or on a deleted comment', () => {
    const after = commentArticle(item(), ctx({ editableAfter: '2026-11-24T12:05:00.000Z' }));
    const other = commentArticle(item(), ctx({ viewerAccountId: 'bob' }));
    const noWindow = commentArticle(item(), ctx({ editableAfter: null }));
    const deleted = commentArticle(item({ deleted: true, author: null }), ctx());
    for (const markup of [after, other, noWindow, deleted])
      expect(markup.value).not.toMatch(/>Edit<\/a>/);
  });

  it('opens a form holding the text as written, posting back to the same place', () => {
    const markup = commentArticle(item(), ctx({ editing: 'c1' })).value;
    expect(markup).toContain('action="/comments/c1/edit"');
    expect(markup).toMatch(/<textarea[^>]*name="body"[^>]*>\nFirst \*words\*<\/textarea/);
    expect(markup).toMatch(/name="back"\s+value="\/posts\/hello\?cpage=2#comment-c1"/);
    expect(markup).not.toContain('<div class="comment-body">');
  });

  it('names a pingback or trackback for what it is, linking to the page that linked here', () => {
    const markup = commentArticle(
      item({
        kind: 'pingback',
        author: {
          kind: 'guest',
          accountId: null,
          name: 'Ping 4 « What’s a tellyworth?',
          url: 'http://tellyworth.example/ping-4/',
          avatarSeed: 'seed',
        },
      }),
      ctx({ viewerAccountId: null }),
    ).value;
    expect(markup).toContain('Pingback: <a href="http://tellyworth.example/ping-4/"');
    expect(markup).not.toContain('class="avatar"');
    expect(commentArticle(item(), ctx()).value).toContain('class="avatar"');
  });

  it("answers an imported comment's old anchor (#comment-123), and no other comment's", () => {
    const imported = commentArticle(
      item({ imported: { system: 'wordpress', site: 'https://old.example', id: '881' } }),
      ctx(),
    ).value;
    expect(imported).toMatch(/^<article id="comment-881" aria-labelledby="comment-c1-by">/);
    expect(commentArticle(item(), ctx()).value).toMatch(/^<article aria-labelledby=/);
  });
});
