import { can } from '@parley/contracts';
import type { Actor, BlogCommentSettingsInput, DomainEvent, EventData } from '@parley/contracts';
import { type Decider, type DomainError, domainError } from '@parley/eventstore';

export const SETTINGS_STREAM = 'comment-settings';

type SettingsChanged = DomainEvent<'parley.comment-settings.changed.v1'>;
export type CommentSettingsEvent = SettingsChanged;

export type CommentSettings = Omit<
  EventData<'parley.comment-settings.changed.v1'>,
  'changedBy' | 'changedAt'
>;

export interface CommentSettingsState {
  settings: CommentSettings;
  changedAt: string | null;
}

/** The blog's comment settings until an admin changes them (WordPress's discussion defaults). */
export const DEFAULT_COMMENT_SETTINGS: CommentSettings = {
  threadDepth: 5,
  editWindowMinutes: 15,
  requireApproval: false,
  requirePreviouslyApproved: { guests: true, accounts: false },
  maxLinks: 2,
  holdWords: [],
  spamWords: [],
  floodSeconds: 15,
  commentsPerPage: 50,
  defaultOrder: 'oldest',
};

export interface ChangeCommentSettings {
  type: 'ChangeCommentSettings';
  by: Actor;
  changes: BlogCommentSettingsInput;
}

export type CommentSettingsError = DomainError<'NotAllowed'>;

function merge(current: CommentSettings, changes: BlogCommentSettingsInput): CommentSettings {
  return {
    threadDepth: changes.threadDepth ?? current.threadDepth,
    editWindowMinutes: changes.editWindowMinutes ?? current.editWindowMinutes,
    requireApproval: changes.requireApproval ?? current.requireApproval,
    requirePreviouslyApproved: {
      guests: changes.requirePreviouslyApproved?.guests ?? current.requirePreviouslyApproved.guests,
      accounts:
        changes.requirePreviouslyApproved?.accounts ?? current.requirePreviouslyApproved.accounts,
    },
    maxLinks: changes.maxLinks ?? current.maxLinks,
    holdWords: changes.holdWords ? uniqueWords(changes.holdWords) : current.holdWords,
    spamWords: changes.spamWords ? uniqueWords(changes.spamWords) : current.spamWords,
    floodSeconds: changes.floodSeconds ?? current.floodSeconds,
    commentsPerPage: changes.commentsPerPage ?? current.commentsPerPage,
    defaultOrder: changes.defaultOrder ?? current.defaultOrder,
  };
}

function uniqueWords(words: readonly string[]): string[] {
  return [...new Set(words.map((w) => w.trim()).filter((w) => w.length > 0))];
}

function sameSettings(a: CommentSettings, b: CommentSettings): boolean {
  // Rebuilt through merge so both have the same key order, whatever the store kept.
  return JSON.stringify(merge(a, {})) === JSON.stringify(merge(b, {}));
}

/** The blog-wide comment settings: one stream, changed by admins only. */
export const commentSettingsDecider: Decider<
  CommentSettingsState,
  ChangeCommentSettings,
  CommentSettingsEvent,
  CommentSettingsError
> = {
  initialState: { settings: DEFAULT_COMMENT_SETTINGS, changedAt: null },
  evolve: (_state, event) => {
    const { changedBy: _by, changedAt, ...settings } = event.data;
    return { settings, changedAt };
  },
  decide: (command, state, now) => {
    if (!can(command.by, 'administer'))
      return domainError('NotAllowed', 'Only an admin may change the comment settings');
    const next = merge(state.settings, command.changes);
    if (sameSettings(next, state.settings)) return [];
    return [
      {
        type: 'parley.comment-settings.changed.v1',
        data: { ...next, changedBy: command.by.accountId, changedAt: now.toISOString() },
      },
    ];
  },
};
