import { isImportedWriterId } from '@parley/domain';
import type { Resealers } from '@parley/platform';

/**
 * The posts service's events that copied an account's name before v2. A publication and a like
 * lose theirs as they are upcast (the copy writes the newest version); a draft keeps what v1
 * copied, which is left out here unless it is the byline of an imported writer without an
 * account here, the old blog's text and no account's name.
 */
export const postResealers: Resealers = {
  'parley.post.drafted.v2': async (event) => {
    const { authorName, ...data } = event.data;
    if (authorName === undefined) return { data: event.data, sealed: 0 };
    if (event.data.imported !== undefined && isImportedWriterId(event.data.authorId))
      return { data: event.data, sealed: 0 };
    return { data, sealed: 1 };
  },
};
