import type { z } from 'zod';
import { displayNameInputSchema, displayNameKey } from '../common.schemas';
import { postCommentRequestSchema, threadQuerySchema } from './comments.api';
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
