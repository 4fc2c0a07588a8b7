import type { z } from 'zod';
import { displayNameInputSchema, displayNameKey } from '../common.schemas';
import {
  blogCommentSettingsInputSchema,
  editCommentRequestSchema,
  postCommentRequestSchema,
  threadQuerySchema,
} from './comments.api';
import { registerRequestSchema, updateMeRequestSchema } from './identity.api';
import { createPostRequestSchema, updatePostRequestSchema } from './posts.api';

/**
 * The gateway validates a request with these schemas and forwards what they made of it;
 * the service validates that again. Each schema must therefore accept its own output.
 */
function roundTrips(schema: z.ZodType, input: unknown): void {
  const once = schema.parse(input);
  expect(schema.parse(once)).toEqual(once);
}

describe('request schemas shared by the gateway and the services', () => {
  it('accept their own output', () => {
    roundTrips(postCommentRequestSchema, {
      body: 'Hi',
      author: { name: 'Wade', email: 'Wade@Example.com ', url: '' },
    });
    roundTrips(postCommentRequestSchema, {
      body: 'Hi',
      author: { name: 'Wade', email: 'wade@example.com', url: 'https://wade.example' },
      notify: 'all',
    });
    roundTrips(postCommentRequestSchema, { body: 'Hi', parentId: 'c1' });
    roundTrips(createPostRequestSchema, {
      title: 'Her',
      body: 'x',
      commentSettings: { mode: 'auto-close', autoCloseDays: 14 },
    });
    roundTrips(createPostRequestSchema, {
      title: 'Her',
      body: 'x',
      commentSettings: { mode: 'open' },
    });
    roundTrips(updatePostRequestSchema, { title: 'Her', expectedRevision: 2 });
  });

  it('turns an empty website into null and splits viewer tokens', () => {
    expect(
      postCommentRequestSchema.parse({
        body: 'Hi',
        author: { name: 'W', email: 'w@example.com', url: '' },
      }).author?.url,
    ).toBeNull();
    expect(
      threadQuerySchema.parse({ viewerToken: 'aaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbb' }).viewerToken,
    ).toHaveLength(2);
  });

  describe('free text (bodies, titles, excerpts, terms, words)', () => {
    const fieldsOf = (schema: z.ZodType, input: unknown) => {
      const result = schema.safeParse(input);
      return result.success
        ? []
        : result.error.issues.map((issue) => ({
            field: issue.path.join('.'),
            reason: issue.message,
            status: (issue as { params?: { status?: number } }).params?.status,
          }));
    };

    it.each([
      ['a NUL', 'Hello\u0000world', 'must not contain NUL (U+0000)'],
      [
        'an unpaired high surrogate',
        'Hello \ud83d',
        'must be valid Unicode (an unpaired surrogate U+D83D is not)',
      ],
      [
        'an unpaired low surrogate',
        '\ude00 there',
        'must be valid Unicode (an unpaired surrogate U+DE00 is not)',
      ],
      ['a control character', 'bell\u0007', 'must not contain the control character U+0007'],
    ])('refuses %s in every field that reaches an event, saying why', (_what, text, reason) => {
      const refused = { reason, status: 422 };
      expect(fieldsOf(postCommentRequestSchema, { body: text })).toEqual([
        { field: 'body', ...refused },
      ]);
      expect(fieldsOf(editCommentRequestSchema, { body: text })).toEqual([
        { field: 'body', ...refused },
      ]);
      expect(
        fieldsOf(createPostRequestSchema, {
          title: text,
          body: text,
          excerpt: text,
          tags: ['ok', text],
          categories: [text],
          series: text,
        })
          .map((e) => e.field)
          .sort(),
      ).toEqual(['body', 'categories.0', 'excerpt', 'series', 'tags.1', 'title']);
      expect(fieldsOf(updatePostRequestSchema, { body: text })).toEqual([
        { field: 'body', ...refused },
      ]);
      expect(fieldsOf(blogCommentSettingsInputSchema, { spamWords: [text] })).toEqual([
        { field: 'spamWords.0', ...refused },
      ]);
    });

    it('takes any real text: emoji, other scripts, tabs and line breaks', () => {
      const text = 'Merci 🎉👍🏽 👨‍👩‍👧 — 日本語, עברית\tcolumn\r\nnext line';
      expect(postCommentRequestSchema.parse({ body: text }).body).toBe(text);
      expect(createPostRequestSchema.parse({ title: text, body: text }).title).toBe(text);
    });
  });
});

describe('the rule for names people type', () => {
  const name = (value: string) => displayNameInputSchema.safeParse(value);

  it('normalises to NFC and trims', () => {
    expect(name('  Zoe\u0308 ').data).toBe('Zoë');
  });

  it.each([
    ['a line break', 'Amy\r\nAdmin'],
    ['NUL', 'Amy\u0000'],
    ['a zero-width space', 'Bo\u200Bots'],
    ['a right-to-left override', 'Amy\u202Etxt.exe'],
    ['a bidirectional isolate', 'Amy\u2066x\u2069'],
    ['a lone surrogate', 'Amy\uD800'],
  ])('refuses %s, naming the reason', (_what, value) => {
    const result = name(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/control, invisible or text-direction/);
  });

  it('refuses empty and overlong names', () => {
    expect(name('   ').success).toBe(false);
    expect(name('x'.repeat(81)).success).toBe(false);
    expect(name('x'.repeat(80)).success).toBe(true);
  });

  it('is the rule of every place a name enters', () => {
    const bad = 'Bo\u202Eots';
    expect(
      registerRequestSchema.safeParse({
        email: 'a@b.example',
        password: 'x'.repeat(10),
        displayName: bad,
      }).success,
    ).toBe(false);
    expect(updateMeRequestSchema.safeParse({ displayName: bad }).success).toBe(false);
    const guest = postCommentRequestSchema.safeParse({
      body: 'Hi',
      author: { name: bad, email: 'g@b.example' },
    });
    expect(guest.error?.issues[0]?.path).toEqual(['author', 'name']);
  });

  it('reads look-alike names as one', () => {
    const boots = displayNameKey('Boots');
    for (const lookalike of [
      'boots',
      'BOOTS',
      'B o o t s',
      'Bööts',
      'B0ots',
      'Вооts',
      'Ｂｏｏｔｓ',
    ])
      expect(displayNameKey(lookalike)).toBe(boots);
    expect(displayNameKey('Bootsy')).not.toBe(boots);
  });
});
