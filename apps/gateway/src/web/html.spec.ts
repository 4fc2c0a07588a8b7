import { html, pageBytes, SafeHtml, safeUrl, trusted } from './html';

describe('html templates', () => {
  it('escapes every interpolated value', () => {
    const name = '<img src=x onerror="alert(1)">';
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>',
    );
    expect(html`<a title="${"it's"}"></a>`.value).toBe('<a title="it&#39;s"></a>');
  });

  it('keeps nested templates and trusted markup, joins arrays and drops empty values', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${trusted('<em>ok</em>')}`.value).toBe(
      '<ul><li>a&lt;b</li><li>c</li></ul><em>ok</em>',
    );
    expect(html`${0} ${'ÿ 🎬 日本'}`.value).toBe('0 ÿ 🎬 日本');
  });

  it('lets only safe URLs into links', () => {
    expect(safeUrl('https://blog.example/a?b=1')).toBe('https://blog.example/a?b=1');
    expect(safeUrl('/posts/her')).toBe('/posts/her');
    expect(safeUrl('javascript:alert(1)')).toBe('#');
    expect(safeUrl(' JavaScript:alert(1)')).toBe('#');
    expect(safeUrl('data:text/html,x')).toBe('#');
    expect(safeUrl('//evil.example')).toBe('#');
    expect(safeUrl(null)).toBe('#');
  });

  it('sends kept bytes where their markers stand, however deep they were nested', () => {
    const kept = (marker: string, text: string) =>
      new SafeHtml(marker, [
        { marker, parts: [Buffer.from(text.slice(0, 2)), Buffer.from(text.slice(2))] },
      ]);
    const page = html`<body>${[html`<p>${kept('\u0000a\u0000', 'éé 日本')}</p>`]}<hr>${kept('\u0000b\u0000', 'second')}</body>`;
    expect(page.value).not.toContain('日本');
    expect(pageBytes(page).toString('utf8')).toBe('<body><p>éé 日本</p><hr>second</body>');
    expect(pageBytes(html`<p>${'plain'}</p>`)).toBe('<p>plain</p>');
  });
});
