import sanitizeHtml from 'sanitize-html';
import { sanitizeCommentHtml, sanitizePostHtml } from './markdown';

/** Gutenberg's block delimiters (`<!-- wp:paragraph -->`, `<!-- /wp:paragraph -->`): markup for the editor only. */
const BLOCK_DELIMITER = /<!--\s*\/?wp:[\s\S]*?-->/g;

export function stripBlockDelimiters(html: string): string {
  return html.replace(BLOCK_DELIMITER, '');
}

const BLOCK_START =
  /^<(?:p|div|h[1-6]|ul|ol|li|blockquote|pre|table|figure|hr|dl|address|section|form)\b/i;

/**
 * WordPress's own paragraphs (wpautop, simplified): text stored with blank lines between
 * paragraphs and single line breaks in them, around which blocks written as HTML stand alone.
 */
export function wordpressParagraphs(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n+/)
    .map((block) => block.trim())
    .filter((block) => block.length > 0)
    .map((block) =>
      BLOCK_START.test(block) ? block : `<p>${block.replace(/[ \t]*\n[ \t]*/g, '<br />\n')}</p>`,
    )
    .join('\n');
}

/** A WordPress post's content as the HTML a Parley post may hold: blocks unwrapped, paragraphs made, sanitized. */
export function wordpressPostHtml(content: string): string {
  return sanitizePostHtml(wordpressParagraphs(stripBlockDelimiters(content)));
}

/** Tags WordPress lets commenters use, as the ones a Parley comment shows (headings read as bold). */
const COMMENT_TAG_EQUIVALENTS: Record<string, string> = {
  b: 'strong',
  i: 'em',
  s: 'del',
  strike: 'del',
  h1: 'strong',
  h2: 'strong',
  h3: 'strong',
  h4: 'strong',
  h5: 'strong',
  h6: 'strong',
};

/** A WordPress comment's content as the HTML a Parley comment may show. */
export function wordpressCommentHtml(content: string): string {
  const equivalent = stripBlockDelimiters(content).replace(
    /<(\/?)(b|i|s|strike|h[1-6])\b[^>]*>/gi,
    (_tag, close: string, name: string) =>
      `<${close}${COMMENT_TAG_EQUIVALENTS[name.toLowerCase()]}>`,
  );
  return sanitizeCommentHtml(wordpressParagraphs(equivalent));
}

const TEXT_ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

/** HTML as its text, paragraphs apart, for what reads a comment as text (excerpts, mail, editing). */
export function htmlToText(html: string): string {
  const spaced = html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(?:p|div|h\d|li|blockquote|pre|tr)>/gi, '\n\n');
  return sanitizeHtml(spaced, { allowedTags: [], allowedAttributes: {} })
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => TEXT_ENTITIES[entity] ?? entity)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A title written with markup (`Title <em>With</em> Markup`) as plain text. */
export function plainTitle(html: string): string {
  return htmlToText(html).replace(/\s+/g, ' ').trim();
}
