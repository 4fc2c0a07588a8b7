import { NATIVE_WORDPRESS_ID_FLOOR, wordpressIdOf } from '@parley/domain';
import type { ExportedComment, ExportedPost, PostStatusView } from '@parley/contracts';
import { SaxesParser } from 'saxes';
import {
  type ExportSource,
  type WxrOptions,
  cdata,
  gatherChannel,
  stableIntegerId,
  writeWxr,
} from './wxr-writer';

function post(overrides: Partial<ExportedPost> = {}): ExportedPost {
  return {
    id: '0190a000-0000-7000-8000-000000000001',
    wordpressId: null,
    slug: 'hello-world',
    title: 'Hello & <world>',
    body: 'A body with **bold** and ]]> inside.',
    excerpt: 'Hello',
    ownExcerpt: false,
    categories: ['News'],
    tags: ['First Tag'],
    author: { id: 'acc-1', displayName: 'Boots Writer' },
    status: 'published',
    publishAt: null,
    publishedAt: '2024-05-01T10:20:30.456Z',
    draftedAt: '2024-04-30T09:00:00.000Z',
    updatedAt: '2024-05-02T00:00:00.000Z',
    commentSettings: { mode: 'open', autoCloseDays: null },
    ...overrides,
  };
}

function comment(id: string, overrides: Partial<ExportedComment> = {}): ExportedComment {
  return {
    id,
    parentId: null,
    author: {
      kind: 'guest',
      accountId: null,
      name: 'Guest',
      url: 'https://guest.example/?a=1&b=2',
      email: 'guest@example.com',
    },
    body: 'text',
    html: '<p>text</p>',
    status: 'approved',
    kind: 'comment',
    postedAt: '2024-05-03T08:00:00.000Z',
    ...overrides,
  };
}

function sourceOf(
  posts: ExportedPost[],
  comments: Record<string, ExportedComment[]> = {},
): ExportSource {
  return {
    async *posts(status: PostStatusView) {
      yield* posts.filter((p) => p.status === status);
    },
    async *comments(postId: string) {
      yield* comments[postId] ?? [];
    },
  };
}

async function exportOf(
  source: ExportSource,
  options: Partial<WxrOptions> = {},
): Promise<{ xml: string; chunks: number }> {
  const channel = await gatherChannel(source);
  let xml = '';
  let chunks = 0;
  for await (const chunk of writeWxr(source, channel, {
    site: { title: 'A & B', description: 'Blog', url: 'https://blog.example' },
    personalData: true,
    now: new Date('2024-06-01T00:00:00Z'),
    ...options,
  })) {
    xml += chunk;
    chunks += 1;
  }
  return { xml, chunks };
}

interface ParsedComment {
  [field: string]: string;
}

/** Reads the XML back with a strict parser: the texts of each item's fields and comments. */
function parse(xml: string) {
  const parser = new SaxesParser({ xmlns: true });
  const items: { fields: Record<string, string>; comments: ParsedComment[] }[] = [];
  const channel: Record<string, string[]> = {};
  let text = '';
  let item: (typeof items)[number] | null = null;
  let current: ParsedComment | null = null;
  const namespaces: Record<string, string> = {};
  parser.on('opentag', (tag) => {
    text = '';
    if (tag.name === 'rss')
      for (const [name, attr] of Object.entries(tag.attributes))
        if (name.startsWith('xmlns:')) namespaces[name.slice(6)] = attr.value;
    if (tag.name === 'item') item = { fields: {}, comments: [] };
    if (tag.name === 'wp:comment') current = {};
  });
  parser.on('text', (t) => (text += t));
  parser.on('cdata', (t) => (text += t));
  parser.on('closetag', (tag) => {
    if (tag.name === 'item' && item) {
      items.push(item);
      item = null;
    } else if (tag.name === 'wp:comment' && item && current) {
      item.comments.push(current);
      current = null;
    } else if (current) current[tag.name] = text;
    else if (item) item.fields[tag.name] = [item.fields[tag.name], text].filter(Boolean).join('|');
    else (channel[tag.name] ??= []).push(text);
  });
  parser.write(xml).close();
  return { items, channel, namespaces };
}

describe('the WXR 1.2 writer', () => {
  it('writes well-formed XML with the namespaces and channel lists WordPress reads', async () => {
    const source = sourceOf([
      post(),
      post({ id: 'p2', slug: 'draft', status: 'draft', categories: ['news', 'Other'], tags: [] }),
    ]);
    const { xml, chunks } = await exportOf(source);
    const { items, channel, namespaces } = parse(xml);
    expect(namespaces).toMatchObject({
      wp: 'http://wordpress.org/export/1.2/',
      excerpt: 'http://wordpress.org/export/1.2/excerpt/',
      content: 'http://purl.org/rss/1.0/modules/content/',
      dc: 'http://purl.org/dc/elements/1.1/',
    });
    expect(channel['wp:wxr_version']).toEqual(['1.2']);
    expect(channel['wp:base_blog_url']).toEqual(['https://blog.example']);
    expect(channel['title']).toEqual(['A & B']);
    expect(channel['wp:cat_name']).toEqual(['News', 'Other']);
    expect(channel['wp:tag_name']).toEqual(['First Tag']);
    expect(channel['wp:tag_slug']).toEqual(['first-tag']);
    expect(channel['wp:author_display_name']).toEqual(['Boots Writer']);
    // One chunk per post after the channel: the file is written as it is read.
    expect(chunks).toBe(4 + items.length + 1);
    expect(items.map((i) => [i.fields['wp:status'], i.fields['wp:post_name']])).toEqual([
      ['publish', 'hello-world'],
      ['draft', 'draft'],
    ]);
    const [first] = items;
    expect(first?.fields).toMatchObject({
      title: 'Hello & <world>',
      'wp:post_date_gmt': '2024-05-01 10:20:30',
      'dc:creator': 'boots-writer',
      'wp:post_type': 'post',
      category: 'News|First Tag',
    });
    expect(first?.fields['content:encoded']).toBe(
      '<p>A body with <strong>bold</strong> and ]]&gt; inside.</p>',
    );
  });

  it('splits a ]]> in a CDATA section so that it cannot end it', () => {
    expect(cdata('a]]>b')).toBe('<![CDATA[a]]]]><![CDATA[>b]]>');
    expect(cdata('bell\u0007 kept out')).toBe('<![CDATA[bell kept out]]>');
  });

  it('writes every status, kind and parent of the comments, parents before their replies', async () => {
    const postId = '0190a000-0000-7000-8000-000000000001';
    const reply = comment('c-reply', {
      parentId: 'c-root',
      status: 'pending',
      postedAt: '2024-05-04T00:00:00.000Z',
    });
    const source = sourceOf([post()], {
      [postId]: [
        reply,
        comment('c-root', {
          imported: { system: 'wordpress', site: 'https://old.example', id: '167' },
        }),
        comment('c-spam', { status: 'spam', html: '<p>odd ]]> text</p>' }),
        comment('c-trash', { status: 'trash', parentId: 'c-gone' }),
        comment('c-ping', {
          kind: 'pingback',
          author: { kind: 'guest', accountId: null, name: 'Other blog', url: null, email: null },
        }),
      ],
    });
    const { items } = parse((await exportOf(source)).xml);
    const comments = items[0]?.comments ?? [];
    expect(
      comments.map((c) => ({
        id: c['wp:comment_id'],
        parent: c['wp:comment_parent'],
        approved: c['wp:comment_approved'],
        type: c['wp:comment_type'],
      })),
    ).toEqual([
      { id: '167', parent: '0', approved: '1', type: '' },
      { id: stableIntegerId('c-reply'), parent: '167', approved: '0', type: '' },
      { id: stableIntegerId('c-spam'), parent: '0', approved: 'spam', type: '' },
      // Its parent was deleted for good: it stands at the top level.
      { id: stableIntegerId('c-trash'), parent: '0', approved: 'trash', type: '' },
      { id: stableIntegerId('c-ping'), parent: '0', approved: '1', type: 'pingback' },
    ]);
    expect(comments[2]?.['wp:comment_content']).toBe('<p>odd ]]> text</p>');
    expect(comments[1]).toMatchObject({
      'wp:comment_date': '2024-05-04 00:00:00',
      'wp:comment_date_gmt': '2024-05-04 00:00:00',
      'wp:comment_author': 'Guest',
      'wp:comment_author_url': 'https://guest.example/?a=1&b=2',
    });
  });

  it('gives comments written here integer ids that stay the same from one export to the next', () => {
    const id = stableIntegerId('0190a000-0000-7000-8000-00000000abcd');
    expect(id).toMatch(/^\d+$/);
    expect(Number(id)).toBe(wordpressIdOf('0190a000-0000-7000-8000-00000000abcd'));
    expect(Number(id)).toBeGreaterThanOrEqual(NATIVE_WORDPRESS_ID_FLOOR);
    expect(Number.isSafeInteger(Number(id))).toBe(true);
    expect(stableIntegerId('0190a000-0000-7000-8000-00000000abcd')).toBe(id);
    expect(stableIntegerId('0190a000-0000-7000-8000-00000000abce')).not.toBe(id);
  });

  it("keeps an imported post's WordPress id, unless another imported blog took it", async () => {
    const source = sourceOf([
      post({ id: 'a', wordpressId: '1148' }),
      post({ id: 'b', slug: 'b', wordpressId: '1148' }),
    ]);
    const { items } = parse((await exportOf(source)).xml);
    expect(items.map((i) => i.fields['wp:post_id'])).toEqual(['1148', stableIntegerId('b')]);
  });

  it("gives guests' email addresses only in an admin's export, and never a made-up one", async () => {
    const postId = '0190a000-0000-7000-8000-000000000001';
    const comments = [
      comment('c1'),
      comment('c2', {
        author: {
          kind: 'guest',
          accountId: null,
          name: 'Imported',
          url: null,
          email: 'wordpress-0123456789abcdef@import.invalid',
        },
      }),
    ];
    const admin = parse((await exportOf(sourceOf([post()], { [postId]: comments }))).xml);
    expect(admin.items[0]?.comments.map((c) => c['wp:comment_author_email'])).toEqual([
      'guest@example.com',
      '',
    ]);
    const { xml } = await exportOf(sourceOf([post()], { [postId]: comments }), {
      personalData: false,
    });
    expect(xml).not.toContain('@');
  });
});
