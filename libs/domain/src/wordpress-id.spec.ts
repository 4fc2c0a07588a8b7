import { NATIVE_WORDPRESS_ID_FLOOR, wordpressIdOf, wordpressTermIdOf } from './wordpress-id';

const imported = (id: string) => ({
  system: 'wordpress' as const,
  site: 'https://old.example',
  id,
});

describe('WordPress integer ids', () => {
  it('keeps an imported WordPress id', () => {
    expect(wordpressIdOf('c-1', imported('1148'))).toBe(1148);
  });

  it('derives the same safe integer from the same Parley id, above every imported id', () => {
    const first = wordpressIdOf('01JD3ZQ8XKZ6W4Y7R2M9N5P1QA');
    expect(wordpressIdOf('01JD3ZQ8XKZ6W4Y7R2M9N5P1QA')).toBe(first);
    expect(Number.isSafeInteger(first)).toBe(true);
    expect(first).toBeGreaterThanOrEqual(NATIVE_WORDPRESS_ID_FLOOR);
    expect(wordpressIdOf('01JD3ZQ8XKZ6W4Y7R2M9N5P1QB')).not.toBe(first);
  });

  it('derives one for an imported id it cannot keep', () => {
    expect(wordpressIdOf('c-2', imported('0'))).toBeGreaterThanOrEqual(NATIVE_WORDPRESS_ID_FLOOR);
    expect(wordpressIdOf('c-2', imported('99999999999999999'))).toBe(wordpressIdOf('c-2'));
  });

  it('gives a category a small positive id, different from a tag of the same name', () => {
    const id = wordpressTermIdOf('category', 'news');
    expect(id).toBeGreaterThan(0);
    expect(id).toBeLessThan(2 ** 31);
    expect(wordpressTermIdOf('tag', 'news')).not.toBe(id);
  });
});
