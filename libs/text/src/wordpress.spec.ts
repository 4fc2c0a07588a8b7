import { htmlToText, plainTitle, wordpressCommentHtml, wordpressPostHtml } from './wordpress';

describe('WordPress content', () => {
  it('drops Gutenberg block delimiters and keeps what they wrap', () => {
    const html = wordpressPostHtml(
      '<!-- wp:paragraph -->\n<p>First</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:quote {"className":"is-style-large"} -->\n<blockquote class="wp-block-quote"><p>Said</p></blockquote>\n<!-- /wp:quote -->',
    );
    expect(html).not.toContain('wp:');
    expect(html).not.toContain('<!--');
    expect(html).toContain('<p>First</p>');
    expect(html).toContain('<blockquote><p>Said</p></blockquote>');
  });

  it('makes paragraphs and line breaks of a classic post and removes what may not run', () => {
    const html = wordpressPostHtml(
      'One\nstill one\n\nTwo <script>alert(1)</script><a href="javascript:x()">link</a>',
    );
    expect(html).toBe('<p>One<br />\nstill one</p>\n<p>Two <a>link</a></p>');
  });

  it('keeps a comment to the markup comments may show', () => {
    expect(
      wordpressCommentHtml(
        '<strong>Bold</strong>\n<h1>Head</h1>\n\n<img src="x.png" /> <a href="http://a.example/">a</a>',
      ),
    ).toBe(
      '<p><strong>Bold</strong><br />\n<strong>Head</strong></p>\n<p> <a href="http://a.example/" rel="nofollow ugc">a</a></p>',
    );
  });

  it('reads HTML and titles with markup as text', () => {
    expect(htmlToText('<p>One &amp; two</p><p>Three<br>four</p>')).toBe('One & two\n\nThree\nfour');
    expect(plainTitle('Markup: Title <em>With</em> <b>Mark<sup>up</sup></b>')).toBe(
      'Markup: Title With Markup',
    );
  });
});
