import { randomUUID } from 'node:crypto';
import { accountPerson, guestPerson, personDigest } from '../person';
import { EmbeddedPersonKeyStore } from '../embedded/embedded-person-key-store';
import {
  PersonKeyConflictError,
  type PersonKeyStore,
  type TransferablePersonKeys,
} from '../person-key-store.port';
import { parseSealedValue, PersonalDataCipher } from '../personal-data-cipher';

export interface PersonKeyStoreHarness {
  store: PersonKeyStore & TransferablePersonKeys;
  /** A new store instance over the same storage, as after a restart. */
  reopen(): Promise<PersonKeyStore>;
  /** A second instance over the same storage at the same time, as another replica; absent for one-process stores. */
  replica?(): Promise<PersonKeyStore>;
  close(): Promise<void>;
}

const someone = () => accountPerson(`acc-${randomUUID()}`);
const someGuest = () => `Guest.${randomUUID()}@Example.org`;

/** The behaviour every PersonKeyStore adapter must have, run against each of them. */
export function personKeyStoreContract(
  adapter: string,
  open: () => Promise<PersonKeyStoreHarness>,
  options: { replicas: boolean },
): void {
  describe(`PersonKeyStore contract: ${adapter}`, () => {
    let harness: PersonKeyStoreHarness;
    let store: PersonKeyStore & TransferablePersonKeys;

    beforeEach(async () => {
      harness = await open();
      store = harness.store;
    });

    afterEach(async () => {
      await harness.close();
    });

    it('gives each person one key of 32 bytes, the same on every ask, and finds it by its reference', async () => {
      const ann = someone();
      const first = await store.keyFor(ann);
      expect(first.material).toHaveLength(32);
      expect(await store.keyFor(ann)).toEqual(first);
      expect(await store.find(first.keyId)).toEqual(first);

      const bob = await store.keyFor(someone());
      expect(bob.keyId).not.toBe(first.keyId);
      expect(bob.material.equals(first.material)).toBe(false);
      expect(await store.find('no-such-key')).toBeUndefined();
    });

    it('knows a guest by their address however it is written, and apart from an account', async () => {
      const email = someGuest();
      const guest = await store.keyFor(guestPerson(email));
      expect(await store.keyFor(guestPerson(`  ${email.toLowerCase()} `))).toEqual(guest);
      expect((await store.keyFor(accountPerson(email))).keyId).not.toBe(guest.keyId);
    });

    it('makes one key for a person however many callers ask for it at once', async () => {
      const ann = someone();
      const keys = await Promise.all(Array.from({ length: 20 }, () => store.keyFor(ann)));
      expect(new Set(keys.map((k) => k.keyId)).size).toBe(1);
      expect((await store.list()).filter((k) => k.person === personDigest(ann))).toHaveLength(1);
    });

    // Only a store that replicas share has this case; a one-process store has no replica.
    if (options.replicas)
      it('makes one key for a person that two replicas ask for at once', async () => {
        const other = await harness.replica!();
        for (let round = 0; round < 5; round += 1) {
          const ann = someone();
          const keys = await Promise.all(
            Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? store : other).keyFor(ann)),
          );
          expect(new Set(keys.map((k) => k.keyId)).size).toBe(1);
          expect(new Set(keys.map((k) => k.material.toString('hex'))).size).toBe(1);
        }
      });

    it('keeps its keys across a restart', async () => {
      const ann = someone();
      const key = await store.keyFor(ann);
      const reopened = await harness.reopen();
      expect(await reopened.find(key.keyId)).toEqual(key);
      expect(await reopened.keyFor(ann)).toEqual(key);
    });

    it('destroys every key of a person for good, idempotently, and makes a new one if asked again', async () => {
      const email = someGuest();
      const guest = guestPerson(email);
      const bob = someone();
      const lasting = await store.keyFor(guest);
      const daily = await store.keyFor(guest, '2026-11-20');
      const bobs = await store.keyFor(bob);

      expect(await store.destroy(guestPerson(email.toUpperCase()))).toBe(2);
      expect(await store.find(lasting.keyId)).toBeUndefined();
      expect(await store.find(daily.keyId)).toBeUndefined();
      expect(await store.find(bobs.keyId)).toEqual(bobs);
      expect(await store.destroy(guest)).toBe(0);

      const held = (await store.list()).map((k) => k.keyId);
      expect(held).not.toContain(lasting.keyId);
      expect(held).toContain(bobs.keyId);
      const reopened = await harness.reopen();
      expect(await reopened.find(lasting.keyId)).toBeUndefined();
      expect((await reopened.list()).map((k) => k.keyId)).not.toContain(daily.keyId);

      const again = await store.keyFor(guest);
      expect(again.keyId).not.toBe(lasting.keyId);
    });

    it('destroys the keys of expired retention periods and nothing else', async () => {
      const ann = someone();
      const lasting = await store.keyFor(ann);
      const old = await store.keyFor(ann, '2026-10-01');
      const kept = await store.keyFor(ann, '2026-11-01');
      expect(old.keyId).not.toBe(kept.keyId);
      expect(old.keyId).not.toBe(lasting.keyId);

      expect(await store.destroyPeriodsBefore('2026-11-01')).toBeGreaterThanOrEqual(1);
      expect(await store.find(old.keyId)).toBeUndefined();
      expect(await store.find(kept.keyId)).toEqual(kept);
      expect(await store.find(lasting.keyId)).toEqual(lasting);
      await expect(store.destroyPeriodsBefore('November')).rejects.toThrow(/UTC day/);
    });

    it('lists what it holds by person digest and reference, never by address', async () => {
      const email = someGuest();
      const key = await store.keyFor(guestPerson(email), '2026-11-27');
      const listed = (await store.list()).find((k) => k.keyId === key.keyId);
      expect(listed).toEqual({
        keyId: key.keyId,
        person: personDigest(guestPerson(email)),
        period: '2026-11-27',
      });
      expect(JSON.stringify(await store.list()).toLowerCase()).not.toContain(email.toLowerCase());
    });

    it('leaves values sealed with a destroyed key erased, on this instance and after a restart', async () => {
      const email = someGuest();
      const guest = guestPerson(email);
      const cipher = new PersonalDataCipher(store);
      const sealed = await cipher.seal(guest, 'comment.authorEmail', email);
      expect(await cipher.open(sealed, 'comment.authorEmail')).toEqual({
        status: 'plain',
        value: email,
      });

      await store.destroy(guest);
      const erased = await cipher.open(sealed, 'comment.authorEmail');
      expect(erased).toEqual({ status: 'erased', keyId: parseSealedValue(sealed)?.keyId });
      const reopened = new PersonalDataCipher(await harness.reopen());
      expect((await reopened.open(sealed, 'comment.authorEmail')).status).toBe('erased');
    });

    it('takes keys copied from another store as they are: what they sealed opens here, once, and another key of the same person is refused', async () => {
      const source = await EmbeddedPersonKeyStore.open();
      const email = someGuest();
      const sealed = await new PersonalDataCipher(source).seal(guestPerson(email), 'f', email);
      await source.keyFor(guestPerson(email), '2026-01-02');
      const entries = await source.allKeys();
      expect(entries).toHaveLength(2);

      for (const entry of entries) expect(await store.adopt(entry)).toBe('added');
      for (const entry of entries) expect(await store.adopt(entry)).toBe('present');
      expect(await new PersonalDataCipher(store).open(sealed, 'f')).toEqual({
        status: 'plain',
        value: email,
      });
      expect(await new PersonalDataCipher(await harness.reopen()).open(sealed, 'f')).toEqual({
        status: 'plain',
        value: email,
      });
      const mine = await store.allKeys();
      expect(mine.map((e) => e.info.keyId)).toEqual(
        expect.arrayContaining(entries.map((e) => e.info.keyId)),
      );

      const other = await EmbeddedPersonKeyStore.open();
      const rival = await other.keyFor(guestPerson(email));
      const rivalEntry = (await other.allKeys()).find((e) => e.info.keyId === rival.keyId)!;
      await expect(store.adopt(rivalEntry)).rejects.toBeInstanceOf(PersonKeyConflictError);
    });
  });
}
