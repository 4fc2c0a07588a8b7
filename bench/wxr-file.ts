import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export interface WxrShape {
  posts: number;
  commentsPerPost: number;
  /** Page items (skipped by Parley's import) of `pageBytes` of content each, after the posts. */
  pages?: number;
  pageBytes?: number;
}

export interface WxrWritten {
  bytes: number;
  posts: number;
  comments: number;
  pingbacks: number;
  byStatus: { approved: number; pending: number; spam: number };
  pages: number;
}

const SITE = 'https://generated.example.org';
const WORDS =
  'the a reply thread post comment reader blog why how when what quite agree disagree point idea good long short read again later first last think know see more'.split(
    ' ',
  );

/** A small deterministic generator, so two runs write the same file. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number) => String(n).padStart(2, '0');
const wpDate = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};

/**
 * Writes a WordPress export (WXR 1.2) of generated posts with threaded comments by guests,
 * some pingbacks and held or spam comments, as a stream: memory stays flat whatever its size.
 */
export async function writeWxrFile(path: string, shape: WxrShape): Promise<WxrWritten> {
  const out = createWriteStream(path);
  const next = random(17);
  const words = (n: number) =>
    Array.from({ length: n }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
  const written: WxrWritten = {
    bytes: 0,
    posts: 0,
    comments: 0,
    pingbacks: 0,
    byStatus: { approved: 0, pending: 0, spam: 0 },
    pages: 0,
  };
  const write = async (text: string) => {
    written.bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Generated Blog</title>
<link>${SITE}</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>${SITE}</wp:base_site_url>
<wp:base_blog_url>${SITE}</wp:base_blog_url>
<wp:author><wp:author_login><![CDATA[writer]]></wp:author_login><wp:author_email>writer@generated.example.org</wp:author_email><wp:author_display_name><![CDATA[The Writer]]></wp:author_display_name></wp:author>
`);
  const start = Date.UTC(2015, 0, 1);
  let commentId = 1_000_000;
  for (let p = 1; p <= shape.posts; p++) {
    const postDate = start + p * 3_600_000;
    const comments: string[] = [];
    const ids: number[] = [];
    for (let c = 0; c < shape.commentsPerPost; c++) {
      commentId += 1;
      const pingback = c % 40 === 39;
      // About half answer an earlier comment of the post: threads a few levels deep.
      const parent =
        !pingback && ids.length > 0 && next() < 0.5 ? ids[Math.floor(next() * ids.length)]! : 0;
      const roll = next();
      const approved = roll < 0.9 ? '1' : roll < 0.97 ? '0' : 'spam';
      written.byStatus[approved === '1' ? 'approved' : approved === '0' ? 'pending' : 'spam'] += 1;
      written.comments += 1;
      if (pingback) written.pingbacks += 1;
      ids.push(commentId);
      const guest = commentId % 5000;
      const date = wpDate(postDate + (c + 1) * 60_000);
      comments.push(`<wp:comment>
<wp:comment_id>${commentId}</wp:comment_id>
<wp:comment_author><![CDATA[${pingback ? `Other blog ${guest}` : `Guest ${guest}`}]]></wp:comment_author>
<wp:comment_author_email>${pingback ? '' : `guest${guest}@readers.example.net`}</wp:comment_author_email>
<wp:comment_author_url>${pingback ? `https://other${guest}.example.net/a-post/` : ''}</wp:comment_author_url>
<wp:comment_date>${date}</wp:comment_date>
<wp:comment_date_gmt>${date}</wp:comment_date_gmt>
<wp:comment_content><![CDATA[${pingback ? `[&#8230;] ${words(12)} [&#8230;]` : `${words(20)}, <em>${words(3)}</em>.\n\n${words(16)}?`}]]></wp:comment_content>
<wp:comment_approved>${approved}</wp:comment_approved>
<wp:comment_type>${pingback ? 'pingback' : ''}</wp:comment_type>
<wp:comment_parent>${parent}</wp:comment_parent>
<wp:comment_user_id>0</wp:comment_user_id>
</wp:comment>
`);
    }
    written.posts += 1;
    await write(`<item>
<title>Generated post ${p}</title>
<link>${SITE}/2015/01/01/generated-post-${p}/</link>
<dc:creator><![CDATA[writer]]></dc:creator>
<content:encoded><![CDATA[<!-- wp:paragraph --><p>${words(60)}</p><!-- /wp:paragraph -->
<!-- wp:paragraph --><p>${words(60)}</p><!-- /wp:paragraph -->]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>${p}</wp:post_id>
<wp:post_date>${wpDate(postDate)}</wp:post_date>
<wp:post_date_gmt>${wpDate(postDate)}</wp:post_date_gmt>
<wp:comment_status>open</wp:comment_status>
<wp:post_name>generated-post-${p}</wp:post_name>
<wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type>
<wp:post_password></wp:post_password>
<category domain="category" nicename="generated"><![CDATA[Generated]]></category>
${comments.join('')}</item>
`);
  }
  let pageText = '';
  while (pageText.length < (shape.pageBytes ?? 0)) pageText += `${words(50)}\n`;
  pageText = pageText.slice(0, shape.pageBytes ?? 0);
  for (let i = 1; i <= (shape.pages ?? 0); i++) {
    written.pages += 1;
    await write(`<item>
<title>Page ${i}</title>
<dc:creator><![CDATA[writer]]></dc:creator>
<content:encoded><![CDATA[${pageText}]]></content:encoded>
<wp:post_id>${shape.posts + i}</wp:post_id>
<wp:post_date>${wpDate(start)}</wp:post_date>
<wp:post_name>page-${i}</wp:post_name>
<wp:status>publish</wp:status>
<wp:post_type>page</wp:post_type>
</item>
`);
  }
  await write('</channel>\n</rss>\n');
  out.end();
  await once(out, 'finish');
  return written;
}
