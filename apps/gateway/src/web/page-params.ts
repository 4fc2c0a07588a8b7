import { z } from 'zod';

/** A comment's, post's, notification's or import's id in a page's path. */
export const idParam = z.string().min(1).max(100);

/** A post's slug in a page's path. */
export const slugParam = z.string().min(1).max(200);

/** The path of a post's page, by its slug. */
export function postPath(slug: string): string {
  return `/posts/${encodeURIComponent(slug)}`;
}
