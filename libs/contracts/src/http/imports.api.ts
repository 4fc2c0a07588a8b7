import { z } from 'zod';
import {
  displayNameSchema,
  idSchema,
  importedFromSchema,
  isoTimeSchema,
  roleSchema,
} from '../common.schemas';
import { commentKindSchema, commentStatusSchema } from '../comments.events';

// Schemas of imports: the services' internal routes that take one imported post or comment
// (called by the gateway, never forwarded to the public), and the public import resource.

/** A post of another blog as the posts service takes it in (POST /v1/imported-posts). */
export const importPostRequestSchema = z
  .object({
    postId: idSchema,
    /**
     * An account by id only; a writer of the old blog without an account here by an imported
     * writer's id and their old blog's byline (`displayName`).
     */
    author: z.object({ accountId: idSchema, displayName: displayNameSchema.optional() }),
    slug: z.string().max(200),
    content: z.object({
      title: z.string().max(300),
      body: z.string(),
      excerpt: z.string().nullable(),
      categories: z.array(z.string().max(60)),
      tags: z.array(z.string().max(60)),
      series: z.null(),
    }),
    commentSettings: z.object({ mode: z.enum(['open', 'closed']), autoCloseDays: z.null() }),
    status: z.enum(['draft', 'scheduled', 'published']),
    date: isoTimeSchema,
    imported: importedFromSchema,
  })
  .strict();
export type ImportPostRequest = z.output<typeof importPostRequestSchema>;

/** A comment of another blog as the comments service takes it in (POST /v1/imported-comments). */
export const importCommentRequestSchema = z
  .object({
    commentId: idSchema,
    postId: idSchema,
    parentId: idSchema.nullable(),
    writer: z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('account'),
        accountId: idSchema,
        displayName: displayNameSchema,
        roles: z.array(roleSchema),
      }),
      z.object({
        kind: z.literal('guest'),
        name: z.string().min(1).max(80),
        email: z.string().min(3).max(254),
        url: z.string().max(2000).nullable(),
      }),
    ]),
    content: z.string(),
    status: commentStatusSchema,
    kind: commentKindSchema,
    postedAt: isoTimeSchema,
    imported: importedFromSchema,
  })
  .strict();
export type ImportCommentRequest = z.output<typeof importCommentRequestSchema>;

/** What one import step did: `added`, or `existing` when it was there already (a refusal is a problem). */
export const importStepResponseSchema = z.object({ outcome: z.enum(['added', 'existing']) });
export type ImportStepResponse = z.infer<typeof importStepResponseSchema>;

/** Whether an imported post or comment of this id is there (what a dry run reports). */
export const importedPresenceSchema = z.object({ id: z.string(), exists: z.boolean() });
export type ImportedPresence = z.infer<typeof importedPresenceSchema>;

export const IMPORT_STATES = ['queued', 'checking', 'importing', 'done', 'failed'] as const;
export const importStateSchema = z.enum(IMPORT_STATES);
export type ImportState = z.infer<typeof importStateSchema>;

const tally = z.number().int().min(0);

/** What an import brought in, by kind, and what it left out and why. */
export const importSummarySchema = z.object({
  site: z.object({ title: z.string(), url: z.string() }).nullable(),
  posts: z.object({
    added: tally,
    existing: tally,
    published: tally,
    scheduled: tally,
    draft: tally,
  }),
  comments: z.object({
    added: tally,
    existing: tally,
    byStatus: z.object({ approved: tally, pending: tally, spam: tally, trash: tally }),
    byKind: z.object({ comment: tally, pingback: tally, trackback: tally }),
  }),
  authors: z.object({ inFile: tally, matchedAccounts: tally }),
  categories: tally,
  tags: tally,
  skipped: z.record(z.string(), tally).describe('How many were left out, by reason'),
  notes: z.record(z.string(), tally).describe('How some were brought in, by note'),
});
export type ImportSummaryView = z.infer<typeof importSummarySchema>;

/** An uploaded import and how far it has come (GET /api/v1/imports/{id}). */
export const importViewSchema = z.object({
  id: z.string(),
  source: z.literal('wordpress'),
  dryRun: z
    .boolean()
    .describe(
      'A dry run: the file read and looked up, what it would bring counted, nothing written',
    ),
  state: importStateSchema.describe(
    'checking (the file is coming in, and read whole before anything is written), queued (waiting for the imports before it), importing, then done or failed. An import whose gateway stopped stays importing until a gateway takes it over (at its next start, or another replica within a minute): it runs the file again, adding only what is missing, or fails asking for the file again when the file is not there',
  ),
  items: z.object({
    done: tally,
    total: tally.nullable().describe('Known once the file has been checked'),
  }),
  createdAt: isoTimeSchema,
  finishedAt: isoTimeSchema.nullable(),
  summary: importSummarySchema.nullable().describe('When done'),
  failure: z
    .object({ reason: z.string() })
    .nullable()
    .describe(
      'Why it failed, when it did (a file cut off during the import, a service away, an import interrupted whose file is gone)',
    ),
});
export type ImportView = z.infer<typeof importViewSchema>;

export const importIdParamSchema = z.uuid();

/** POST /api/v1/imports?dryRun=true: only what the import would do. */
export const importUploadQuerySchema = z
  .object({ dryRun: z.enum(['true', 'false']).optional() })
  .strict();
export type ImportUploadQuery = z.infer<typeof importUploadQuerySchema>;
