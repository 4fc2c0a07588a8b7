import type { z } from 'zod';
import {
  blogCommentSettingsInputSchema,
  editCommentRequestSchema,
  postCommentRequestSchema,
  threadQuerySchema,
} from './comments.api';
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
