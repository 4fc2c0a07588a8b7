import { ACCOUNT_PERSONAL_FIELDS as F, COMMENT_PERSONAL_FIELDS } from '@parley/contracts';
import { IdentityPersonalDataClient, LocalPersonalDataOpener } from '@parley/platform';
import { accountPerson, EmbeddedPersonKeyStore, PersonalDataCipher } from '@parley/privacy';
import pino from 'pino';
import { type InternalListener, startInternalListener } from './internal-listener';

const service = {
  accountId: 'parley-notifications',
  displayName: 'Notifications',
  roles: ['admin' as const],
};

describe("the gateway's internal listener", () => {
  let listener: InternalListener;
  let keys: EmbeddedPersonKeyStore;
  let cipher: PersonalDataCipher;

  beforeAll(async () => {
    keys = await EmbeddedPersonKeyStore.open();
    cipher = new PersonalDataCipher(keys);
    listener = await startInternalListener({
      host: '127.0.0.1',
      port: 0,
      opener: new LocalPersonalDataOpener(cipher),
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(() => listener.close());

  it("opens an account's sealed address and name for a service, and reads an erased one as erased", async () => {
    const ada = await cipher.sealAll(accountPerson('ada'), {
      [F.email]: 'ada@example.com',
      [F.displayName]: 'Ada',
    });
    const bob = await cipher.seal(accountPerson('bob'), F.displayName, 'Bob');
    await keys.destroy(accountPerson('bob'));
    const client = new IdentityPersonalDataClient(listener.url, service);

    const opened = await client.open([
      { field: F.email, value: ada[F.email] },
      { field: F.displayName, value: ada[F.displayName] },
      { field: F.displayName, value: bob },
      { field: F.displayName, value: 'Written before sealing' },
    ]);

    expect(opened).toEqual([
      { status: 'plain', value: 'ada@example.com' },
      { status: 'plain', value: 'Ada' },
      { status: 'erased' },
      { status: 'plain', value: 'Written before sealing' },
    ]);
  });

  it('answers nobody but a service, and names a field it does not open', async () => {
    const sealed = await cipher.seal(accountPerson('ada'), F.email, 'ada@example.com');
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(new URL('/v1/personal-data/opened', listener.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });

    const anonymous = await post({ values: [{ field: F.email, value: sealed }] });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain('ada@example.com');

    const client = new IdentityPersonalDataClient(listener.url, service);
    await expect(
      client.open([{ field: COMMENT_PERSONAL_FIELDS.authorName, value: sealed }]),
    ).rejects.toThrow(/refused.*400/);
  });
});
