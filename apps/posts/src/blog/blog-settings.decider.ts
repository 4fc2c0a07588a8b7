import { can } from '@parley/contracts';
import type { Actor, BlogSettingsInput, DomainEvent, EventData } from '@parley/contracts';
import { type Decider, type DomainError, domainError } from '@parley/eventstore';

export const BLOG_SETTINGS_STREAM = 'blog-settings';

export type BlogSettingsEvent = DomainEvent<'parley.blog.settings-changed.v1'>;

export type BlogSettings = Omit<
  EventData<'parley.blog.settings-changed.v1'>,
  'changedBy' | 'changedAt'
>;

export interface BlogSettingsState {
  settings: BlogSettings;
  /** null while the operator's configuration applies. */
  changedAt: string | null;
}

export interface ChangeBlogSettings {
  type: 'ChangeBlogSettings';
  by: Actor;
  changes: BlogSettingsInput;
}

export type BlogSettingsError = DomainError<'NotAllowed'>;

function merge(current: BlogSettings, changes: BlogSettingsInput): BlogSettings {
  return {
    title: changes.title ?? current.title,
    description: changes.description ?? current.description,
    defaultCommentSettings: changes.defaultCommentSettings ?? current.defaultCommentSettings,
  };
}

function same(a: BlogSettings, b: BlogSettings): boolean {
  return (
    a.title === b.title &&
    a.description === b.description &&
    a.defaultCommentSettings.mode === b.defaultCommentSettings.mode &&
    a.defaultCommentSettings.autoCloseDays === b.defaultCommentSettings.autoCloseDays
  );
}

/** The blog's name, tagline and defaults for new posts: one stream, changed by admins only. */
export function blogSettingsDecider(
  configured: BlogSettings,
): Decider<BlogSettingsState, ChangeBlogSettings, BlogSettingsEvent, BlogSettingsError> {
  return {
    initialState: { settings: configured, changedAt: null },
    evolve: (_state, event) => {
      const { changedBy: _by, changedAt, ...settings } = event.data;
      return { settings, changedAt };
    },
    decide: (command, state, now) => {
      if (!can(command.by, 'administer'))
        return domainError('NotAllowed', "Only an admin may change the blog's settings");
      const next = merge(state.settings, command.changes);
      if (same(next, state.settings)) return [];
      return [
        {
          type: 'parley.blog.settings-changed.v1',
          data: { ...next, changedBy: command.by.accountId, changedAt: now.toISOString() },
        },
      ];
    },
  };
}
