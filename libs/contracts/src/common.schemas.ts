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

/** A list's opaque position (base64url), as its previous page gave it. */
export const cursorSchema = (maxLength: number) =>
  z
    .string()
    .min(1)
    .max(maxLength)
    .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor of this list');
export const displayNameSchema = z.string().trim().min(1).max(80);

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
