/** Longest slug cut from a title, before any `-2` suffix. */
export const SLUG_MAX_LENGTH = 80;

/** The slug of a post whose title has no letters or digits a URL can carry. */
const FALLBACK_SLUG = 'post';

/** Letters that do not decompose into an ASCII base letter plus accents. */
const FOLDED: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ł: 'l',
  ı: 'i',
};

/**
 * A title as a URL segment: lower-case, ASCII-folded ("Café Brûlé" → "cafe-brule"),
 * words joined by hyphens, at most SLUG_MAX_LENGTH characters, cut between words.
 */
export function slugify(title: string): string {
  const folded = title
    .toLowerCase()
    .replace(/[ßæœøđðþłı]/g, (letter) => FOLDED[letter] ?? letter)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’]/g, '');
  const words = folded.split(/[^a-z0-9]+/).filter((word) => word.length > 0);
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > SLUG_MAX_LENGTH) {
      if (!slug) slug = word.slice(0, SLUG_MAX_LENGTH);
      break;
    }
    slug = next;
  }
  return slug || FALLBACK_SLUG;
}

/** The n-th candidate for a title's slug: `her`, `her-2`, `her-3`, … */
export function slugCandidate(base: string, attempt: number): string {
  return attempt <= 1 ? base : `${base}-${attempt}`;
}
