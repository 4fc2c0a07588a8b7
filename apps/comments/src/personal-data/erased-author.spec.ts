import { accountPerson, guestPerson } from '@parley/privacy';
import { authorKeyOfComment, guestIdOf } from '../comments/comment-keys';
import { authorKeyOfPerson, erasedAuthorOf } from './erased-author';

describe('the author an erasure names', () => {
  it('finds a guest’s comments by their address, whatever its capitals and spaces', () => {
    const written = authorKeyOfComment({
      kind: 'guest',
      guestId: guestIdOf('Gus@Example.com'),
      name: 'Gus',
      email: 'Gus@Example.com',
      url: null,
    });
    expect(authorKeyOfPerson(guestPerson('  gus@example.COM '))).toBe(written);
    expect(erasedAuthorOf(guestPerson('gus@example.com'))).toEqual({
      kind: 'guest',
      guestId: guestIdOf('gus@example.com'),
    });
  });

  it('finds an account’s comments by the account, not by any address', () => {
    const written = authorKeyOfComment({ kind: 'account', accountId: 'bea', displayName: 'Bea' });
    expect(authorKeyOfPerson(accountPerson('bea'))).toBe(written);
    expect(authorKeyOfPerson(guestPerson('bea@example.com'))).not.toBe(written);
  });
});
