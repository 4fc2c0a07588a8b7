import fc from 'fast-check';
import {
  markdownToText,
  renderCommentMarkdown,
  renderPostMarkdown,
  sanitizeCommentHtml,
} from './markdown';
import { capNesting, MAX_MARKDOWN_NESTING } from './nesting';

const RENDERERS = {
  comment: renderCommentMarkdown,
  post: renderPostMarkdown,
  text: markdownToText,
};

function depthOf(html: string, tag: string): number {
  let depth = 0;
  let deepest = 0;
  for (const [, closing] of html.matchAll(new RegExp(`<(/?)${tag}\\b`, 'g'))) {
    depth += closing ? -1 : 1;
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

/** Pieces that Markdown nests, breaks or chokes on, to build texts from. */
const piece = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('>', '> ', '- ', '* ', '1. ', '  ', '\t', '\n', '\n\n', '```', '~~~', '*', '_'),
  fc.constantFrom('[', ']', '(', ')', '<', '>', '`', '\\', '|', '#', '!', '&', '\0', '\r'),
  fc.constantFrom('\ud800', '\udfff', '\u202e', '\u200b', '😀', 'https://example.com'),
  fc
    .integer({ min: 1, max: 3000 })
    .chain((n) =>
      fc.constantFrom('>', '> ', '- ', '1. ', '*', '_', '[', '    ', 'a').map((s) => s.repeat(n)),
    ),
);
const markdownInput = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));

describe('Markdown rendering', () => {
  it.each(Object.entries(RENDERERS))(
    'renders 3,000 nested quotes, lists and emphasis markers (%s) without throwing',
    (_name, render) => {
      for (const deep of [
        `${'>'.repeat(3000)} deep`,
        `${'> '.repeat(3000)}deep`,
        `${'- '.repeat(3000)}deep`,
        `${'1. '.repeat(3000)}deep`,
        `${'> - '.repeat(1500)}deep`,
        `\r${'>'.repeat(3000)} deep`,
        `${'*'.repeat(10_000)}deep${'*'.repeat(10_000)}`,
        `${Array.from({ length: 400 }, (_, i) => `${' '.repeat(2 * i)}- level ${i}`).join('\n')} deep`,
      ]) {
        expect(render(deep)).toContain('deep');
      }
    },
  );

  it('nests quotes and lists no deeper than the limit and shows deeper markers as text', () => {
    const quoted = renderCommentMarkdown(`${'>'.repeat(3000)} deep`);
    expect(depthOf(quoted, 'blockquote')).toBe(MAX_MARKDOWN_NESTING);
    expect(quoted).toContain(`${'&gt;'.repeat(3000 - MAX_MARKDOWN_NESTING)} deep`);

    const listed = renderPostMarkdown(`${'- '.repeat(100)}deep`);
    expect(depthOf(listed, 'ul')).toBe(MAX_MARKDOWN_NESTING);
    const indented = renderPostMarkdown(
      Array.from({ length: 200 }, (_, i) => `${' '.repeat(2 * i)}- level ${i}`).join('\n'),
    );
    expect(depthOf(indented, 'ul')).toBeLessThanOrEqual(2 * MAX_MARKDOWN_NESTING + 1);
    expect(indented).toContain('level 199');
  });

  it('leaves Markdown within the limit as it was', () => {
    const text =
      '> quote\n>> deeper\n\n- one\n  - two\n    1. three\n\n* * * * * * * * * * * * * * * * * * * *';
    expect(capNesting(text)).toBe(text);
    const code = `\`\`\`\n${'> '.repeat(40)}\n${' '.repeat(100)}x\n\`\`\``;
    expect(capNesting(code)).toBe(code);
    expect(renderCommentMarkdown('> quoted\n\n- one\n- two')).toBe(
      '<blockquote>\n<p>quoted</p>\n</blockquote>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>',
    );
  });

  it('keeps the text of a link it may not show, and the markup after it closes as it opened', () => {
    expect(renderCommentMarkdown('see [x](ftp://a) then **bold** and *it*')).toBe(
      '<p>see x then <strong>bold</strong> and <em>it</em></p>',
    );
    // As in an imported comment: a mistyped scheme, then bold on its own line.
    expect(
      sanitizeCommentHtml(
        'a <a href="hhttps://x.org/">link</a>.\n<strong>Abbr</strong> <span>s</span>',
      ),
    ).toBe('a link.\n<strong>Abbr</strong> s');
  });

  it('shows a text the parser cannot take as it was typed, escaped', () => {
    const text = `${'*'.repeat(10_000)}<b>x</b>${'*'.repeat(10_000)}`;
    expect(renderCommentMarkdown(text)).toBe(
      `<p>${'*'.repeat(10_000)}&lt;b&gt;x&lt;/b&gt;${'*'.repeat(10_000)}</p>`,
    );
  });

  it('renders any input to sanitized HTML without throwing (property)', () => {
    fc.assert(
      fc.property(markdownInput, (input) => {
        expect(typeof markdownToText(input)).toBe('string');
        for (const render of [renderCommentMarkdown, renderPostMarkdown]) {
          const html = render(input);
          expect(html).not.toMatch(/<script|\son\w+=|href="javascript:/i);
          expect(depthOf(html, 'blockquote')).toBeLessThanOrEqual(MAX_MARKDOWN_NESTING);
          expect(Math.max(depthOf(html, 'ul'), depthOf(html, 'ol'))).toBeLessThanOrEqual(
            2 * MAX_MARKDOWN_NESTING + 1,
          );
        }
      }),
      { numRuns: 100 },
    );
  });

  it('cuts an excerpt as plain text: no markup, links as their text, code left out', () => {
    expect(markdownToText('Some **Markdown** that becomes the excerpt.')).toBe(
      'Some Markdown that becomes the excerpt.',
    );
    expect(
      markdownToText(
        '# Title\n\nA [link](https://example.com) & <b>html</b>\n\n```\ncode\n```\n\n> quote',
      ),
    ).toBe('Title A link & html quote');
  });
});
