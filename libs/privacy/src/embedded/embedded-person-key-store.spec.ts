import { appendFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
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

  it('appends a new key to the file instead of writing it again, and finds every key after a restart', async () => {
    const path = join(dir, 'person-keys.json');
    const store = await EmbeddedPersonKeyStore.open(path);
    const first = await store.keyFor(guestPerson('first@example.org'));
    const inode = (await stat(path)).ino;
    const made = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.keyFor(guestPerson(`g${i}@example.org`))),
    );
    expect((await stat(path)).ino).toBe(inode);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 1 + 50);
    expect(JSON.parse(lines[0]!)).toEqual({ version: 2 });
    await store.close();

    const again = await EmbeddedPersonKeyStore.open(path);
    for (const key of [first, ...made]) expect(await again.find(key.keyId)).toEqual(key);
    await again.close();
  });

  it('reads a file of the older whole-document format and writes it again in the new one', async () => {
    const path = join(dir, 'person-keys.json');
    const material = Buffer.alloc(32, 7);
    await writeFile(
      path,
      `${JSON.stringify({
        version: 1,
        keys: [{ keyId: 'old-key', person: 'p1', period: null, key: material.toString('base64') }],
      })}\n`,
    );
    const store = await EmbeddedPersonKeyStore.open(path);
    expect(await store.find('old-key')).toEqual({ keyId: 'old-key', material });
    await store.close();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { version: 2 },
      { keyId: 'old-key', person: 'p1', period: null, key: material.toString('base64') },
    ]);
  });

  it('drops a last line cut by a crash, which no caller was given, and keeps the keys before it', async () => {
    const path = join(dir, 'person-keys.json');
    const store = await EmbeddedPersonKeyStore.open(path);
    const kept = await store.keyFor(guestPerson('kept@example.org'));
    await store.close();
    await appendFile(path, '{"keyId":"cut","person":"p2","per');
    const reopened = await EmbeddedPersonKeyStore.open(path);
    expect(await reopened.find(kept.keyId)).toEqual(kept);
    expect(await reopened.find('cut')).toBeUndefined();
    const next = await reopened.keyFor(guestPerson('next@example.org'));
    await reopened.close();
    const last = await EmbeddedPersonKeyStore.open(path);
    expect(await last.find(next.keyId)).toEqual(next);
    expect(await last.find(kept.keyId)).toEqual(kept);
    await last.close();
  });

  it('refuses a file with a damaged line before its end', async () => {
    const path = join(dir, 'person-keys.json');
    await writeFile(
      path,
      '{"version":2}\nnot json\n{"keyId":"k","person":"p","period":null,"key":""}\n',
    );
    await expect(EmbeddedPersonKeyStore.open(path)).rejects.toThrow(/person key file/);
  });

  it('refuses to start on a key file it cannot read rather than making new keys over it', async () => {
    const path = join(dir, 'person-keys.json');
    await writeFile(path, '{"version":9,"keys":[]}');
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
