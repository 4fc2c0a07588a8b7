import type { BlogSettings } from '../blog/blog-settings.decider';

export const POSTS_OPTIONS = Symbol('POSTS_OPTIONS');

export interface PostsOptions {
  /** The blog's name, tagline and comment settings for new posts until an admin changes them. */
  blog: BlogSettings;
  /** How often the scheduler looks for posts whose time has come. */
  schedulerIntervalMs: number;
}
