import { z } from 'zod';
import { ACCOUNT_PERSONAL_FIELDS, type AccountPersonalField } from '../accounts.events';

/**
 * The sealed fields of comment events, by the name each was sealed for (the name is
 * authenticated with the value: a value opens only as the field it was sealed for).
 */
export const COMMENT_PERSONAL_FIELDS = {
  authorName: 'comment.author.name',
  authorEmail: 'comment.author.email',
  authorUrl: 'comment.author.url',
} as const;
export type CommentPersonalField =
  (typeof COMMENT_PERSONAL_FIELDS)[keyof typeof COMMENT_PERSONAL_FIELDS];

/** A sealed field of any service's events: a comment's guest author's, or an account's. */
export type PersonalField = CommentPersonalField | AccountPersonalField;

/** What an erased person's comments show instead of their name. */
export const ERASED_PERSON_NAME = 'Deleted reader';

/** The internal route of the comments service that opens the personal data of its events. */
export const OPEN_PERSONAL_DATA_PATH = '/v1/personal-data/opened';
export const OPEN_PERSONAL_DATA_MAX_VALUES = 500;

/**
 * `POST /v1/personal-data/opened` on the comments service (internal: never forwarded by the
 * gateway; services and admins only): the sealed values of comment events, each with its field.
 */
export const openPersonalDataRequestSchema = z.object({
  values: z
    .array(
      z.object({
        field: z.enum(Object.values(COMMENT_PERSONAL_FIELDS) as [CommentPersonalField]),
        value: z.string().max(16384),
      }),
    )
    .max(OPEN_PERSONAL_DATA_MAX_VALUES),
});
export type OpenPersonalDataRequest = z.infer<typeof openPersonalDataRequestSchema>;

/**
 * `POST /v1/personal-data/opened` on the gateway's internal listener (never on its public port):
 * the sealed values of account events, each with its field, in the same answer's shape.
 */
export const openAccountPersonalDataRequestSchema = z.object({
  values: z
    .array(
      z.object({
        field: z.enum(Object.values(ACCOUNT_PERSONAL_FIELDS) as [AccountPersonalField]),
        value: z.string().max(16384),
      }),
    )
    .max(OPEN_PERSONAL_DATA_MAX_VALUES),
});
export type OpenAccountPersonalDataRequest = z.infer<typeof openAccountPersonalDataRequestSchema>;

/** One value opened: its plaintext, erased (its person's key is destroyed) or unreadable. */
export const openedPersonalDataSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('plain'), value: z.string() }),
  z.object({ status: z.literal('erased') }),
  z.object({ status: z.literal('unreadable') }),
]);
export type OpenedPersonalData = z.infer<typeof openedPersonalDataSchema>;

/** The values in the order they were asked. */
export const openPersonalDataResponseSchema = z.object({
  values: z.array(openedPersonalDataSchema),
});
export type OpenPersonalDataResponse = z.infer<typeof openPersonalDataResponseSchema>;
