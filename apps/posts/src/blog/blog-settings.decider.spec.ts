import type { Actor } from '@parley/contracts';
import { deciderSpec } from '@parley/testing';
import {
  type BlogSettings,
  type BlogSettingsEvent,
  blogSettingsDecider,
} from './blog-settings.decider';

const NOW = new Date('2026-11-27T12:00:00.000Z');
const configured: BlogSettings = {
  title: 'Parley',
  description: '',
  defaultCommentSettings: { mode: 'open', autoCloseDays: null },
};
const spec = deciderSpec(blogSettingsDecider(configured), () => NOW);
const admin: Actor = { accountId: 'root', displayName: 'Root', roles: ['admin'] };
const author: Actor = { accountId: 'amy', displayName: 'Amy', roles: ['author'] };

const changed = (changes: Partial<BlogSettings>): BlogSettingsEvent => ({
  type: 'parley.blog.settings-changed.v1',
  data: { ...configured, ...changes, changedBy: 'root', changedAt: NOW.toISOString() },
});

describe('blog settings', () => {
  it("start from the operator's configuration", () => {
    expect(blogSettingsDecider(configured).initialState).toEqual({
      settings: configured,
      changedAt: null,
    });
  });

  it('lets an admin rename the blog and keeps the other settings', () => {
    spec
      .given([])
      .when({ type: 'ChangeBlogSettings', by: admin, changes: { title: 'Field Notes' } })
      .then([changed({ title: 'Field Notes' })]);
    const autoClose = { mode: 'auto-close' as const, autoCloseDays: 14 };
    spec
      .given([changed({ title: 'Field Notes' })])
      .when({
        type: 'ChangeBlogSettings',
        by: admin,
        changes: { defaultCommentSettings: autoClose },
      })
      .then([changed({ title: 'Field Notes', defaultCommentSettings: autoClose })]);
  });

  it('changes nothing when the settings are already so', () => {
    spec
      .given([changed({ description: 'Notes from the field' })])
      .when({
        type: 'ChangeBlogSettings',
        by: admin,
        changes: { description: 'Notes from the field', title: 'Parley' },
      })
      .then([]);
  });

  it('refuses anyone but an admin', () => {
    spec
      .given([])
      .when({ type: 'ChangeBlogSettings', by: author, changes: { title: 'Mine now' } })
      .thenError('NotAllowed');
  });
});
