import { deciderSpec } from '@parley/testing';
import { excerptOf } from './excerpt';
import { newPostId } from './post-id';
import { SLUG_MAX_LENGTH, slugCandidate, slugify } from './slug';
import { slugReservationDecider } from './slug-reservation.decider';

describe('slugs', () => {
  it('turns a title into lower-case ASCII words joined by hyphens', () => {
    expect(slugify('Her')).toBe('her');
    expect(slugify('Movie Quote Monday: "Her" (2013)')).toBe('movie-quote-monday-her-2013');
    expect(slugify('Café Brûlé, straße & Smørrebrød')).toBe('cafe-brule-strasse-smorrebrod');
    expect(slugify("Don't Look Up")).toBe('dont-look-up');
    expect(slugify('  --Hello---World--  ')).toBe('hello-world');
  });

  it('falls back to a neutral slug when the title has nothing a URL can carry', () => {
    expect(slugify('???')).toBe('post');
    expect(slugify('日本語')).toBe('post');
  });

  it('bounds the length, cutting between words', () => {
    const slug = slugify(`${'word '.repeat(40)}end`);
    expect(slug.length).toBeLessThanOrEqual(SLUG_MAX_LENGTH);
    expect(slug).toMatch(/^word(-word)*$/);
    expect(slugify('x'.repeat(200))).toBe('x'.repeat(SLUG_MAX_LENGTH));
  });

  it('numbers further candidates from 2', () => {
    expect([1, 2, 3].map((n) => slugCandidate('her', n))).toEqual(['her', 'her-2', 'her-3']);
  });
});

describe('the slug reservation decider', () => {
  const spec = deciderSpec(slugReservationDecider);
  const reserved = {
    type: 'parley.slug.reserved.v1' as const,
    data: { slug: 'her', postId: 'p1', reservedAt: '2026-11-24T12:00:00.000Z' },
  };

  it('gives a free slug to the post that asks first', () => {
    spec.given([]).when({ slug: 'her', postId: 'p1' }).then([reserved]);
  });

  it('keeps a slug with its post for ever: the same post again decides nothing', () => {
    spec.given([reserved]).when({ slug: 'her', postId: 'p1' }).then([]);
  });

  it('refuses a slug that belongs to another post', () => {
    spec
      .given([reserved])
      .when({ slug: 'her', postId: 'p2' })
      .thenError('SlugTaken', { postId: 'p1' });
  });
});

describe('excerpts', () => {
  it('are the body as plain text, without Markdown', () => {
    expect(
      excerptOf(
        '# Her\n\nA film by **Spike Jonze** about [love](https://example.com) and `code`.\n\n> quoted\n- item',
      ),
    ).toBe('Her A film by Spike Jonze about love and code. quoted item');
  });

  it('are cut at a word boundary with an ellipsis', () => {
    const excerpt = excerptOf(`${'lorem ipsum '.repeat(60)}`, 50);
    expect(excerpt.length).toBeLessThanOrEqual(50);
    expect(excerpt).toMatch(/^lorem ipsum .*(lorem|ipsum)…$/);
  });
});

describe('post ids', () => {
  it('are UUID version 7 and sort by creation time', () => {
    const first = newPostId(new Date('2026-11-24T12:00:00.000Z'));
    const second = newPostId(new Date('2026-11-24T12:00:00.001Z'));
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first < second).toBe(true);
    // The first 48 bits are the Unix time in milliseconds, big-endian.
    const ms = Date.parse('2026-11-24T12:00:00.000Z').toString(16).padStart(12, '0');
    expect(first.replace('-', '').slice(0, 12)).toBe(ms);
  });
});
