import {
  ACCOUNT_PERSONAL_FIELDS as F,
  type AnyEvent,
  type DomainEvent,
  ERASED_PERSON_NAME,
} from '@parley/contracts';
import type { EventStore } from '@parley/eventstore';
import type { ProjectionContext } from '@parley/readmodel';
import {
  accountPerson,
  type OpenedValue,
  PersonalDataCipher,
  type PersonKeyStore,
} from '@parley/privacy';

/** What an address reads as once its account's key is destroyed: no address at all. */
export const ERASED_ADDRESS = '';

type Sealable = DomainEvent<
  | 'parley.account.registered.v2'
  | 'parley.account.email-verified.v2'
  | 'parley.account.display-name-changed.v2'
>;

function isSealable(event: { type: string }): event is Sealable {
  return (
    event.type === 'parley.account.registered.v2' ||
    event.type === 'parley.account.email-verified.v2' ||
    event.type === 'parley.account.display-name-changed.v2'
  );
}

const nameOf = (opened: OpenedValue | undefined) =>
  opened?.status === 'plain' ? opened.value : ERASED_PERSON_NAME;
const addressOf = (opened: OpenedValue | undefined) =>
  opened?.status === 'plain' ? opened.value : ERASED_ADDRESS;

/** An account event as it is stored and published: its address and name sealed with the account's key. */
export async function sealAccountEvent<E extends DomainEvent>(
  cipher: PersonalDataCipher,
  event: E,
): Promise<E> {
  if (!isSealable(event)) return event;
  const person = accountPerson(event.data.accountId);
  switch (event.type) {
    case 'parley.account.registered.v2': {
      const sealed = await cipher.sealAll(person, {
        [F.email]: event.data.email,
        [F.displayName]: event.data.displayName,
      });
      return {
        ...event,
        data: { ...event.data, email: sealed[F.email], displayName: sealed[F.displayName] },
      };
    }
    case 'parley.account.email-verified.v2':
      return {
        ...event,
        data: { ...event.data, email: await cipher.seal(person, F.email, event.data.email) },
      };
    case 'parley.account.display-name-changed.v2':
      return {
        ...event,
        data: {
          ...event.data,
          displayName: await cipher.seal(person, F.displayName, event.data.displayName),
        },
      };
  }
}

/**
 * An account event with its address and name opened (legacy plaintext as it is). A value whose
 * key is destroyed reads as a deleted reader's name and no address.
 */
export async function openAccountEvent<E extends { type: string; data: unknown }>(
  cipher: PersonalDataCipher,
  event: E,
): Promise<E> {
  if (!isSealable(event)) return event;
  switch (event.type) {
    case 'parley.account.registered.v2': {
      const [email, name] = await cipher.openStoredAll([
        { value: event.data.email, field: F.email },
        { value: event.data.displayName, field: F.displayName },
      ]);
      return {
        ...event,
        data: { ...event.data, email: addressOf(email), displayName: nameOf(name) },
      };
    }
    case 'parley.account.email-verified.v2': {
      const email = await cipher.openStored(event.data.email, F.email);
      return { ...event, data: { ...event.data, email: addressOf(email) } };
    }
    case 'parley.account.display-name-changed.v2': {
      const name = await cipher.openStored(event.data.displayName, F.displayName);
      return { ...event, data: { ...event.data, displayName: nameOf(name) } };
    }
  }
}

/** An account event of the bus opened with the gateway's keys, for its own read models. */
export function openAccountEventIn<E extends AnyEvent>(
  event: E,
  context: ProjectionContext | undefined,
): Promise<E> {
  if (!context?.personKeys) throw new Error('The account projections need the gateway keys');
  return openAccountEvent(new PersonalDataCipher(context.personKeys), event);
}

/**
 * The identity's event store as its deciders see it: account events are sealed on their way in
 * and opened on their way out, so that the log and the bus hold only ciphertext while the
 * deciders decide on plaintext. The relay publishes from the store beneath, as stored.
 */
export function identityStore(store: EventStore, keys: PersonKeyStore): EventStore {
  const cipher = new PersonalDataCipher(keys);
  return {
    source: store.source,
    async readStream(streamId) {
      const slice = await store.readStream(streamId);
      return {
        ...slice,
        events: await Promise.all(slice.events.map((e) => openAccountEvent(cipher, e))),
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
