import { ACCOUNT_PERSONAL_FIELDS as F, type DomainEvent } from '@parley/contracts';
import type { EventStore } from '@parley/eventstore';
import { LocalPersonalDataOpener, openAccountEvent } from '@parley/platform';
import { accountPerson, PersonalDataCipher, type PersonKeyStore } from '@parley/privacy';

/** An account event as it is stored and published: its address and name sealed with the account's key. */
export async function sealAccountEvent<E extends DomainEvent>(
  cipher: PersonalDataCipher,
  event: E,
): Promise<E> {
  if (event.type === 'parley.account.registered.v2') {
    const sealed = await cipher.sealAll(accountPerson(event.data.accountId), {
      [F.email]: event.data.email,
      [F.displayName]: event.data.displayName,
    });
    return {
      ...event,
      data: { ...event.data, email: sealed[F.email], displayName: sealed[F.displayName] },
    };
  }
  if (event.type === 'parley.account.email-verified.v2') {
    const email = await cipher.seal(accountPerson(event.data.accountId), F.email, event.data.email);
    return { ...event, data: { ...event.data, email } };
  }
  if (event.type === 'parley.account.display-name-changed.v2') {
    const person = accountPerson(event.data.accountId);
    const displayName = await cipher.seal(person, F.displayName, event.data.displayName);
    return { ...event, data: { ...event.data, displayName } };
  }
  return event;
}

/**
 * The identity's event store as its deciders see it: account events are sealed on their way in
 * and opened on their way out, so that the log and the bus hold only ciphertext while the
 * deciders decide on plaintext. The relay publishes from the store beneath, as stored.
 */
export function identityStore(store: EventStore, keys: PersonKeyStore): EventStore {
  const cipher = new PersonalDataCipher(keys);
  const opener = new LocalPersonalDataOpener(cipher);
  return {
    source: store.source,
    async readStream(streamId, after) {
      const slice = await store.readStream(streamId, after);
      return {
        ...slice,
        events: await Promise.all(slice.events.map((e) => openAccountEvent(e, opener))),
      };
    },
    async append(streamId, expectedVersion, events, context) {
      const sealed = await Promise.all(events.map((e) => sealAccountEvent(cipher, e)));
      return store.append(streamId, expectedVersion, sealed, context);
    },
    readUnpublished: (limit) => store.readUnpublished(limit),
    markPublished: (commitIds) => store.markPublished(commitIds),
    onAppended: (listener) => store.onAppended(listener),
  };
}
