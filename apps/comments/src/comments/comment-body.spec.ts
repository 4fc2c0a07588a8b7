import { renderCommentBody } from './comment-body';

const corpus = [
  '<script>alert(1)</script>',
  'Hi <script src="https://evil.example/x.js"></script> there',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click](javascript&#58;alert(1))',
  '[click](  javascript:alert(1))',
  '<javascript:alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<img src=x onerror=alert(1)>',
  '<div onmouseover="alert(1)">hover</div>',
  '<svg onload=alert(1)><circle r=10 /></svg>',
  '<svg><script>alert(1)</script></svg>',
  '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](vbscript:msgbox(1))',
  '<iframe src="https://evil.example"></iframe>',
  '<style>body{display:none}</style>',
  '[<img src=x onerror=alert(1)>](https://example.com)',
  '**<a href="javascript:alert(1)">bold</a>**',
  '[x](https://example.com "title\\" onmouseover=\\"alert(1)")',
  '<<script>script>alert(1)<</script>/script>',
  '`<script>alert(1)</script>`',
  '> <img src=x onerror=alert(1)>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '[a](https://ex.com/"onmouseover="alert(1))',
];

const ALLOWED_TAGS = new Set([
  'p',
  'br',
  'strong',
  'em',
  'del',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'a',
  'hr',
]);

/** Every tag and attribute in the HTML, read the way a browser's tokenizer would start. */
function tagsOf(html: string): { name: string; attributes: Record<string, string> }[] {
  const tags: { name: string; attributes: Record<string, string> }[] = [];
  for (const match of html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)) {
    const attributes: Record<string, string> = {};
    for (const attr of (match[2] ?? '').matchAll(
      /([^\s=/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g,
    )) {
      attributes[(attr[1] ?? '').toLowerCase()] = attr[2] ?? attr[3] ?? attr[4] ?? '';
    }
    tags.push({ name: (match[1] ?? '').toLowerCase(), attributes });
  }
  return tags;
}

export function expectInert(html: string): void {
  for (const tag of tagsOf(html)) {
    expect(ALLOWED_TAGS).toContain(tag.name);
    for (const [name, value] of Object.entries(tag.attributes)) {
      expect(['href', 'rel', 'start']).toContain(name);
      if (name === 'href') expect(value).toMatch(/^(https?:\/\/|mailto:)/i);
    }
  }
  expect(html).not.toMatch(/<\s*(script|style|svg|iframe|img|math|object|embed)/i);
}

describe('comment bodies', () => {
  it.each(corpus)('renders %j inert', (body) => {
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
