import { expectInert, XSS_CORPUS } from '../testing/xss-corpus';
import { renderCommentMarkdown as renderCommentBody } from '@parley/text';

describe('comment bodies', () => {
  it.each(XSS_CORPUS)('renders %j inert', (body) => {
    expectInert(renderCommentBody(body));
  });

  it('keeps the text people typed, escaped, when they type HTML', () => {
    expect(renderCommentBody('I love <b>bold</b> & <script>')).toBe(
      '<p>I love &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;</p>',
    );
  });

  it('renders the Markdown subset', () => {
    expect(renderCommentBody('**strong** *em* ~~gone~~ `code`')).toBe(
      '<p><strong>strong</strong> <em>em</em> <del>gone</del> <code>code</code></p>',
    );
    expect(renderCommentBody('> quoted\n\n- one\n- two')).toBe(
      '<blockquote>\n<p>quoted</p>\n</blockquote>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>',
    );
    expect(renderCommentBody('line one\nline two')).toBe('<p>line one<br />line two</p>');
    expect(renderCommentBody('# Not a heading')).toBe('<p>Not a heading</p>');
  });

  it('gives links rel="nofollow ugc" and keeps only http, https and mailto', () => {
    expect(renderCommentBody('[site](https://example.com/a?b=1&c=2)')).toBe(
      '<p><a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc">site</a></p>',
    );
    expect(renderCommentBody('see https://example.com')).toBe(
      '<p>see <a href="https://example.com" rel="nofollow ugc">https://example.com</a></p>',
    );
    expect(renderCommentBody('[me](mailto:me@example.com)')).toContain(
      '<a href="mailto:me@example.com" rel="nofollow ugc">me</a>',
    );
    expect(renderCommentBody('[rel](/relative/path)')).toBe('<p>rel</p>');
    expect(renderCommentBody('[bad](javascript:alert(1))')).toBe('<p>bad</p>');
  });

  it('keeps emoji and any Unicode intact', () => {
    const text = 'Merci beaucoup 🎉👍🏽 — 日本語のコメント, עברית, Ελληνικά, 👨‍👩‍👧';
    expect(renderCommentBody(text)).toBe(`<p>${text}</p>`);
  });
});
