import { threadItem } from '@parley/testing';
import { renderPostMarkdown } from '@parley/text';
import { html, pageBytes, type SafeHtml } from '../html';
import { KeptRenderings } from './kept-renderings';
import { type CommentRenderContext, formatDate, threadList } from './thread';

const item = threadItem;

const anonymous = (csrf: string): CommentRenderContext => ({
  slug: 'hello',
  csrf,
  viewerAccountId: null,
  canModerate: false,
  page: 1,
  order: 'oldest',
  editableAfter: null,
  editing: null,
});

/** The markup as a page holding it is sent. */
const sent = (markup: SafeHtml) => pageBytes(html`<main>${markup}</main>`).toString();

describe('renderings kept for anonymous visitors', () => {
  it('gives each visitor the markup of the thread with their own CSRF token', () => {
    const kept = new KeptRenderings();
    const items = [item('c1'), item('c2', { parentId: 'c1', depth: 2, number: null })];
    const first = sent(kept.thread('"v1"', items, anonymous('token-of-ann-000000000')));
    const second = sent(kept.thread('"v1"', items, anonymous('token-of-bob-000000000')));
    expect(first).toBe(
      `<main>${threadList(items, anonymous('token-of-ann-000000000')).value}</main>`,
    );
    expect(second).toBe(
      `<main>${threadList(items, anonymous('token-of-bob-000000000')).value}</main>`,
    );
    expect(second).not.toContain('token-of-ann');
  });

  it("gives a signed-in reader the thread with their own comments' actions and their likes, from kept markup", () => {
    const kept = new KeptRenderings();
    const items = [
      item('c1', {
        author: { kind: 'account', accountId: 'ann', name: 'Ann', url: null, avatarSeed: 's' },
      }),
      item('c2', { parentId: 'c1', depth: 2, number: null, likeCount: 2 }),
      item('c3', {
        parentId: 'c2',
        depth: 3,
        number: null,
        postedAt: '2026-11-24T12:30:00.000Z',
        author: { kind: 'account', accountId: 'ann', name: 'Ann', url: null, avatarSeed: 's' },
      }),
      item('c4', {
        deleted: true,
        author: null,
        body: '',
        html: '',
        message: 'This comment was deleted',
      }),
      item('c5', { parentId: 'c4', depth: 2, number: null }),
    ];
    const ann = (csrf: string, editing: string | null = null): CommentRenderContext => ({
      ...anonymous(csrf),
      viewerAccountId: 'ann',
      // c3 is within the edit window, c1 is not.
      editableAfter: '2026-11-24T12:15:00.000Z',
      editing,
    });
    const likedBy = (ids: string[]) =>
      items.map((i) => (ids.includes(i.id) ? { ...i, likedByViewer: true } : i));
    // Asked in turn by strangers and by Ann, liking more, then editing: each time as rendered afresh.
    const asks: [CommentRenderContext, string[]][] = [
      [anonymous('token-of-guest-0000000'), []],
      [ann('token-of-ann-000000000'), ['c2']],
      [ann('token-of-ann-111111111'), ['c2', 'c3']],
      [anonymous('token-of-guest-1111111'), []],
      [ann('token-of-ann-222222222', 'c3'), ['c2']],
      [ann('token-of-ann-333333333'), ['c2']],
    ];
    for (const [ctx, liked] of asks)
      expect(sent(kept.thread('"v1"', items, ctx, new Set(liked)))).toBe(
        `<main>${threadList(likedBy(liked), ctx).value}</main>`,
      );
    const editing = sent(kept.thread('"v1"', items, ann('t'.repeat(24), 'c3'), new Set()));
    expect(editing).toContain('Edit your comment');
    expect(sent(kept.thread('"v1"', items, ann('t'.repeat(24)), new Set()))).not.toContain(
      'Edit your comment',
    );
  });

  it('renders the thread again when its answer has a new tag', () => {
    const kept = new KeptRenderings();
    kept.thread('"v1"', [item('c1')], anonymous('t'.repeat(24)));
    const next = kept.thread('"v2"', [item('c1'), item('c9')], anonymous('t'.repeat(24)));
    expect(sent(next)).toContain('Comment c9');
  });

  it('renders a post body once per text: an edited post shows its new text', () => {
    const kept = new KeptRenderings();
    expect(kept.postBody({ id: 'p1', body: 'Hello *there*' })).toBe(
      renderPostMarkdown('Hello *there*'),
    );
    expect(kept.postBody({ id: 'p1', body: 'Edited **text**' })).toBe(
      renderPostMarkdown('Edited **text**'),
    );
  });
});

describe('dates on the page', () => {
  it('read as day, month and year in words, with the time in UTC', () => {
    expect(formatDate('2026-11-24T09:05:00.000Z')).toBe('24 November 2026 at 09:05');
    expect(formatDate('2026-01-01T23:59:59.000Z')).toBe('1 January 2026 at 23:59');
  });
});
