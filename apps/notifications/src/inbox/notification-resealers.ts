import type { NotifiedAuthor } from '@parley/contracts';
import type { Resealers } from '@parley/platform';
import { isSealedValue } from '@parley/privacy';

/**
 * A notification's author as v3 names them, from the name a notification copied before v3
 * (`named`). A v2 event carries the name alone, never whose it was: a sealed one is a guest's,
 * sealed with the guest's key by the comments service (v2 sealed no other name), and stays so;
 * any other is an account's copied name, or a guest's written before sealing, which cannot be
 * told apart, named by id or sealed under the right key here: it is dropped, and the
 * notification shows its author as a deleted reader.
 */
function authorOf(author: NotifiedAuthor): { author: NotifiedAuthor; dropped: number } {
  if (author.kind !== 'named') return { author, dropped: 0 };
  if (isSealedValue(author.name))
    return { author: { kind: 'guest', name: author.name }, dropped: 0 };
  return { author: { kind: 'erased' }, dropped: 1 };
}

/** The notifications written before v3, which copied their author's name. */
export const notificationResealers: Resealers = {
  'parley.notification.created.v3': async (event) => {
    const { subject } = event.data;
    const { author, dropped } = authorOf(subject.author);
    if (author === subject.author) return { data: event.data, sealed: 0 };
    return { data: { ...event.data, subject: { ...subject, author } }, sealed: dropped };
  },
};
