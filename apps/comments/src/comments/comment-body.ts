import { Marked, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { COMMENT_BODY_MAX_CHARS, COMMENT_BODY_MIN_CHARS } from '@parley/contracts';

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * The Markdown subset of comments: paragraphs, line breaks, emphasis, strike-through, code,
 * quotes, lists, rules and links. Raw HTML is shown as typed (escaped), headings read as
 * paragraphs, and images and tables as their text.
 */
const markdown = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
    heading({ tokens }: Tokens.Heading) {
      return `<p>${this.parser.parseInline(tokens)}</p>\n`;
    },
    image: ({ text }: Tokens.Image) => escapeHtml(text),
    table: ({ raw }: Tokens.Table) => `<p>${escapeHtml(raw.trim())}</p>\n`,
  },
});

const SAFE_HREF = /^(https?:\/\/|mailto:)/i;

const SANITIZE: sanitizeHtml.IOptions = {
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
  ],
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Whatever is inside these is dropped with the tag, never shown as text.
  nonTextTags: [
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
  ],
  transformTags: {
    a: (_tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag => {
      const href = (attribs.href ?? '').trim();
      // Only http(s) and mailto links survive; others become a (disallowed) span: their text stays.
      return SAFE_HREF.test(href)
        ? { tagName: 'a', attribs: { href, rel: 'nofollow ugc' } }
        : { tagName: 'span', attribs: {} };
    },
  },
};

/** Markdown to the HTML shown on the page: links get rel="nofollow ugc", nothing executable survives. */
export function renderCommentBody(body: string): string {
  const html = markdown.parse(body, { async: false });
  return sanitizeHtml(html, SANITIZE).trim();
}

/** A body as it is kept: line endings unified, surrounding blank space removed. */
export function normalizeCommentBody(body: string): string {
  return body.replace(/\r\n?/g, '\n').trim();
}

/** Length in characters as people count them (code points, so an emoji is one). */
export function bodyLength(body: string): number {
  return [...body].length;
}

export function bodyLengthProblem(body: string): 'empty' | 'too-long' | null {
  const length = bodyLength(body);
  if (length < COMMENT_BODY_MIN_CHARS) return 'empty';
  if (length > COMMENT_BODY_MAX_CHARS) return 'too-long';
  return null;
}

/** Links in the rendered HTML (Markdown links, autolinked addresses and mailto links). */
export function countLinks(html: string): number {
  return (html.match(/<a\s[^>]*href=/gi) ?? []).length;
}
