import { ERASED_PERSON_NAME, type NotifiedSubject } from '@parley/contracts';
import { plaintextOnlyOpener, showSubjects } from './personal-data.client';

const comment = (author: unknown): NotifiedSubject =>
  ({
    kind: 'comment',
    commentId: 'c1',
    postId: 'p1',
    postTitle: 'Her',
    postSlug: 'her',
    excerpt: 'Which edition?',
    parentId: null,
    ...(author === undefined ? {} : { author }),
  }) as NotifiedSubject;

describe('notification subjects as a reader is shown them', () => {
  const sources = {
    opener: plaintextOnlyOpener('no keys here'),
    accountNames: async (ids: readonly string[]) =>
      new Map(ids.filter((id) => id === 'pat').map((id) => [id, 'Pat'] as const)),
  };

  it('names an account author by its current name, an unknown or erased one as a deleted reader, and a name written before as it was', async () => {
    const shown = await showSubjects(
      [
        comment({ kind: 'account', accountId: 'pat' }),
        comment({ kind: 'account', accountId: 'gone' }),
        comment({ kind: 'erased' }),
        comment({ kind: 'named', name: 'Kim' }),
      ],
      sources,
    );
    expect(shown.map((s) => s.authorName)).toEqual([
      'Pat',
      ERASED_PERSON_NAME,
      ERASED_PERSON_NAME,
      'Kim',
    ]);
    expect(shown.every((s) => !('author' in s))).toBe(true);
  });

  it('shows an inbox document kept before authors were named by id with the name it kept', async () => {
    const before = { ...comment(undefined), authorName: 'Hal' } as unknown as NotifiedSubject;
    const [shown] = await showSubjects([before], sources);
    expect(shown).toMatchObject({ commentId: 'c1', authorName: 'Hal' });
  });
});
