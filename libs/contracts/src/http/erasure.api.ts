import { z } from 'zod';
import { emailSchema, idSchema } from '../common.schemas';
import { erasureModeSchema } from '../comments.events';

/**
 * Erasing a person at their request: a guest by their email address, or an account. `anonymize`
 * keeps their comments as by "Deleted reader"; `remove` leaves tombstones that keep the replies.
 */
export const erasureRequestSchema = z
  .object({
    email: emailSchema.optional(),
    accountId: idSchema.optional(),
    mode: erasureModeSchema.default('anonymize'),
  })
  .strict()
  .superRefine((request, context) => {
    if ((request.email === undefined) === (request.accountId === undefined))
      context.addIssue({
        code: 'custom',
        path: ['email'],
        message: 'name the person erased: an email address or an account id, not both',
      });
  });
export type ErasureRequest = z.output<typeof erasureRequestSchema>;

/** What one service erased of the person. */
export const serviceErasureSchema = z.object({
  mode: erasureModeSchema,
  /** Comments whose author was erased by this request (none when they were already). */
  comments: z.number().int().min(0),
  /** Subscriptions ended by this request. */
  subscriptions: z.number().int().min(0),
  /** The person's data keys destroyed: what was sealed with them cannot be read any more. */
  keysDestroyed: z.number().int().min(0),
});
export type ServiceErasure = z.infer<typeof serviceErasureSchema>;

/** What an erasure did across the platform. */
export const erasureResultSchema = serviceErasureSchema.extend({
  /** The account was erased (its sign-in, address and name are gone). */
  account: z.boolean(),
});
export type ErasureResult = z.infer<typeof erasureResultSchema>;
