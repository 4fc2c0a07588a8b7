import { accountPerson, guestPerson } from './person';
import type { PersonKey, PersonKeyStore } from './person-key-store.port';
import { isSealedValue, PersonalDataCipher } from './personal-data-cipher';
import { EmbeddedPersonKeyStore } from './embedded/embedded-person-key-store';

async function cipherWithStore(): Promise<{ cipher: PersonalDataCipher; store: PersonKeyStore }> {
  const store = await EmbeddedPersonKeyStore.open();
  return { cipher: new PersonalDataCipher(store), store };
}

function delegating(store: PersonKeyStore, overrides: Partial<PersonKeyStore>): PersonKeyStore {
  return {
    keyFor: (person, period) => store.keyFor(person, period),
    find: (keyId) => store.find(keyId),
    destroy: (person) => store.destroy(person),
    destroyPeriodsBefore: (period) => store.destroyPeriodsBefore(period),
    list: () => store.list(),
    ...overrides,
  };
}

/** Swaps one base64url part of a sealed value. */
function withPart(sealed: string, index: number, change: (part: Buffer) => Buffer): string {
  const parts = sealed.split('.');
  parts[index] = change(Buffer.from(parts[index]!, 'base64url')).toString('base64url');
  return parts.join('.');
}

describe('PersonalDataCipher', () => {
  const ann = guestPerson('Ann@Example.org');

  it('seals a value into a self-describing string that holds no trace of it, and opens it for its field', async () => {
    const { cipher, store } = await cipherWithStore();
    const sealed = await cipher.seal(ann, 'comment.authorName', 'Ann Éloïse 🌿');
    const key = await store.keyFor(ann);
    expect(sealed.split('.')).toEqual([
      'pd1',
      key.keyId,
      expect.any(String),
      expect.any(String),
      expect.any(String),
    ]);
    expect(sealed).not.toContain('Ann Éloïse');
    expect(isSealedValue(sealed)).toBe(true);
    expect(isSealedValue('Ann Éloïse')).toBe(false);
    expect(await cipher.open(sealed, 'comment.authorName')).toEqual({
      status: 'plain',
      value: 'Ann Éloïse 🌿',
    });
    expect(
      await cipher.open(await cipher.seal(ann, 'comment.website', ''), 'comment.website'),
    ).toEqual({
      status: 'plain',
      value: '',
    });
  });

  it('draws a fresh IV for every value, so equal values never look equal', async () => {
    const { cipher } = await cipherWithStore();
    const sealed = await Promise.all(
      Array.from({ length: 50 }, () => cipher.seal(ann, 'comment.ip', '203.0.113.7')),
    );
    expect(new Set(sealed).size).toBe(50);
    expect(new Set(sealed.map((s) => s.split('.')[2])).size).toBe(50);
  });

  it('does not open a value moved into another field', async () => {
    const { cipher } = await cipherWithStore();
    const email = await cipher.seal(ann, 'comment.authorEmail', 'ann@example.org');
    expect(await cipher.open(email, 'comment.authorName')).toEqual({
      status: 'unreadable',
      reason: 'tampered',
    });
  });

  it('does not open a value whose ciphertext, IV, tag or key reference was changed', async () => {
    const { cipher } = await cipherWithStore();
    const sealed = await cipher.seal(ann, 'comment.authorName', 'Ann');
    const bob = await cipher.seal(accountPerson('acc-bob'), 'comment.authorName', 'Bob');
    const flip = (b: Buffer) => Buffer.from(b.map((byte, i) => (i === 0 ? byte ^ 1 : byte)));
    const tampered = [
      withPart(sealed, 2, flip),
      withPart(sealed, 3, flip),
      withPart(sealed, 4, flip),
      [...sealed.split('.').slice(0, 1), bob.split('.')[1], ...sealed.split('.').slice(2)].join(
        '.',
      ),
    ];
    for (const value of tampered) {
      expect(await cipher.open(value, 'comment.authorName')).toEqual({
        status: 'unreadable',
        reason: 'tampered',
      });
    }
  });

  it('says a value is erased once its person’s key is destroyed, without throwing', async () => {
    const { cipher, store } = await cipherWithStore();
    const sealed = await cipher.sealAll(ann, {
      'comment.authorName': 'Ann',
      'comment.authorEmail': 'ann@example.org',
    });
    const bobs = await cipher.seal(accountPerson('acc-bob'), 'account.displayName', 'Bob');
    await store.destroy(guestPerson('ann@example.org'));
    const keyId = sealed['comment.authorName'].split('.')[1];
    expect(await cipher.open(sealed['comment.authorName'], 'comment.authorName')).toEqual({
      status: 'erased',
      keyId,
    });
    expect(await cipher.open(sealed['comment.authorEmail'], 'comment.authorEmail')).toEqual({
      status: 'erased',
      keyId,
    });
    expect(await cipher.open(bobs, 'account.displayName')).toEqual({
      status: 'plain',
      value: 'Bob',
    });
  });

  it('seals retained values with the key of their period, erased when the period expires', async () => {
    const { cipher, store } = await cipherWithStore();
    const ip = await cipher.seal(ann, 'comment.ip', '203.0.113.7', { period: '2026-10-01' });
    const name = await cipher.seal(ann, 'comment.authorName', 'Ann');
    expect(ip.split('.')[1]).not.toBe(name.split('.')[1]);
    await store.destroyPeriodsBefore('2026-10-31');
    expect((await cipher.open(ip, 'comment.ip')).status).toBe('erased');
    expect(await cipher.open(name, 'comment.authorName')).toEqual({
      status: 'plain',
      value: 'Ann',
    });
  });

  it('seals every field of one person with one key lookup', async () => {
    const store = await EmbeddedPersonKeyStore.open();
    const lookups: string[] = [];
    const counting = delegating(store, {
      keyFor: (person, period) => {
        lookups.push(period ?? 'lasting');
        return store.keyFor(person, period);
      },
    });
    const cipher = new PersonalDataCipher(counting);
    const sealed = await cipher.sealAll(ann, {
      name: 'Ann',
      email: 'ann@example.org',
      url: 'https://ann.example',
    });
    expect(lookups).toEqual(['lasting']);
    expect(await cipher.open(sealed.url, 'url')).toEqual({
      status: 'plain',
      value: 'https://ann.example',
    });
  });

  it('answers malformed and unknown-version values as unreadable, never as a value', async () => {
    const { cipher } = await cipherWithStore();
    const sealed = await cipher.seal(ann, 'comment.authorName', 'Ann');
    const cases: [string, string][] = [
      ['Ann', 'malformed'],
      ['', 'malformed'],
      ['pd1.only.three', 'malformed'],
      [sealed.replace(/^pd1\./, 'pd1.!'), 'malformed'],
      [withPart(sealed, 2, (b) => b.subarray(1)), 'malformed'],
      [sealed.replace(/^pd1\./, 'pd2.'), 'unsupported-version'],
    ];
    for (const [value, reason] of cases) {
      expect(await cipher.open(value, 'comment.authorName')).toEqual({
        status: 'unreadable',
        reason,
      });
    }
  });

  it('reads a value stored in plaintext before sealing as legacy plaintext, and only such a value', async () => {
    const { cipher } = await cipherWithStore();
    const sealed = await cipher.seal(ann, 'comment.author.name', 'Ann');
    expect(await cipher.openStored('Ann Éloïse', 'comment.author.name')).toEqual({
      status: 'plain',
      value: 'Ann Éloïse',
      legacy: true,
    });
    expect(await cipher.openStored(sealed, 'comment.author.name')).toEqual({
      status: 'plain',
      value: 'Ann',
    });
    expect((await cipher.openStored('pd1.only.three', 'comment.author.name')).status).toBe(
      'unreadable',
    );
    expect((await cipher.openStored(sealed.replace(/^pd1/, 'pd2'), 'x')).status).toBe('unreadable');
  });

  it('opens several fields with one lookup per key, each as its own field', async () => {
    const store = await EmbeddedPersonKeyStore.open();
    const finds: string[] = [];
    const cipher = new PersonalDataCipher(
      delegating(store, {
        find: (keyId) => {
          finds.push(keyId);
          return store.find(keyId);
        },
      }),
    );
    const sealed = await cipher.sealAll(ann, { name: 'Ann', email: 'ann@example.org' });
    const bob = await cipher.seal(guestPerson('bob@example.org'), 'name', 'Bob');
    await store.destroy(guestPerson('bob@example.org'));
    const opened = await cipher.openStoredAll([
      { value: sealed.name, field: 'name' },
      { value: sealed.email, field: 'email' },
      { value: sealed.email, field: 'name' },
      { value: 'Old Carl', field: 'name' },
      { value: bob, field: 'name' },
    ]);
    expect(opened).toEqual([
      { status: 'plain', value: 'Ann' },
      { status: 'plain', value: 'ann@example.org' },
      { status: 'unreadable', reason: 'tampered' },
      { status: 'plain', value: 'Old Carl', legacy: true },
      { status: 'erased', keyId: bob.split('.')[1] },
    ]);
    expect(finds).toHaveLength(2);
  });

  it('refuses to seal for a nameless field or with a key that is not 256 bits', async () => {
    const short: PersonKey = { keyId: 'k', material: Buffer.alloc(16) };
    const store = await EmbeddedPersonKeyStore.open();
    const cipher = new PersonalDataCipher(delegating(store, { keyFor: async () => short }));
    await expect(cipher.seal(ann, 'comment.authorName', 'Ann')).rejects.toThrow(/32 bytes/);
    await expect(new PersonalDataCipher(store).seal(ann, '', 'Ann')).rejects.toThrow(/field/);
  });
});
