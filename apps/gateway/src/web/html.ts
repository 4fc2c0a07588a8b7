/**
 * Markup kept as bytes (a large part that many pages share, such as a thread's comments): the
 * page holds its marker, and the bytes take the marker's place only when the page is sent, so
 * they are never copied into a string, measured or encoded again per request.
 */
export interface KeptBytes {
  /** Text no rendered markup contains (random, with a NUL no page has). */
  marker: string;
  parts: readonly Buffer[];
}

/** HTML that is safe to put in a page as it is: built by `html` or vouched for by `trusted`. */
export class SafeHtml {
  constructor(
    readonly value: string,
    /** Kept bytes whose markers `value` holds: see `pageBytes`. */
    readonly kept: readonly KeptBytes[] = [],
  ) {}

  toString(): string {
    return this.value;
  }
}

export type Renderable =
  SafeHtml | string | number | boolean | null | undefined | readonly Renderable[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

/** The value as markup; the kept bytes of any SafeHtml in it are added to `kept`. */
function render(value: Renderable, kept: KeptBytes[]): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof SafeHtml) {
    kept.push(...value.kept);
    return value.value;
  }
  if (Array.isArray(value))
    return (value as readonly Renderable[]).map((one) => render(one, kept)).join('');
  return escapeHtml(String(value));
}

/**
 * Builds HTML where every interpolated value is escaped unless it is SafeHtml already, so a
 * comment body, a name or a URL can never become markup. Arrays are joined; null,
 * undefined and booleans render nothing (`${cond && html`…`}` works).
 */
export function html(strings: TemplateStringsArray, ...values: Renderable[]): SafeHtml {
  const kept: KeptBytes[] = [];
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value, kept) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out, kept);
}

/** HTML from a source that already sanitized it (the comments service, our Markdown renderer). */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** The page as it is sent: its text, or, when it holds kept bytes, bytes with them in place. */
export function pageBytes(page: SafeHtml): string | Buffer {
  if (page.kept.length === 0) return page.value;
  const chunks: Buffer[] = [];
  let rest = page.value;
  for (;;) {
    let first: { at: number; kept: KeptBytes } | undefined;
    for (const kept of page.kept) {
      const at = rest.indexOf(kept.marker);
      if (at >= 0 && (!first || at < first.at)) first = { at, kept };
    }
    if (!first) break;
    chunks.push(Buffer.from(rest.slice(0, first.at)), ...first.kept.parts);
    rest = rest.slice(first.at + first.kept.marker.length);
  }
  chunks.push(Buffer.from(rest));
  return Buffer.concat(chunks);
}

/** A URL for an href/src: only http(s), mailto and same-site paths; anything else becomes "#". */
export function safeUrl(url: string | null | undefined): string {
  if (!url) return '#';
  const trimmed = url.trim();
  if (
    /^(https?:|mailto:)/i.test(trimmed) ||
    (trimmed.startsWith('/') && !trimmed.startsWith('//')) ||
    trimmed.startsWith('#') ||
    trimmed.startsWith('?')
  ) {
    return trimmed;
  }
  return '#';
}
