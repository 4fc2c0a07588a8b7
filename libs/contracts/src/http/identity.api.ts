import { z } from 'zod';
import {
  displayNameInputSchema,
  emailInputSchema,
  emailSchema,
  roleSchema,
} from '../common.schemas';

// Request and response schemas of the gateway's identity API.

const newPasswordSchema = z.string().min(10, 'must be at least 10 characters').max(200);

export const registerRequestSchema = z
  .object({
    email: emailInputSchema,
    password: newPasswordSchema,
    displayName: displayNameInputSchema,
  })
  .strict();
export type RegisterRequest = z.infer<typeof registerRequestSchema>;

export const loginRequestSchema = z
  .object({
    email: z.string().trim().toLowerCase().min(1).max(254),
    password: z.string().min(1).max(200),
  })
  .strict();
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const refreshRequestSchema = z.object({ refreshToken: z.string().min(1).max(200) }).strict();
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

export const passwordResetRequestSchema = z
  .object({ email: z.string().trim().toLowerCase().min(1).max(254) })
  .strict();
export type PasswordResetRequest = z.infer<typeof passwordResetRequestSchema>;

export const passwordResetConfirmSchema = z
  .object({ token: z.string().min(1).max(2000), password: newPasswordSchema })
  .strict();
export type PasswordResetConfirm = z.infer<typeof passwordResetConfirmSchema>;

export const verifyEmailRequestSchema = z.object({ token: z.string().min(1).max(2000) }).strict();

export const updateMeRequestSchema = z.object({ displayName: displayNameInputSchema }).strict();

export const setRolesRequestSchema = z
  .object({
    roles: z
      .array(roleSchema)
      .min(1)
      .max(4)
      .refine((r) => new Set(r).size === r.length, 'roles must not repeat')
      .meta({ uniqueItems: true }),
  })
  .strict();

export const accountViewSchema = z.object({
  id: z.string(),
  email: emailSchema,
  displayName: z.string(),
  roles: z.array(roleSchema),
  emailVerified: z.boolean(),
  registeredAt: z.string(),
});
export type AccountView = z.infer<typeof accountViewSchema>;

export const accountSummarySchema = accountViewSchema.omit({ email: true });

/** The accounts of the blog, newest first, as admins list them. */
export const accountsPageSchema = z.object({ items: z.array(accountSummarySchema) });
export type AccountsPage = z.infer<typeof accountsPageSchema>;
export type AccountSummary = z.infer<typeof accountSummarySchema>;

export const tokensResponseSchema = z.object({
  tokenType: z.literal('Bearer'),
  accessToken: z.string(),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int(),
  refreshToken: z.string(),
  account: accountViewSchema,
});
export type TokensResponse = z.infer<typeof tokensResponseSchema>;
