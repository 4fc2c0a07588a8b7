import { z } from 'zod';

export const idSchema = z.string().min(1).max(100);
export const isoTimeSchema = z.iso.datetime({ offset: true });
export const emailSchema = z.email().max(254);
/** A name as stored in events: kept loose so that names accepted before the input rule still read. */
export const displayNameSchema = z.string().trim().min(1).max(80);

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
