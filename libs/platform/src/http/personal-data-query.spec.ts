import type { Actor } from '@parley/contracts';
import { requirePersonalDataReader } from './personal-data-query';
import { ProblemException } from './problem';

const reader = (accountId: string): Actor => ({
  accountId,
  displayName: accountId,
  roles: ['reader'],
});
const admin: Actor = { accountId: 'root', displayName: 'Root', roles: ['admin'] };

/** The status the check answers with: 200 when the caller may read the data. */
function statusOf(actor: Actor | null, query: { accountId?: string; email?: string }): number {
  try {
    requirePersonalDataReader(actor, query);
    return 200;
  } catch (error) {
    if (error instanceof ProblemException) return error.status;
    throw error;
  }
}

describe("who may read a person's data", () => {
  it.each([
    { who: 'an account, its own', actor: reader('ann'), query: { accountId: 'ann' }, status: 200 },
    { who: 'an admin, an account’s', actor: admin, query: { accountId: 'ann' }, status: 200 },
    { who: 'an admin, a guest’s', actor: admin, query: { email: 'gus@example.com' }, status: 200 },
    { who: 'an account, another’s', actor: reader('bo'), query: { accountId: 'ann' }, status: 403 },
    {
      who: 'an account, a guest’s',
      actor: reader('bo'),
      query: { email: 'gus@example.com' },
      status: 403,
    },
    { who: 'nobody, an account’s', actor: null, query: { accountId: 'ann' }, status: 401 },
    { who: 'nobody, a guest’s', actor: null, query: { email: 'gus@example.com' }, status: 401 },
  ])('$who: $status', ({ actor, query, status }) => {
    expect(statusOf(actor, query)).toBe(status);
  });
});
