/** Markdown's own marks and list markers: emphasis, code, quotes, headings, links, tables, escapes. */
const MARKDOWN_MARKS = /[\\`*_~#>|[\]()!]/g;
const LIST_MARKER = /^[ \t]*(?:[-+]|\d{1,9}[.)])(?=[ \t])/gm;
/** Zero-width and other invisible format characters, which change nothing a reader sees. */
const INVISIBLE = /\p{Cf}/gu;

/**
 * A text as a reader would compare two of them: compatibility forms folded (NFKC), case
 * folded, Markdown marks and invisible characters dropped, blank space collapsed. Two
 * comments with the same comparable text say the same thing.
 */
export function comparableText(text: string): string {
  return (
    text
      .normalize('NFKC')
      // Upper then lower folds what lowering alone keeps apart (ß and SS, ς and σ).
      .toUpperCase()
      .toLowerCase()
      .normalize('NFKC')
      .replace(INVISIBLE, '')
      .replace(LIST_MARKER, ' ')
      .replace(MARKDOWN_MARKS, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}
