import { Marked, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { capNesting } from './nesting';

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Whatever is inside these is dropped with the tag, never shown as text. */
const NON_TEXT_TAGS = [
  'script',
  'style',
  'textarea',
  'option',
  'noscript',
  'svg',
  'math',
  'iframe',
  'object',
  'embed',
  'template',
  'title',
];

/**
 * The Markdown subset of comments: paragraphs, line breaks, emphasis, strike-through, code,
 * quotes, lists, rules and links. Raw HTML is shown as typed (escaped), headings read as
 * paragraphs, and images and tables as their text.
 */
const commentParser = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
    heading({ tokens }: Tokens.Heading) {
      return `<p>${this.parser.parseInline(tokens)}</p>\n`;
    },
    image: ({ text }: Tokens.Image) => escapeHtml(text),
    table: ({ raw }: Tokens.Table) => `<p>${escapeHtml(raw.trim())}</p>\n`,
  },
});

const SAFE_COMMENT_HREF = /^(https?:\/\/|mailto:)/i;

const COMMENT_HTML: sanitizeHtml.IOptions = {
  allowedTags: [
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
    // Only as an unsafe link's stand-in, removed after: sanitize-html closes the next tag at
    // the same depth as the stand-in when the stand-in itself is discarded (`<strong>…</span>`).
    'span',
  ],
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: NON_TEXT_TAGS,
  transformTags: {
    a: (_tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag => {
      const href = (attribs.href ?? '').trim();
      // Only http(s) and mailto links survive; others become a span, unwrapped after: their text stays.
      return SAFE_COMMENT_HREF.test(href)
        ? { tagName: 'a', attribs: { href, rel: 'nofollow ugc' } }
        : { tagName: 'span', attribs: {} };
    },
  },
};

/** A post is written by its author: GitHub-flavoured Markdown with its HTML, sanitized. */
const postParser = new Marked({ gfm: true, breaks: false, async: false });

const POST_HTML: sanitizeHtml.IOptions = {
  allowedTags: [
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'p',
    'br',
    'hr',
    'blockquote',
    'pre',
    'code',
    'em',
    'strong',
    'del',
    'a',
    'ul',
    'ol',
    'li',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'img',
    'figure',
    'figcaption',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title'],
    th: ['align'],
    td: ['align'],
    code: ['class'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  transformTags: {
    // A post's own heading is the page's h1: the body starts at h2.
    h1: 'h2',
    a: (tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag => {
      const external = /^https?:/i.test(attribs.href ?? '');
      return { tagName, attribs: external ? { ...attribs, rel: 'noopener' } : attribs };
    },
  },
  // Images only from the site itself: the page fetches nothing from other hosts.
  exclusiveFilter: (frame) => frame.tag === 'img' && !/^\/(?!\/)/.test(frame.attribs.src ?? ''),
};

/** Text as paragraphs and line breaks, every character escaped: what Markdown falls back to. */
function plainParagraphs(text: string): string {
  return text
    .split(/\n[ \t]*\n+/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br />')}</p>`)
    .join('\n');
}

/** Markdown to unsanitized HTML, never throwing: nesting is capped first, plain text is the fallback. */
function parse(parser: Marked, markdown: string): string {
  try {
    return parser.parse(capNesting(markdown), { async: false });
  } catch {
    // The parser recurses on nested inline markup as well (thousands of `*`): such a text is
    // shown as it was typed rather than failing the page.
    return plainParagraphs(markdown);
  }
}

function sanitizeComment(html: string): string {
  return sanitizeHtml(html, COMMENT_HTML)
    .replace(/<\/?span>/g, '')
    .trim();
}

/** A comment's Markdown as the HTML shown on the page: links get rel="nofollow ugc", nothing executable survives. */
export function renderCommentMarkdown(markdown: string): string {
  return sanitizeComment(parse(commentParser, markdown));
}

/** HTML written elsewhere (an imported comment) held to what a comment may show. */
export function sanitizeCommentHtml(html: string): string {
  return sanitizeComment(html);
}

/** HTML written elsewhere (an imported post) held to what a post may show. */
export function sanitizePostHtml(html: string): string {
  return sanitizeHtml(html, POST_HTML).trim();
}

/** A post's Markdown as HTML for the page: GitHub-flavoured, sanitized, no remote images. */
export function renderPostMarkdown(markdown: string): string {
  return sanitizeHtml(parse(postParser, markdown), POST_HTML).trim();
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&nbsp;': ' ',
};

/** Markdown as plain text, for an excerpt: no markup, links as their text, one line. */
export function markdownToText(markdown: string): string {
  const html = parse(postParser, markdown)
    // Blocks and line breaks part words; images read as their description.
    .replace(/<img\b[^>]*\balt="([^"]*)"[^>]*>/gi, ' $1 ')
    .replace(/<(?:br|hr)\b[^>]*>|<\/(?:p|h\d|li|blockquote|tr|td|th|figcaption)>/gi, ' ');
  // Code blocks are left out, like anything that is not prose.
  const text = sanitizeHtml(html, {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: [...NON_TEXT_TAGS, 'pre'],
  });
  return text
    .replace(/&(?:amp|lt|gt|quot|#39|nbsp);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/\s+/g, ' ')
    .trim();
}
