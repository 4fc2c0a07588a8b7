import type { ImportedFrom } from '@parley/contracts';

/** An old address of a post: the path of its permalink, or WordPress's `/?p=<id>`. */
export type LegacyLink = { path: string } | { p: string };

/**
 * A path as old links may spell it: decoded, lower case, without repeated or trailing
 * slashes. The site's root is no post's path (a `/?p=123` link has it).
 */
export function normalizedPath(path: string): string | null {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape is matched as written.
  }
  const normal = decoded
    .toLowerCase()
    .replace(/\/{2,}/g, '/')
    .replace(/\/+$/, '');
  return normal === '' || !normal.startsWith('/') ? null : normal;
}

function pathOf(address: string): string | null {
  try {
    return normalizedPath(new URL(address).pathname);
  } catch {
    return null;
  }
}

/**
 * The key a legacy link is looked up by in the posts read model, null when it names no post.
 * A page of a post's comments (`…/comment-page-2/`, as WordPress links a comment) is the post.
 */
export function legacyKey(link: LegacyLink): string | null {
  if ('p' in link) return /^\d{1,20}$/.test(link.p) ? `p:${link.p.replace(/^0+(?=\d)/, '')}` : null;
  const path = normalizedPath(link.path)?.replace(/\/comment-page-\d+$/, '') ?? null;
  return path === null || path === '' ? null : `path:${path}`;
}

/**
 * The keys of an imported post's old addresses: WordPress's `?p=<id>`, and the path of its
 * permalink, both as the old site's host served it and, for a blog kept in a folder of its
 * site, relative to that folder (where a redirect from the old host to Parley's root lands).
 */
export function legacyKeysOf(imported: ImportedFrom | undefined): string[] {
  if (!imported) return [];
  const keys = new Set<string>();
  const byId = legacyKey({ p: imported.id });
  if (byId) keys.add(byId);
  const path = imported.link ? pathOf(imported.link) : null;
  if (path !== null) {
    keys.add(`path:${path}`);
    const folder = pathOf(imported.site);
    if (folder !== null && path.startsWith(`${folder}/`))
      keys.add(`path:${path.slice(folder.length)}`);
  }
  return [...keys];
}
