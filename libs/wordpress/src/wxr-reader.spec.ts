import { createReadStream, readFileSync } from 'node:fs';
import { sharedFixture } from '../../../test/support/shared-fixtures';
import { type WxrItem, type WxrRecord, WxrError, readWxr } from './wxr-reader';

const FIXTURE = sharedFixture('wordpress', 'themeunittestdata.wordpress.xml');

async function readAll(chunks: AsyncIterable<string | Buffer>): Promise<WxrRecord[]> {
  const records: WxrRecord[] = [];
  for await (const record of readWxr(chunks)) records.push(record);
  return records;
}

async function* inPieces(text: string, size = 97): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

const items = (records: WxrRecord[]): WxrItem[] =>
  records.flatMap((r) => (r.type === 'item' ? [r.item] : []));

const wxr = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>A blog</title><link>https://blog.example</link><wp:wxr_version>1.2</wp:wxr_version>
${body}
</channel></rss>`;

describe('the WordPress export reader', () => {
  it('keeps a character whose bytes arrive in two chunks, as an upload cuts them', async () => {
    const bytes = Buffer.from(
      wxr('<item><title>Café “déjà vu”</title><wp:post_type>post</wp:post_type></item>'),
    );
    const chunks = async function* () {
      for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
    };
    expect(items(await readAll(chunks()))[0]?.title).toBe('Café “déjà vu”');
  });

  it('reads the Theme Unit Test export: its site, authors, terms, items and comments', async () => {
    const records = await readAll(createReadStream(FIXTURE));
    expect(records[0]).toEqual({
      type: 'site',
      site: {
        title: 'Theme Unit Test Data',
        url: 'https://wpthemetestdata.wordpress.com',
        wxrVersion: '1.2',
      },
    });
    expect(records.filter((r) => r.type === 'author')).toHaveLength(2);
    const all = items(records);
    expect(all).toHaveLength(180);
    const posts = all.filter((i) => i.postType === 'post');
    expect(posts).toHaveLength(51);
    expect(posts.filter((p) => p.status === 'publish')).toHaveLength(49);
    expect(all.flatMap((i) => i.comments)).toHaveLength(32);

    const comments = posts.find((p) => p.postId === '1148')!;
    expect(comments.title).toBe('Template: Comments');
    expect(comments.slug).toBe('template-comments');
    expect(comments.dateGmt).toBe('2012-01-03 17:11:37');
    expect(comments.comments).toHaveLength(20);
    const depth10 = comments.comments.find((c) => c.id === '915')!;
    expect(depth10).toMatchObject({
      parentId: '914',
      authorName: 'themedemos',
      authorEmail: 'themeshaperwp+demos@gmail.com',
      approved: '1',
      dateGmt: '2013-03-14 15:14:47',
    });
    expect(depth10.content).toContain('Comment Depth 10');

    const pings = posts.find((p) => p.postId === '1149')!.comments;
    expect(pings.map((c) => c.type).sort()).toEqual([
      '',
      'pingback',
      'pingback',
      'trackback',
      'trackback',
    ]);
    const manyTags = posts.find((p) => p.postId === '1151')!;
    expect(manyTags.terms.filter((t) => t.domain === 'post_tag').length).toBeGreaterThan(40);
  });

  it('reads the same records however the file is cut into chunks', async () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const whole = await readAll(inPieces(text, text.length));
    const pieces = await readAll(inPieces(text, 61));
    expect(pieces).toEqual(whole);
  });

  it('refuses a file that was cut off, naming what is missing', async () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const cut = text.slice(0, Math.floor(text.length * 0.6));
    await expect(readAll(inPieces(cut, 4096))).rejects.toThrow(WxrError);
    await expect(readAll(inPieces(cut, 4096))).rejects.toThrow(/cut off/);
  });

  it('refuses an RSS feed that is not a WordPress export', async () => {
    const rss =
      '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title><link>https://x.example</link>' +
      '<item><title>A post</title></item></channel></rss>';
    await expect(readAll(inPieces(rss))).rejects.toThrow(/not a WordPress export/);
  });

  it('refuses a document of another kind and text that is not XML', async () => {
    await expect(readAll(inPieces('<html><body>hello</body></html>'))).rejects.toThrow(
      /not a WordPress export: it is <html>/,
    );
    await expect(readAll(inPieces('just some text, { "json": true }'))).rejects.toThrow(WxrError);
  });

  it('keeps a comment’s content as written and its missing fields empty', async () => {
    const records = await readAll(
      inPieces(
        wxr(`<item><title>Hi</title><wp:post_id>7</wp:post_id><wp:post_type>post</wp:post_type>
<content:encoded><![CDATA[<!-- wp:paragraph --><p>Body</p><!-- /wp:paragraph -->]]></content:encoded>
<wp:comment><wp:comment_id>3</wp:comment_id><wp:comment_author><![CDATA[Ann]]></wp:comment_author>
<wp:comment_content><![CDATA[Line one
line two]]></wp:comment_content><wp:comment_approved>spam</wp:comment_approved></wp:comment></item>`),
      ),
    );
    const [item] = items(records);
    expect(item!.content).toBe('<!-- wp:paragraph --><p>Body</p><!-- /wp:paragraph -->');
    expect(item!.comments).toEqual([
      expect.objectContaining({
        id: '3',
        parentId: '0',
        authorName: 'Ann',
        authorEmail: '',
        content: 'Line one\nline two',
        approved: 'spam',
      }),
    ]);
  });

  it('keeps a character whose bytes a chunk boundary splits (a file read as bytes)', async () => {
    const bytes = Buffer.from(
      wxr(`<item><title>Café ☕ 😀</title><wp:post_type>post</wp:post_type>
<wp:comment><wp:comment_id>4</wp:comment_id><wp:comment_content><![CDATA[Žluťoučký kůň — naïve ☕ 😀]]></wp:comment_content></wp:comment></item>`),
    );
    async function* bytesOf(size: number): AsyncGenerator<Buffer> {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    }
    for (const size of [1, 2, 3, 5, 7]) {
      const [item] = items(await readAll(bytesOf(size)));
      expect({ size, title: item!.title, comment: item!.comments[0]!.content }).toEqual({
        size,
        title: 'Café ☕ 😀',
        comment: 'Žluťoučký kůň — naïve ☕ 😀',
      });
    }
  });
});
