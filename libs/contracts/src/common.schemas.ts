import { z } from 'zod';

export const idSchema = z.string().min(1).max(100);
export const isoTimeSchema = z.iso.datetime({ offset: true });
/** The address pattern of z.email(), as a plain pattern so the document states the very check. */
const EMAIL_PATTERN = z.regexes.email.source;
export const emailSchema = z
  .string()
  .max(254)
  .regex(new RegExp(EMAIL_PATTERN), 'Invalid email address');
/**
 * An address as a request gives it: at most 254 characters, trimmed and lower-cased, then
 * checked. The document shows that check, which the pipe would hide.
 */
export const emailInputSchema = z
  .string()
  .max(254)
  .trim()
  .toLowerCase()
  .pipe(emailSchema)
  .meta({ pattern: `^\\s*(?:${EMAIL_PATTERN.slice(1, -1)})\\s*$`, maxLength: 254 });

/**
 * Where an imported post or comment came from: the source site and its id there. Imported
 * events notify nobody, and the same source twice is the same post or comment.
 */
export const importedFromSchema = z.object({
  system: z.literal('wordpress'),
  /** The source site's address, as its export names it. */
  site: z.string().min(1).max(500),
  /** The post's or comment's id on that site. */
  id: z.string().min(1).max(40),
  /** The post's address on that site (its permalink), which keeps leading to it here. */
  link: z.string().min(1).max(2000).optional(),
});
export type ImportedFrom = z.infer<typeof importedFromSchema>;

/**
 * Personal data (a name, an address, a website) sealed with its person's key, as
 * `pd1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts, AES-256-GCM): only the service that
 * keeps the key opens it, and once the key is destroyed nobody can.
 */
export const sealedValueSchema = z
  .string()
  .max(16384)
  .regex(
    /^pd1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/,
    'is not a sealed value',
  );

/**
 * A personal data field of an event: a sealed value, or, in an event written before personal
 * data was sealed (and upcast since), the plaintext it was written with, read as it is.
 */
export function personalDataSchema<T extends z.ZodType<string, string>>(legacyPlaintext: T) {
  return z.union([sealedValueSchema, legacyPlaintext]);
}

/** A list's opaque position (base64url), as its previous page gave it. */
export const cursorSchema = (maxLength: number) =>
  z
    .string()
    .min(1)
    .max(maxLength)
    .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor of this list');
/** A name as stored in events: kept loose so that names accepted before the input rule still read. */
export const displayNameSchema = z.string().trim().min(1).max(80);

/**
 * Marks a validation issue about what a well-formed value holds rather than its shape: the
 * edge answers 422 when every issue of a request carries it, 400 otherwise.
 */
export const UNPROCESSABLE_ISSUE = { status: 422 } as const;

/** Why a string cannot be kept as text, or null: control characters (tab and line breaks aside) and unpaired surrogates. */
export function unsafeTextReason(text: string): string | null {
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    if (code === 0) return 'must not contain NUL (U+0000)';
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f)
      return `must not contain the control character ${hex}`;
    // Iterating by code point leaves a surrogate alone only when it has no partner.
    if (code >= 0xd800 && code <= 0xdfff)
      return `must be valid Unicode (an unpaired surrogate ${hex} is not)`;
  }
  return null;
}

/** Refines a free-text field (bodies, titles, words) to text that can be stored and shown back. */
export function safeText<T extends z.ZodType<string, string>>(schema: T): T {
  return schema.superRefine((text, context) => {
    const reason = unsafeTextReason(text);
    if (reason) context.addIssue({ code: 'custom', message: reason, params: UNPROCESSABLE_ISSUE });
  });
}

export const DISPLAY_NAME_MAX_CHARS = 80;

// Controls, format characters (zero-width, bidirectional overrides and isolates, BOM), line and
// paragraph separators and lone surrogates: invisible or able to reorder the text around them.
const UNSAFE_IN_NAMES = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/**
 * A name as people type it (an account's display name, a guest's name): normalised to NFC,
 * trimmed, at most 80 characters, without characters that hide or reorder text.
 */
export const displayNameInputSchema = z
  .string()
  .normalize('NFC')
  .trim()
  .min(1, 'must not be empty')
  .max(DISPLAY_NAME_MAX_CHARS, `must be at most ${DISPLAY_NAME_MAX_CHARS} characters`)
  .refine(
    (name) => !UNSAFE_IN_NAMES.test(name),
    'must not contain control, invisible or text-direction characters',
  );

// Letters of other scripts and digits that read as Latin letters in a name, in pairs.
const CONFUSABLES = new Map(
  'аaвbеeёeкkмmнhоoрpсcтtуyхxѕsіlїlјjԁdԛqԝwɡgαaβbεeηnιlκkνvοoρpτtυuχxωw0o1l3e5s8bil'
    .match(/../gu)
    ?.map((pair) => [pair[0] ?? '', pair[1] ?? ''] as const),
);

/**
 * What a name reads as, for telling whether two names would be taken for one another:
 * compatibility-normalised (NFKC), case-folded, without accents, spacing and punctuation,
 * and with look-alike letters of other scripts and digits mapped to Latin ones.
 */
export function displayNameKey(name: string): string {
  const folded = name.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  let key = '';
  for (const char of folded) key += CONFUSABLES.get(char) ?? char;
  return key.replace(/[^\p{L}\p{N}]/gu, '');
}

export const ROLES = ['reader', 'author', 'moderator', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** Who asks for a command: an account with its roles, or nobody (a guest). */
export const actorSchema = z.object({
  accountId: idSchema,
  displayName: displayNameSchema,
  roles: z.array(roleSchema),
});
export type Actor = z.infer<typeof actorSchema>;

export const CHANNELS = ['email', 'in-app', 'webhook'] as const;
export const channelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof channelSchema>;

export const FREQUENCIES = ['immediate', 'hourly', 'daily'] as const;
export const frequencySchema = z.enum(FREQUENCIES);
export type Frequency = z.infer<typeof frequencySchema>;
