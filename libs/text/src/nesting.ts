/** Deepest nesting of quotes and lists that Markdown input keeps; deeper markers read as text. */
export const MAX_MARKDOWN_NESTING = 16;

/** Widest indentation kept before a line's content: lists cannot nest deeper through spaces either. */
const MAX_INDENT_COLUMNS = 4 * MAX_MARKDOWN_NESTING;

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const THEMATIC_BREAK = /^([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const CONTAINER_MARKER = /^(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))/;

function columnsOf(whitespace: string, startColumn: number): number {
  let column = startColumn;
  for (const char of whitespace) column = char === '\t' ? column + 4 - (column % 4) : column + 1;
  return column - startColumn;
}

function capLine(line: string, maxDepth: number): string {
  let out = '';
  let rest = line;
  let depth = 0;
  for (;;) {
    const space = /^[ \t]*/.exec(rest)![0];
    const columns = columnsOf(space, out.length);
    out += columns > MAX_INDENT_COLUMNS ? ' '.repeat(MAX_INDENT_COLUMNS) : space;
    rest = rest.slice(space.length);
    const marker = CONTAINER_MARKER.exec(rest)?.[0];
    if (!marker) return out + rest;
    if (depth === maxDepth) {
      // A long rule (- - - - …) is one line of its own, not nesting.
      if (THEMATIC_BREAK.test(rest)) return out + rest;
      // The first marker past the limit is escaped: it and all after it are plain text.
      const escaped = /^\d/.test(marker)
        ? `${marker.slice(0, -1)}\\${marker.slice(-1)}`
        : `\\${marker}`;
      return out + escaped + rest.slice(marker.length);
    }
    depth += 1;
    out += marker;
    rest = rest.slice(marker.length);
  }
}

/**
 * Bounds how deep quotes and lists nest before the Markdown is parsed: a line opens at most
 * `maxDepth` containers, and indentation past a limit is cut back (code fences are left alone).
 * The parser recurses once per level, so unbounded nesting would exhaust the stack.
 */
export function capNesting(markdown: string, maxDepth = MAX_MARKDOWN_NESTING): string {
  // A lone CR ends a line too, for the parser as here.
  const lines = markdown.split(/\r\n?|\n/);
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const opening = FENCE.exec(line)?.[1];
    if (fence !== null) {
      if (opening && opening[0] === fence[0] && opening.length >= fence.length) fence = null;
      continue;
    }
    if (opening) {
      fence = opening;
      continue;
    }
    lines[i] = capLine(line, maxDepth);
  }
  return lines.join('\n');
}
