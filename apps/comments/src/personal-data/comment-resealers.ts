import type { AnyEvent, CommentAuthor } from '@parley/contracts';
import type { ResealContext, Resealers } from '@parley/platform';
import {
  accountPerson,
  guestPerson,
  isLegacyPlaintext,
  type PersonalDataCipher,
  type PersonRef,
} from '@parley/privacy';
import { sealOrigin } from '../origins/comment-origins';
import { openGuest, sealGuest } from './comment-personal-data';

type GuestAuthor = Extract<CommentAuthor, { kind: 'guest' }>;

/** Whose key the shredder seals with does not matter: its keys are kept nowhere. */
const NOBODY = accountPerson('erased');

const isLegacy = (value: string | null): value is string =>
  value !== null && isLegacyPlaintext(value);

/** Whether the stream records that this author was erased (their key destroyed since). */
function erasedIn(stream: readonly AnyEvent[], author: CommentAuthor): boolean {
  return stream.some(
    (e) =>
      e.type === 'parley.comment.author-erased.v1' &&
      (e.data.author.kind === 'guest'
        ? author.kind === 'guest' && e.data.author.guestId === author.guestId
        : author.kind === 'account' && e.data.author.accountId === author.accountId),
  );
}

/**
 * The writer of a comment's stream and the cipher their data is sealed with: the new log's
 * keys, or the shredder's once they were erased (or can no longer be told).
 */
async function writerOf(
  stream: readonly AnyEvent[],
  context: ResealContext,
): Promise<{ person: PersonRef; cipher: PersonalDataCipher }> {
  const posted = stream.find((e) => e.type === 'parley.comment.posted.v3');
  if (posted?.type !== 'parley.comment.posted.v3')
    return { person: NOBODY, cipher: context.shredder };
  const { author } = posted.data;
  if (erasedIn(stream, author)) return { person: NOBODY, cipher: context.shredder };
  if (author.kind === 'account')
    return { person: accountPerson(author.accountId), cipher: context.cipher };
  const opened = await openGuest(context.cipher, author);
  if (opened.erased || opened.email === null) return { person: NOBODY, cipher: context.shredder };
  return { person: guestPerson(opened.email), cipher: context.cipher };
}

/** A guest author with every field sealed, as the decider seals it now (sealGuest). */
async function resealGuest(author: GuestAuthor, context: ResealContext): Promise<GuestAuthor> {
  const opened = await openGuest(context.cipher, author);
  const erased = opened.erased || erasedIn(context.stream, author);
  // Erased while in plaintext: sealed under a key kept nowhere, so it reads as erased, as it should.
  return sealGuest(erased ? context.shredder : context.cipher, {
    kind: 'guest',
    guestId: author.guestId,
    name: erased ? author.name : opened.name,
    email: erased ? author.email : (opened.email ?? author.email),
    url: erased ? author.url : opened.url,
  });
}

/**
 * The comments service's events with personal data written in plaintext before it was sealed:
 * a guest's name, email and website, and (had any been kept so) an origin's IP and user agent;
 * an account author's name, which v3 events no longer copy, is dropped.
 */
export const commentResealers: Resealers = {
  'parley.comment.posted.v3': async (event, context) => {
    const { author } = event.data;
    // An account's name, copied into comments before v3, is the account's: it is left out.
    if (author.kind === 'account')
      return author.displayName === undefined
        ? { data: event.data, sealed: 0 }
        : {
            data: { ...event.data, author: { kind: 'account', accountId: author.accountId } },
            sealed: 1,
          };
    const legacy = [author.name, author.email, author.url].filter(isLegacy).length;
    if (legacy === 0) return { data: event.data, sealed: 0 };
    return {
      data: { ...event.data, author: await resealGuest(author, context) },
      sealed: legacy,
    };
  },
  'parley.comment.origin-recorded.v1': async (event, context) => {
    const ip = isLegacy(event.data.ip) ? event.data.ip : null;
    const userAgent = isLegacy(event.data.userAgent) ? event.data.userAgent : null;
    if (ip === null && userAgent === null) return { data: event.data, sealed: 0 };
    const writer = await writerOf(context.stream, context);
    const sealed = await sealOrigin(
      writer.cipher,
      writer.person,
      { ip, userAgent },
      new Date(event.data.recordedAt),
    );
    return {
      data: {
        ...event.data,
        ip: ip === null ? event.data.ip : sealed.ip,
        userAgent: userAgent === null ? event.data.userAgent : sealed.userAgent,
      },
      sealed: (ip === null ? 0 : 1) + (userAgent === null ? 0 : 1),
    };
  },
};
