import { markdownToText } from '@parley/text';

/** Longest excerpt cut from a body, in characters. */
export const EXCERPT_MAX_LENGTH = 280;

/** The opening of a body, cut at a word boundary, for posts whose author gave no excerpt. */
export function excerptOf(markdown: string, maxLength = EXCERPT_MAX_LENGTH): string {
  const text = markdownToText(markdown);
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > maxLength / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}
