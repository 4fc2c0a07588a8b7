import type { Role } from './common.schemas';
import { type Capability, can, canOnOwn } from './policy';

const as = (...roles: Role[]) => ({ accountId: 'me', roles });

describe('the authorization policy', () => {
  it.each<[Role[], Capability, boolean]>([
    [['reader'], 'write', false],
    [['reader'], 'moderate', false],
    [['author'], 'write', true],
    [['author'], 'moderate', false],
    [['moderator'], 'moderate', true],
    [['moderator'], 'write', false],
    [['moderator'], 'administer', false],
    [['admin'], 'write', true],
    [['admin'], 'moderate', true],
    [['admin'], 'administer', true],
    [['reader', 'author'], 'write', true],
  ])('%j may %s: %s', (roles, capability, expected) => {
    expect(can(as(...roles), capability)).toBe(expected);
  });

  it('lets nobody do anything without an account', () => {
    expect(can(null, 'write')).toBe(false);
    expect(canOnOwn(undefined, 'me', 'moderate')).toBe(false);
  });

  it('lets an owner act on their own thing, and only the capable on anyone’s', () => {
    expect(canOnOwn(as('author'), 'me', 'moderate')).toBe(true);
    expect(canOnOwn(as('author'), 'someone-else', 'moderate')).toBe(false);
    expect(canOnOwn(as('moderator'), 'someone-else', 'moderate')).toBe(true);
    expect(canOnOwn(as('reader'), null, 'moderate')).toBe(false);
  });
});
