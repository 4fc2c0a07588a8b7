import { ACCOUNT_PERSONAL_FIELDS as F, type TopicEvent } from '@parley/contracts';
import { EmbeddedEventStore, handleCommand, loadState, reviveEnvelope } from '@parley/eventstore';
import { LocalPersonalDataOpener } from '@parley/platform';
import {
  accountPerson,
  EmbeddedPersonKeyStore,
  isSealedValue,
  PersonalDataCipher,
} from '@parley/privacy';
import { GenerationDb, MemoryDocumentStore } from '@parley/readmodel';
import { commitsOf, emptyServiceLog, migrateToEmptyLog } from '@parley/testing';
import { type AccountCommand, accountDecider } from './account.decider';
import { identityStore } from './account-personal-data';
import { accountResealers } from './account-resealers';
import { type AccountDirectoryEntry, ACCOUNTS_DIRECTORY } from './accounts.projection';

const context = { correlationId: 'spec', causationId: null };
const at = '2026-11-28T10:00:00.000Z';
const now = () => new Date(at);
const ada = { email: 'ada.lovelace@example.com', displayName: 'Ada Lovelace' };

const runOn = (
  identity: ReturnType<typeof identityStore>,
  stream: string,
  command: AccountCommand,
) => handleCommand(identity, accountDecider, stream, command, context, { now });

async function registered() {
  const log = await EmbeddedEventStore.open('/parley/gateway');
  const keys = await EmbeddedPersonKeyStore.open();
  const identity = identityStore(log, keys);
  const stream = 'account-ada';
  await runOn(identity, stream, {
    type: 'Register',
    accountId: 'ada',
    ...ada,
    passwordHash: 'hash',
    roles: ['reader'],
  });
  await runOn(identity, stream, { type: 'VerifyEmail', email: ada.email });
  await runOn(identity, stream, { type: 'ChangeDisplayName', displayName: 'Ada King' });
  return { log, keys, identity, stream };
}

describe("an account's personal data in the identity's events", () => {
  it('is stored and published sealed with the account key, and decided on in plaintext', async () => {
    const { log, keys, identity, stream } = await registered();

    const stored = JSON.stringify(await commitsOf(log));
    expect(stored).not.toContain(ada.email);
    expect(stored).not.toContain('Ada King');
    const unpublished = JSON.stringify(await log.readUnpublished(100));
    expect(unpublished).not.toContain(ada.email);
    expect(unpublished).not.toContain('Ada King');
    const [registration] = (await log.readStream(stream)).events;
    expect(registration?.type).toBe('parley.account.registered.v2');
    const data = registration?.data as { email: string; displayName: string };
    expect(isSealedValue(data.email) && isSealedValue(data.displayName)).toBe(true);
    expect(await new PersonalDataCipher(keys).open(data.email, F.email)).toEqual({
      status: 'plain',
      value: ada.email,
    });

    const account = await loadState(identity, accountDecider, stream);
    expect(account).toMatchObject({
      email: ada.email,
      displayName: 'Ada King',
      emailVerified: true,
    });
    // The address a verification link names is compared with the opened one.
    const again = await runOn(identity, stream, {
      type: 'VerifyEmail',
      email: 'other@example.com',
    });
    expect(again.ok).toBe(false);
  });

  it("shows the account's name in the gateway's directory, and a deleted reader once its key is destroyed", async () => {
    const { log, keys } = await registered();
    const events = (await log.readUnpublished(100)).flatMap(
      (c) => c.events,
    ) as TopicEvent<'accounts'>[];
    const directory = async () => {
      const db = new GenerationDb(new MemoryDocumentStore(), ACCOUNTS_DIRECTORY, 1);
      for (const event of events)
        await ACCOUNTS_DIRECTORY.apply(event, db, {
          personKeys: keys,
          personalData: new LocalPersonalDataOpener(new PersonalDataCipher(keys)),
        });
      return db.collection<AccountDirectoryEntry>('accounts').findOne({ _id: 'ada' });
    };
    expect(await directory()).toMatchObject({ displayName: 'Ada King', emailVerified: true });
    await keys.destroy(accountPerson('ada'));
    expect((await directory())?.displayName).toBe('Deleted reader');
  });

  it('is sealed when a log written in plaintext is migrated, and under no key for an erased account', async () => {
    const from = await emptyServiceLog('/parley/gateway');
    const plain = (accountId: string, email: string, displayName: string) => [
      {
        type: 'parley.account.registered.v2' as const,
        data: { accountId, email, displayName, roles: ['reader' as const], registeredAt: at },
      },
      {
        type: 'parley.account.email-verified.v2' as const,
        data: { accountId, email, verifiedAt: at },
      },
      {
        type: 'parley.account.display-name-changed.v2' as const,
        data: { accountId, displayName: `${displayName} K`, changedAt: at },
      },
    ];
    await from.log.append('account-ada', 0, plain('ada', ada.email, 'Ada Lovelace'), context);
    await from.log.append(
      'account-bob',
      0,
      plain('bob', 'bob.gone@example.com', 'Bob Gone'),
      context,
    );
    await from.log.append(
      'account-bob',
      3,
      [{ type: 'parley.account.erased.v1', data: { accountId: 'bob', erasedAt: at } }],
      context,
    );

    const { to, summary } = await migrateToEmptyLog('gateway', accountResealers, from);

    expect(summary).toMatchObject({ sealed: 8 });
    const copied = JSON.stringify(await commitsOf(to.log));
    for (const plaintext of [ada.email, 'Ada Lovelace', 'bob.gone@example.com', 'Bob Gone'])
      expect(copied).not.toContain(plaintext);
    const opened = await loadState(identityStore(to.log, to.keys), accountDecider, 'account-ada');
    expect(opened).toMatchObject({ email: ada.email, displayName: 'Ada Lovelace K' });
    const bobs = (await to.log.readStream('account-bob')).events.map(reviveEnvelope);
    const cipher = new PersonalDataCipher(to.keys);
    const bobRegistered = bobs[0]?.data as { email: string };
    expect((await cipher.open(bobRegistered.email, F.email)).status).toBe('erased');
  });
});
