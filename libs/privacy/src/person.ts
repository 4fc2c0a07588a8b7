import { createHash } from 'node:crypto';

/** Whose personal data a value is: an account, or a guest known only by their email address. */
export type PersonRef =
  | { readonly kind: 'account'; readonly accountId: string }
  | { readonly kind: 'guest'; readonly email: string };

export function accountPerson(accountId: string): PersonRef {
  if (accountId.trim().length === 0) throw new Error('An account person needs an account id');
  return { kind: 'account', accountId };
}

/** A guest, by their address normalised as everywhere else in Parley (trimmed, lower case). */
export function guestPerson(email: string): PersonRef {
  const normalized = normalizeGuestEmail(email);
  if (normalized.length === 0) throw new Error('A guest person needs an email address');
  return { kind: 'guest', email: normalized };
}

export function normalizeGuestEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The name a key store files a person under: a digest, so the store never holds an email
 * address in clear, and the address given to an erasure request finds the same entry.
 */
export function personDigest(person: PersonRef): string {
  const name =
    person.kind === 'account'
      ? `account:${person.accountId}`
      : `guest:${normalizeGuestEmail(person.email)}`;
  return createHash('sha256').update(`parley-person:${name}`).digest('hex');
}
