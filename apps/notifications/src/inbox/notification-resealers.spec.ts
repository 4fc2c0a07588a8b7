import { COMMENT_PERSONAL_FIELDS, type EventOf } from '@parley/contracts';
import { reviveEnvelope } from '@parley/eventstore';
import { EmbeddedPersonKeyStore, PersonalDataCipher, guestPerson } from '@parley/privacy';
import { commitsOf, emptyServiceLog, migrateToEmptyLog } from '@parley/testing';
import { notificationsResealers } from '../personal-data/notifications-resealers';
import { oldNotificationCommit } from '../testing/old-notifications';

const at = '2025-03-01T10:00:00.000Z';
const reader = '0b6c1f7e-6f0d-4a3e-9a57-0d5e2c1b7a03';

describe('the notifications log migrated to a new store', () => {
  it('keeps no name a notification copied in plaintext, and a guest’s sealed one as a guest’s', async () => {
    // The comments service keeps the guests' keys: what it sealed, the notifications keep sealed.
    const commentKeys = await EmbeddedPersonKeyStore.open();
    const sealedGuestName = await new PersonalDataCipher(commentKeys).seal(
      guestPerson('gina@example.com'),
      COMMENT_PERSONAL_FIELDS.authorName,
      'Gina Sealed',
    );
    const from = await emptyServiceLog('/parley/notifications');
    const old = [
      { notificationId: 'ntf-account', authorName: 'Arno Copiedname', version: 2 as const },
      {
        notificationId: 'ntf-post',
        authorName: 'Petra Postwriter',
        version: 2 as const,
        post: true,
      },
      { notificationId: 'ntf-guest-sealed', authorName: sealedGuestName, version: 2 as const },
      {
        notificationId: 'ntf-guest-plain',
        authorName: 'Gus Plaintext',
        version: 1 as const,
        recipientName: 'Rhea Recipient',
      },
    ];
    for (const n of old)
      await from.log.importCommit(oldNotificationCommit({ ...n, recipientAccountId: reader, at }));

    const { to, summary } = await migrateToEmptyLog('notifications', notificationsResealers, from);

    expect(summary).toMatchObject({ commits: 4, events: 4, sealed: 3 });
    const copied = await commitsOf(to.log);
    const stored = JSON.stringify(copied);
    for (const name of ['Arno Copiedname', 'Petra Postwriter', 'Gus Plaintext', 'Rhea Recipient'])
      expect(stored).not.toContain(name);
    const authors = new Map(
      copied
        .flatMap((c) => c.events.map(reviveEnvelope))
        .map((e) => {
          const created = e as EventOf<'parley.notification.created.v3'>;
          expect(created.type).toBe('parley.notification.created.v3');
          return [created.data.notificationId, created.data.subject.author];
        }),
    );
    expect(Object.fromEntries(authors)).toEqual({
      'ntf-account': { kind: 'erased' },
      'ntf-post': { kind: 'erased' },
      'ntf-guest-sealed': { kind: 'guest', name: sealedGuestName },
      'ntf-guest-plain': { kind: 'erased' },
    });
    expect(
      await new PersonalDataCipher(commentKeys).open(
        sealedGuestName,
        COMMENT_PERSONAL_FIELDS.authorName,
      ),
    ).toEqual({ status: 'plain', value: 'Gina Sealed' });
  });
});
