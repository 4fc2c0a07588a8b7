/** A made-up origin to resolve a candidate against; only a result on this same origin is kept. */
const DUMMY_ORIGIN = 'https://parley.invalid';

/** Whitespace and invisible format characters (zero-width, bidirectional overrides). */
const INVISIBLE = /[\s\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/u;

/**
 * Backslashes (browsers read `/\` as `//`), C0 and C1 controls (a CR or LF would split the
 * Location header) and whitespace (browsers strip tabs and newlines inside URLs).
 */
function hasUnsafeCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x5c || code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return INVISIBLE.test(value);
}

/**
 * Where the site may send a browser after a form (`next`, `back`): a path of this site, or
 * the fallback. Every page that takes a target from a request asks here.
 */
export function localRedirect(value: string | undefined | null, fallback = '/'): string {
  if (typeof value !== 'string' || value === '' || value.length > 2000) return fallback;
  if (hasUnsafeCharacter(value)) return fallback;
  if (!value.startsWith('/') || value.startsWith('//')) return fallback;
  let url: URL;
  try {
    url = new URL(value, DUMMY_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== DUMMY_ORIGIN) return fallback;
  const target = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can collapse into a leading `//` (`/.//evil`): check what the browser gets.
  return target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\')
    ? target
    : fallback;
}
