import { Inject, Injectable } from '@nestjs/common';
import type { Actor, PostCommentSettings } from '@parley/contracts';
import { type EventStore, handleCommand, isDomainError } from '@parley/eventstore';
import { APP_LOGGER, CLOCK, type Clock, EVENT_STORE } from '@parley/platform';
import type { Logger } from 'pino';
import { BlogSettingsService } from '../blog/blog-settings.service';
import { PostQueries } from '../read-model/post-queries';
import { type Outcome, type PostsError, commandContext, runCommand } from './command-context';
import { newPostId } from './post-id';
import {
  type Editor,
  type Post,
  type PostCommand,
  type PostContent,
  initialPost,
  postDecider,
} from './post.decider';
import { loadPost, postStream } from './post-stream';
import { slugCandidate, slugify } from './slug';
import { slugReservationDecider, slugStream } from './slug-reservation.decider';

/**
 * How long a write waits for the posts read model, a consumer of the posts topic, to show it
 * before answering: within it, what the write changed is on the topic and in the author's
 * next read, and the other services see it before any question asked after the answer.
 */
export const READ_YOUR_WRITE_MS = 3000;

/** How many numbered slugs (`her-2`, `her-3`, …) to try before one made unique by the id. */
const SLUG_ATTEMPTS = 25;

export function editorOf(actor: Actor): Editor {
  return { accountId: actor.accountId, roles: actor.roles };
}

export interface DraftInput {
  content: PostContent;
  commentSettings?: PostCommentSettings | undefined;
}

export interface EditInput {
  changes: Partial<PostContent>;
  commentSettings?: PostCommentSettings | undefined;
  expectedRevision?: number | undefined;
}

/** A post of another blog, as the import tool hands it over (its slug is kept when free here). */
export type ImportPostInput = Omit<Extract<PostCommand, { type: 'ImportPost' }>, 'type'>;

/** The posts' write side: each use case runs the post's decider on its stream. */
@Injectable()
export class PostUseCases {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly queries: PostQueries,
    private readonly blog: BlogSettingsService,
  ) {}

  load(postId: string): Promise<Post> {
    return loadPost(this.store, postId);
  }

  async draft(actor: Actor, input: DraftInput): Promise<Outcome<Post>> {
    const postId = newPostId(this.clock());
    const command = {
      type: 'DraftPost' as const,
      postId,
      author: editorOf(actor),
      slug: '',
      content: input.content,
      commentSettings: input.commentSettings ?? (await this.blog.current()).defaultCommentSettings,
    };
    // Refused drafts (a reader, a blank title) reserve no slug.
    const refusal = this.refusal(command, initialPost);
    if (refusal) return { ok: false, error: refusal };
    const slug = await this.reserveSlug(input.content.title, postId);
    return this.run(postId, { ...command, slug });
  }

  /** Brings a post of another blog in with its dates and status; `added` is false when it was here already. */
  async importPost(input: ImportPostInput): Promise<Outcome<{ post: Post; added: boolean }>> {
    const current = await this.load(input.postId);
    if (current.exists) return { ok: true, value: { post: current, added: false } };
    const command: PostCommand = { type: 'ImportPost', ...input };
    const refusal = this.refusal(command, initialPost);
    if (refusal) return { ok: false, error: refusal };
    const slug = await this.reserveSlug(input.slug || input.content.title, input.postId);
    // The wait for the read model is kept: once the post is there it is on the topic, so the
    // comments service, which learns of posts from the topic, takes the post's comments next.
    const outcome = await this.run(input.postId, { ...command, slug });
    return outcome.ok ? { ok: true, value: { post: outcome.value, added: true } } : outcome;
  }

  async edit(actor: Actor, postId: string, input: EditInput): Promise<Outcome<Post>> {
    const current = await this.load(postId);
    const command: Extract<PostCommand, { type: 'EditPost' }> = {
      type: 'EditPost',
      by: editorOf(actor),
      changes: input.changes,
      ...(input.expectedRevision !== undefined ? { expectedRevision: input.expectedRevision } : {}),
    };
    const refusal = this.refusal(command, current);
    if (refusal) return { ok: false, error: refusal };
    let slug: string | undefined;
    const title = input.changes.title;
    // Before the first publication the slug follows the title; a change only of case or
    // punctuation keeps it.
    if (
      current.firstPublishedAt === null &&
      title !== undefined &&
      slugify(title) !== slugify(current.title)
    )
      slug = await this.reserveSlug(title, postId);
    let outcome = await this.run(postId, { ...command, ...(slug !== undefined ? { slug } : {}) });
    if (outcome.ok && input.commentSettings !== undefined) {
      outcome = await this.run(postId, {
        type: 'ChangeCommentSettings',
        by: command.by,
        commentSettings: input.commentSettings,
      });
    }
    return outcome;
  }

  publish(actor: Actor, postId: string): Promise<Outcome<Post>> {
    return this.run(postId, { type: 'PublishPost', by: editorOf(actor) });
  }

  schedule(actor: Actor, postId: string, publishAt: Date): Promise<Outcome<Post>> {
    return this.run(postId, { type: 'SchedulePost', by: editorOf(actor), publishAt });
  }

  unpublish(actor: Actor, postId: string): Promise<Outcome<Post>> {
    return this.run(postId, { type: 'UnpublishPost', by: editorOf(actor) });
  }

  delete(actor: Actor, postId: string): Promise<Outcome<Post>> {
    return this.run(postId, { type: 'DeletePost', by: editorOf(actor) });
  }

  /** The scheduler's command: true when this call published the post. */
  async publishDue(postId: string): Promise<boolean> {
    const outcome = await handleCommand(
      this.store,
      postDecider,
      postStream(postId),
      { type: 'PublishDuePost' },
      commandContext(),
      { now: this.clock },
    );
    return outcome.ok && outcome.events.length > 0;
  }

  private refusal(command: PostCommand, state: Post): PostsError | undefined {
    const decision = postDecider.decide(command, state, this.clock());
    return isDomainError(decision) ? decision : undefined;
  }

  private async run(postId: string, command: PostCommand): Promise<Outcome<Post>> {
    let appended: number | undefined;
    const outcome = await runCommand(async () => {
      const result = await handleCommand(
        this.store,
        postDecider,
        postStream(postId),
        command,
        commandContext(),
        { now: this.clock },
      );
      if (result.ok && result.events.length > 0) appended = result.version;
      return result;
    });
    if (appended !== undefined) await this.awaitProjection(postId, appended);
    return outcome;
  }

  /** Read-your-writes: the answer waits (briefly) until the read model shows the change. */
  private async awaitProjection(postId: string, version: number): Promise<void> {
    if (await this.queries.reached(postId, version, READ_YOUR_WRITE_MS)) return;
    this.logger.warn(
      { postId, version, waitedMs: READ_YOUR_WRITE_MS },
      'the posts read model has not caught up with a write yet; answering anyway',
    );
  }

  /**
   * Reserves the first free slug for a title: `her`, then `her-2`, `her-3`, … A slug the
   * post holds already is its own again. After a run of taken ones, the post's id makes it
   * unique.
   */
  private async reserveSlug(title: string, postId: string): Promise<string> {
    const base = slugify(title);
    for (let attempt = 1; attempt <= SLUG_ATTEMPTS + 1; attempt++) {
      const slug =
        attempt <= SLUG_ATTEMPTS ? slugCandidate(base, attempt) : `${base}-${postId.slice(-12)}`;
      const outcome = await handleCommand(
        this.store,
        slugReservationDecider,
        slugStream(slug),
        { slug, postId },
        commandContext(),
        { now: this.clock },
      );
      if (outcome.ok) return slug;
    }
    throw new Error(`No free slug for post ${postId}`);
  }
}
