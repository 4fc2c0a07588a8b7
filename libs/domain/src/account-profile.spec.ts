import { ERASED_PERSON_NAME } from '@parley/contracts';
import { type AccountProfileEvent, profileAfter } from './account-profile';

const at = '2026-11-24T12:00:00.000Z';
const accountEvent = <E extends AccountProfileEvent>(type: E['type'], data: E['data']) =>
  ({ type, data }) as E;

describe('an account profile after an event of its account', () => {
  // A directory's fields of its own (here the registration time) stay as they were.
  const amy = {
    _id: 'amy',
    displayName: 'Amy',
    roles: ['author' as const],
    emailVerified: false,
    registeredAt: at,
  };

  it.each([
    {
      what: 'a verified address',
      before: amy,
      event: accountEvent('parley.account.email-verified.v2', {
        accountId: 'amy',
        email: 'amy@example.com',
        verifiedAt: at,
      }),
      after: { ...amy, emailVerified: true },
    },
    {
      what: 'a new name',
      before: amy,
      event: accountEvent('parley.account.display-name-changed.v2', {
        accountId: 'amy',
        displayName: 'Amy B.',
        changedAt: at,
      }),
      after: { ...amy, displayName: 'Amy B.' },
    },
    {
      what: 'new roles',
      before: amy,
      event: accountEvent('parley.account.roles-changed.v1', {
        accountId: 'amy',
        roles: ['reader', 'moderator'],
        changedBy: 'root',
        changedAt: at,
      }),
      after: { ...amy, roles: ['reader', 'moderator'] },
    },
    {
      what: 'an erasure: no name, no role, no verified address',
      before: { ...amy, emailVerified: true },
      event: accountEvent('parley.account.erased.v1', { accountId: 'amy', erasedAt: at }),
      after: { ...amy, displayName: ERASED_PERSON_NAME, roles: [], emailVerified: false },
    },
  ])('shows $what', ({ before, event, after }) => {
    expect(profileAfter(before, event)).toEqual(after);
  });
});
