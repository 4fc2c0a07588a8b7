import { z } from 'zod';

export const idSchema = z.string().min(1).max(100);
export const isoTimeSchema = z.iso.datetime({ offset: true });
export const emailSchema = z.email().max(254);
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
