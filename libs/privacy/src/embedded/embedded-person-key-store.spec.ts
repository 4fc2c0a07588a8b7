import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountPerson, guestPerson } from '../person';
import { PersonalDataCipher } from '../personal-data-cipher';
import { personKeyStoreContract } from '../testing/person-key-store.contract';
import { EmbeddedPersonKeyStore } from './embedded-person-key-store';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-keys-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

personKeyStoreContract(
  'embedded, in the data directory',
  async () => {
    const path = join(dir, 'person-keys.json');
    return {
      store: await EmbeddedPersonKeyStore.open(path),
      reopen: () => EmbeddedPersonKeyStore.open(path),
      close: async () => undefined,
    };
  },
  { replicas: false },
);

describe('EmbeddedPersonKeyStore file', () => {
  it('keeps no trace of a destroyed key in the file, and only its owner may read it', async () => {
    const path = join(dir, 'person-keys.json');
    const store = await EmbeddedPersonKeyStore.open(path);
    const email = 'ann@example.org';
    const ann = await store.keyFor(guestPerson(email));
    const bob = await store.keyFor(accountPerson('acc-bob'));
    const before = await readFile(path, 'utf8');
    expect(before).toContain(ann.material.toString('base64'));
    expect(before).not.toContain(email);

    await store.destroy(guestPerson(email));

    const bytes = await readFile(path);
    expect(bytes.includes(ann.material)).toBe(false);
    expect(bytes.includes(Buffer.from(ann.material.toString('base64')))).toBe(false);
    expect(bytes.includes(Buffer.from(ann.keyId))).toBe(false);
    expect(bytes.includes(Buffer.from(bob.material.toString('base64')))).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['person-keys.json']);
  });

  it('refuses to start on a key file it cannot read rather than making new keys over it', async () => {
    const path = join(dir, 'person-keys.json');
    await (await import('node:fs/promises')).writeFile(path, '{"version":9,"keys":[]}');
    await expect(EmbeddedPersonKeyStore.open(path)).rejects.toThrow(/person key file/);
  });

  it('seals and opens in memory alone when given no file', async () => {
    const cipher = new PersonalDataCipher(await EmbeddedPersonKeyStore.open());
    const sealed = await cipher.seal(accountPerson('acc-1'), 'account.displayName', 'Ann');
    expect(await cipher.open(sealed, 'account.displayName')).toEqual({
      status: 'plain',
      value: 'Ann',
    });
    expect(await readdir(dir)).toEqual([]);
  });
});
