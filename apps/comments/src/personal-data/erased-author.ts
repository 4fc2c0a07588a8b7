import type { ErasedAuthor } from '@parley/contracts';
import type { PersonRef } from '@parley/privacy';
import { authorKeyOf, guestIdOf } from '../comments/comment-keys';

/** The person as comment events name their author: an account, or a guest by the hash of their address. */
export function erasedAuthorOf(person: PersonRef): ErasedAuthor {
  return person.kind === 'account'
    ? { kind: 'account', accountId: person.accountId }
    : { kind: 'guest', guestId: guestIdOf(person.email) };
}

/** The key the thread files the person's comments under. */
export function authorKeyOfPerson(person: PersonRef): string {
  return authorKeyOf(erasedAuthorOf(person));
}
