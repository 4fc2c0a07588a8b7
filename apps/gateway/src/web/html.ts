/** HTML that is safe to put in a page as it is: built by `html` or vouched for by `trusted`. */
export class SafeHtml {
  constructor(readonly value: string) {}

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

function render(value: Renderable): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as readonly Renderable[]).map(render).join('');
  return escapeHtml(String(value));
}

/**
 * Builds HTML where every interpolated value is escaped unless it is SafeHtml already, so a
 * comment body, a name or a URL can never become markup. Arrays are joined; null,
 * undefined and booleans render nothing (`${cond && html`…`}` works).
 */
export function html(strings: TemplateStringsArray, ...values: Renderable[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** HTML from a source that already sanitized it (the comments service, our Markdown renderer). */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
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
