import type { Actor } from '@parley/contracts';
import { deciderSpec } from '@parley/testing';
import {
  type CommentSettingsEvent,
  commentSettingsDecider,
  DEFAULT_COMMENT_SETTINGS,
} from './comment-settings.decider';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const spec = deciderSpec(commentSettingsDecider, () => NOW);
const admin: Actor = { accountId: 'root', displayName: 'Root', roles: ['admin'] };
const moderator: Actor = { accountId: 'mo', displayName: 'Mo', roles: ['moderator'] };

const changed = (changes: Partial<typeof DEFAULT_COMMENT_SETTINGS>): CommentSettingsEvent => ({
  type: 'parley.comment-settings.changed.v1',
  data: {
    ...DEFAULT_COMMENT_SETTINGS,
    ...changes,
    changedBy: 'root',
    changedAt: NOW.toISOString(),
  },
});

describe('comment settings', () => {
  it('start from WordPress-like defaults', () => {
    expect(commentSettingsDecider.initialState.settings).toEqual({
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
    });
  });

  it('lets an admin change some settings and keeps the others', () => {
    spec
      .given([])
      .when({
        type: 'ChangeCommentSettings',
        by: admin,
        changes: { threadDepth: 3, requirePreviouslyApproved: { accounts: true } },
      })
      .then([
        changed({ threadDepth: 3, requirePreviouslyApproved: { guests: true, accounts: true } }),
      ]);
    spec
      .given([changed({ threadDepth: 3 })])
      .when({
        type: 'ChangeCommentSettings',
        by: admin,
        changes: { holdWords: ['casino', 'casino'] },
      })
      .then([changed({ threadDepth: 3, holdWords: ['casino'] })]);
  });

  it('changes nothing when the settings are already so', () => {
    spec
      .given([changed({ maxLinks: 4 })])
      .when({ type: 'ChangeCommentSettings', by: admin, changes: { maxLinks: 4 } })
      .then([]);
  });

  it('refuses anyone but an admin', () => {
    spec
      .given([])
      .when({ type: 'ChangeCommentSettings', by: moderator, changes: { maxLinks: 4 } })
      .thenError('NotAllowed');
  });
});
