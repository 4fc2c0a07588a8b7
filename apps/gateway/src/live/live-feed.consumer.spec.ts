import type { LiveReadModels } from '@parley/readmodel';
import type { EventOf, OpenedPersonalData } from '@parley/contracts';
import type { PersonalDataOpener, PersonalDataValue } from '@parley/platform';
import { StreamWriter } from '@parley/testing';
import { AccountNamesConsumer, LiveAccountNames } from './account-names';
import { LiveFeedConsumer } from './live-feed.consumer';
import type { LiveEvent, LiveHub } from './live-hub';

const NAME = 'pd1.k-wade.AAAAAAAAAAAAAAAA.bmFtZQ.AAAAAAAAAAAAAAAAAAAAAA';
const EMAIL = 'pd1.k-wade.BBBBBBBBBBBBBBBB.ZW1haWw.BBBBBBBBBBBBBBBBBBBBBB';
const URL = 'pd1.k-wade.CCCCCCCCCCCCCCCC.dXJs.CCCCCCCCCCCCCCCCCCCCCC';

/** The comments service's contract as the live feed sees it: the values it was asked for. */
class Opener implements PersonalDataOpener {
  asked: PersonalDataValue[] = [];
  constructor(private readonly answers: Record<string, OpenedPersonalData>) {}
  async open(values: readonly PersonalDataValue[]): Promise<OpenedPersonalData[]> {
    this.asked.push(...values);
    return values.map((v) => this.answers[v.value] ?? { status: 'unreadable' });
  }
}

function postedBySealedGuest(): EventOf<'parley.comment.posted.v3'> {
  const [event] = new StreamWriter('comment-c1', '/parley/comments').next({
    type: 'parley.comment.posted.v3',
    data: {
      commentId: 'c1',
      postId: 'p1',
      parentId: null,
      ancestorIds: [],
      ancestorAuthorIds: [],
      depth: 1,
      author: { kind: 'guest', guestId: 'g1', name: NAME, email: EMAIL, url: URL },
      body: 'Hello',
      html: '<p>Hello</p>',
      status: 'approved',
      moderationReason: null,
      notify: 'none',
      postAuthorId: null,
      postTitle: 'Her',
      postSlug: 'her',
      viewerTokenHash: null,
      postedAt: '2026-11-24T12:00:00.000Z',
    },
  });
  return event as EventOf<'parley.comment.posted.v3'>;
}

/** No account's name is read: these comments are by guests. */
const GUESTS_ONLY = {} as unknown as LiveReadModels;

async function liveAuthor(opener: Opener): Promise<unknown> {
  const published: LiveEvent[] = [];
  const hub = { publish: (_channel: string, event: LiveEvent) => published.push(event) };
  await new LiveFeedConsumer(
    hub as unknown as LiveHub,
    opener,
    new LiveAccountNames(GUESTS_ONLY),
  ).onPosted(postedBySealedGuest());
  const [comment] = published;
  return comment?.type === 'comment' ? comment.data.author : undefined;
}

describe('the live comment feed', () => {
  it("shows a guest's name and website opened by the comments service, and never asks for the email", async () => {
    const opener = new Opener({
      [NAME]: { status: 'plain', value: 'Wade Watts' },
      [URL]: { status: 'plain', value: 'https://wade.example' },
    });
    expect(await liveAuthor(opener)).toEqual({
      kind: 'guest',
      accountId: null,
      name: 'Wade Watts',
      url: 'https://wade.example',
    });
    expect(opener.asked.map((v) => v.field)).toEqual(['comment.author.name', 'comment.author.url']);
  });

  it('shows an erased guest as a deleted reader without a website', async () => {
    const erased = new Opener({ [NAME]: { status: 'erased' }, [URL]: { status: 'erased' } });
    expect(await liveAuthor(erased)).toEqual({
      kind: 'guest',
      accountId: null,
      name: 'Deleted reader',
      url: null,
    });
  });
});

type NotifiedAuthor = EventOf<'parley.notification.created.v3'>['data']['subject'] extends infer S
  ? S extends { kind: 'comment'; author: infer A }
    ? A
    : never
  : never;

function notifiedOfSealedGuest(
  author: NotifiedAuthor = { kind: 'guest', name: NAME },
): EventOf<'parley.notification.created.v3'> {
  const [event] = new StreamWriter('notification-n1', '/parley/notifications').next({
    type: 'parley.notification.created.v3',
    data: {
      notificationId: 'n1',
      recipient: { subscriberId: 'subscriber-amy', accountId: 'amy' },
      reason: 'reply',
      subscriptionId: null,
      subject: {
        kind: 'comment',
        commentId: 'c1',
        postId: 'p1',
        postTitle: 'Her',
        postSlug: 'her',
        author,
        excerpt: 'Hello',
        parentId: null,
      },
      causeEventId: 'e1',
      channels: ['in-app'],
      frequency: 'immediate',
      createdAt: '2026-11-24T12:00:01.000Z',
    },
  });
  return event as EventOf<'parley.notification.created.v3'>;
}

/** The gateway's account directory as the account events left it. */
function directoryOf(accounts: { _id: string; displayName: string }[]): LiveReadModels {
  const collection = {
    find: async (filter: { _id: { $in: string[] } }) =>
      accounts.filter((a) => filter._id.$in.includes(a._id)),
  };
  return { db: () => ({ collection: () => collection }) } as unknown as LiveReadModels;
}

async function liveNotifiedName(
  opener: Opener,
  event = notifiedOfSealedGuest(),
  names = new LiveAccountNames(GUESTS_ONLY),
): Promise<unknown> {
  const published: LiveEvent[] = [];
  const hub = { publish: (_channel: string, event: LiveEvent) => published.push(event) };
  await new LiveFeedConsumer(hub as unknown as LiveHub, opener, names).onNotification(event);
  const [notification] = published;
  return notification?.type === 'notification' ? notification.data.subject.authorName : undefined;
}

describe('the live notification feed', () => {
  it("shows the name of a guest's comment opened by the comments service", async () => {
    const opener = new Opener({ [NAME]: { status: 'plain', value: 'Wade Watts' } });
    expect(await liveNotifiedName(opener)).toBe('Wade Watts');
    expect(opener.asked).toEqual([{ field: 'comment.author.name', value: NAME }]);
  });

  it('shows an erased guest as a deleted reader', async () => {
    expect(await liveNotifiedName(new Opener({ [NAME]: { status: 'erased' } }))).toBe(
      'Deleted reader',
    );
  });

  it("shows an account author's current name from the account directory, and opens nothing", async () => {
    const opener = new Opener({});
    const byAccount = notifiedOfSealedGuest({ kind: 'account', accountId: 'wade' });
    const directory = new LiveAccountNames(directoryOf([{ _id: 'wade', displayName: 'Parzival' }]));
    expect(await liveNotifiedName(opener, byAccount, directory)).toBe('Parzival');
    expect(opener.asked).toEqual([]);
  });

  it('shows an erased account, which the directory knows as a deleted reader or not at all, as a deleted reader', async () => {
    const byAccount = notifiedOfSealedGuest({ kind: 'account', accountId: 'wade' });
    const erased = new LiveAccountNames(
      directoryOf([{ _id: 'wade', displayName: 'Deleted reader' }]),
    );
    expect(await liveNotifiedName(new Opener({}), byAccount, erased)).toBe('Deleted reader');
    expect(
      await liveNotifiedName(new Opener({}), byAccount, new LiveAccountNames(directoryOf([]))),
    ).toBe('Deleted reader');
  });

  it('names an account from the account events it has read, without reading the directory, and a deleted reader once erased', async () => {
    const SEALED_NAME = 'pd1.k-wade.DDDDDDDDDDDDDDDD.bmFtZQ.DDDDDDDDDDDDDDDDDDDDDD';
    const noReads = {
      db: () => {
        throw new Error('the directory was read');
      },
    } as unknown as LiveReadModels;
    const names = new LiveAccountNames(noReads);
    const accounts = new AccountNamesConsumer(
      names,
      new Opener({ [SEALED_NAME]: { status: 'plain', value: 'Parzival' } }),
    );
    const account = new StreamWriter('account-wade', '/parley/gateway');
    const [renamed, erased] = account.next(
      {
        type: 'parley.account.display-name-changed.v2',
        data: {
          accountId: 'wade',
          displayName: SEALED_NAME,
          changedAt: '2026-11-24T12:00:00.000Z',
        },
      },
      {
        type: 'parley.account.erased.v1',
        data: { accountId: 'wade', erasedAt: '2026-11-24T13:00:00.000Z' },
      },
    );
    const byAccount = notifiedOfSealedGuest({ kind: 'account', accountId: 'wade' });
    await accounts.onRenamed(renamed as EventOf<'parley.account.display-name-changed.v2'>);
    expect(await liveNotifiedName(new Opener({}), byAccount, names)).toBe('Parzival');
    accounts.onErased(erased as EventOf<'parley.account.erased.v1'>);
    expect(await liveNotifiedName(new Opener({}), byAccount, names)).toBe('Deleted reader');
  });
});
