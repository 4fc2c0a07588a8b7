import { legacyKey, legacyKeysOf } from './legacy-links';

const SITE = 'https://old.example';

describe("an imported post's old addresses", () => {
  it("finds a permalink's path with or without its trailing slash, escaped or not, and WordPress's ?p=", () => {
    const keys = legacyKeysOf({
      system: 'wordpress',
      site: SITE,
      id: '123',
      link: `${SITE}/2014/01/27/movie-quote-monday-her/`,
    });
    expect(keys).toEqual(['p:123', 'path:/2014/01/27/movie-quote-monday-her']);
    for (const path of [
      '/2014/01/27/movie-quote-monday-her/',
      '/2014/01/27/movie-quote-monday-her',
      '/2014/01/27/Movie-Quote-Monday-Her//',
      '/2014/01/27/movie-quote-monday%2Dher/',
      '/2014/01/27/movie-quote-monday-her/comment-page-2/',
    ])
      expect(keys).toContain(legacyKey({ path }));
    expect(keys).toContain(legacyKey({ p: '123' }));
    expect(keys).not.toContain(legacyKey({ path: '/2014/01/27/' }));
    expect(keys).not.toContain(legacyKey({ p: '12' }));
  });

  it('finds the path of a blog kept in a folder both from its old host and from the root here', () => {
    expect(
      legacyKeysOf({
        system: 'wordpress',
        site: 'https://old.example/blog',
        id: '7',
        link: 'https://old.example/blog/hello-world/',
      }),
    ).toEqual(['p:7', 'path:/blog/hello-world', 'path:/hello-world']);
  });

  it('keeps no path for a plain ?p= permalink or a post without one, and never the root', () => {
    expect(
      legacyKeysOf({ system: 'wordpress', site: SITE, id: '9', link: `${SITE}/?p=9` }),
    ).toEqual(['p:9']);
    expect(legacyKeysOf({ system: 'wordpress', site: SITE, id: '9' })).toEqual(['p:9']);
    expect(legacyKeysOf(undefined)).toEqual([]);
    expect(legacyKey({ path: '/' })).toBeNull();
    expect(legacyKey({ path: '/comment-page-2/' })).toBeNull();
    expect(legacyKey({ p: 'x' })).toBeNull();
  });
});
