import { Inject, Injectable } from '@nestjs/common';
import {
  type Actor,
  AWAITING_MODERATION_MESSAGE,
  type CommentAuthor,
  type CommentKind,
  type CommentStatus,
  type ImportedFrom,
  type CommentView,
  type GuestAuthorInput,
  type PostCommentRequest,
  type PostCommentResponse,
} from '@parley/contracts';
import { ERASED_PERSON_NAME } from '@parley/domain';
import { type EventStore, handleCommand, loadState } from '@parley/eventstore';
import {
  APP_LOGGER,
  CLOCK,
  type Clock,
  EVENT_STORE,
  type RequestOrigin,
  validationProblem,
} from '@parley/platform';
import { PersonalDataCipher } from '@parley/privacy';
import type { Logger } from 'pino';
import { commandContext, runCommand } from '../command-context';
import { CommentOrigins } from '../origins/comment-origins';
import { PostStatusQueries } from '../post-status/post-status.queries';
import { SettingsService } from '../settings/settings.service';
import { ThreadQueries } from '../thread/thread.queries';
import { normalizeCommentBody } from './comment-body';
import {
  type Comment,
  type CommentCommand,
  type CommentError,
  type CommentState,
  type CommentWriter,
  clientKeyFor,
  commentDecider,
  commentStream,
  type ModerationAction,
} from './comment.decider';
import {
  authorKeyOf,
  avatarSeedOf,
  ERASED_AUTHOR_KEY,
  guestIdOf,
  newCommentId,
  newViewerToken,
  textKeyOf,
  viewerTokenHashOf,
} from './comment-keys';
import { openGuest, sealGuest } from '../personal-data/comment-personal-data';
import { RecentWriters, type WriteKeys } from './recent-writers';

/** Who writes: the calling account, or the guest who gave a name and an email. */
export function writerOf(actor: Actor | null, guest: GuestAuthorInput | undefined): CommentWriter {
  if (actor) {
    if (guest)
      throw validationProblem([{ field: 'author', reason: 'only guests give a name and email' }]);
    return { kind: 'account', ...actor };
  }
  if (!guest)
    throw validationProblem([{ field: 'author', reason: 'guests give a name and an email' }]);
  return {
    kind: 'guest',
    guestId: guestIdOf(guest.email),
    name: guest.name,
    email: guest.email,
    url: guest.url,
  };
}

/** What a comment shows of its author: their name and website (a guest's opened). */
export interface ShownAuthor {
  name: string;
  url: string | null;
}

/** A comment as the write endpoints answer it, from its own stream. */
export function commentView(comment: Comment, shown: ShownAuthor): CommentView {
  const { author } = comment;
  const authorKey = authorKeyOf(author);
  return {
    id: comment.commentId,
    postId: comment.postId,
    parentId: comment.parentId,
    depth: comment.depth,
    author: comment.erased
      ? {
          kind: author.kind,
          accountId: null,
          name: ERASED_PERSON_NAME,
          url: null,
          avatarSeed: avatarSeedOf(ERASED_AUTHOR_KEY),
        }
      : author.kind === 'account'
        ? {
            kind: 'account',
            accountId: author.accountId,
            name: shown.name,
            url: null,
            avatarSeed: avatarSeedOf(authorKey),
          }
        : {
            kind: 'guest',
            accountId: null,
            name: shown.name,
            url: shown.url,
            avatarSeed: avatarSeedOf(authorKey),
          },
    body: comment.deleted ? '' : comment.body,
    html: comment.deleted ? '' : comment.html,
    status: comment.status,
    kind: comment.kind,
    postedAt: comment.postedAt,
    edited: comment.editedAt !== null,
    editedAt: comment.editedAt,
    deleted: comment.deleted,
  };
}

/** A comment of another blog, as the import tool hands it over. */
export interface ImportCommentInput {
  commentId: string;
  postId: string;
  parentId: string | null;
  writer: CommentWriter;
  content: string;
  status: CommentStatus;
  kind: CommentKind;
  postedAt: Date;
  imported: ImportedFrom;
  by: string;
}

/** Whether an import added the comment, found it there already, or refused it (and why). */
export type ImportOutcome = { added: boolean } | { refused: CommentError };

/**
 * How long a write waits for the thread read model to show it before answering. Within it,
 * whoever wrote reads their own write at once (the reader page redirects to the comment);
 * past it the answer goes out anyway, the write being durable, and the thread catches up.
 */
export const READ_YOUR_WRITE_MS = 3000;

/** Posting, editing, deleting and moderating comments. */
@Injectable()
export class CommentUseCases {
  private readonly recent = new RecentWriters();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly settings: SettingsService,
    private readonly posts: PostStatusQueries,
    private readonly threads: ThreadQueries,
    private readonly origins: CommentOrigins,
    private readonly cipher: PersonalDataCipher,
  ) {}

  /**
   * The writer as events record them: a guest's name, email and website sealed with their key;
   * an account by id only (its name is the account's, in the account events).
   */
  private async authorOf(writer: CommentWriter): Promise<CommentAuthor> {
    if (writer.kind === 'guest') return sealGuest(this.cipher, writer);
    return { kind: 'account', accountId: writer.accountId };
  }

  /** What the answer shows of a comment's author: a guest's opened from the event, an account's current name. */
  private async shownAuthor(author: CommentAuthor): Promise<ShownAuthor> {
    if (author.kind === 'account') {
      const name = author.displayName ?? (await this.threads.accountName(author.accountId));
      return { name: name ?? ERASED_PERSON_NAME, url: null };
    }
    const { name, url } = await openGuest(this.cipher, author);
    return { name, url };
  }

  /** The comment as its stream tells it: the latest, whatever the read model says yet. */
  async load(commentId: string): Promise<CommentState> {
    return loadState(this.store, commentDecider, commentStream(commentId));
  }

  async post(
    postId: string,
    request: Omit<PostCommentRequest, 'author'>,
    writer: CommentWriter,
    clientKey: string | null,
    origin: RequestOrigin = { ip: null, userAgent: null },
  ): Promise<PostCommentResponse> {
    const now = this.clock();
    const keys: WriteKeys = {
      authorKey: authorKeyOf(writer),
      clientKey: clientKeyFor(writer, clientKey),
      postId,
      textKey: textKeyOf(normalizeCommentBody(request.body)),
    };
    const parentId = request.parentId ?? null;
    const [settings, post, parent, history, sealedOrigin] = await Promise.all([
      this.settings.current(),
      // A refusal of any kind is decided on a view that has seen what was published before.
      this.posts.find(postId, now, ['PostNotFound', 'PostNotPublished', 'CommentsClosed']),
      parentId ? this.load(parentId) : Promise.resolve(null),
      this.threads.writerHistory(keys),
      this.origins.seal(writer, origin, now),
    ]);
    const viewerToken = writer.kind === 'guest' ? newViewerToken() : null;
    const commentId = newCommentId(now);
    const author = await this.authorOf(writer);
    const { state, version } = await runCommand(() =>
      handleCommand(
        this.store,
        commentDecider,
        commentStream(commentId),
        {
          type: 'PostComment',
          commentId,
          postId,
          post,
          ...(parentId ? { parent: { id: parentId, state: parent } } : {}),
          writer,
          author,
          body: request.body,
          notify: request.notify,
          viewerTokenHash: viewerToken ? viewerTokenHashOf(viewerToken) : null,
          settings,
          history: this.recent.complete(keys, history, now),
          clientKey: keys.clientKey,
          origin: sealedOrigin,
        },
        commandContext(),
        { now: () => now, retriesOnConflict: 0, newStream: true },
      ),
    );
    const comment = state!;
    this.recent.record(keys, now);
    await this.awaitProjection(commentId, version);
    this.logger.info(
      { commentId, postId, status: comment.status, reply: parentId !== null },
      'comment posted',
    );
    const status = comment.status as PostCommentResponse['status'];
    return {
      id: commentId,
      status,
      ...(status === 'approved' ? {} : { message: AWAITING_MODERATION_MESSAGE }),
      ...(viewerToken ? { viewerToken } : {}),
      comment: commentView(
        comment,
        writer.kind === 'guest'
          ? { name: writer.name, url: writer.url }
          : { name: writer.displayName, url: null },
      ),
    };
  }

  /** Brings a comment of another blog in as it was there (see ImportComment). */
  async importComment(input: ImportCommentInput): Promise<ImportOutcome> {
    const now = this.clock();
    const [settings, post, parent, author] = await Promise.all([
      this.settings.current(),
      this.posts.find(input.postId, now, ['PostNotFound']),
      input.parentId ? this.load(input.parentId) : Promise.resolve(null),
      this.authorOf(input.writer),
    ]);
    const outcome = await handleCommand(
      this.store,
      commentDecider,
      commentStream(input.commentId),
      {
        type: 'ImportComment',
        commentId: input.commentId,
        post,
        ...(input.parentId ? { parent: { id: input.parentId, state: parent } } : {}),
        writer: input.writer,
        author,
        content: input.content,
        status: input.status,
        kind: input.kind,
        postedAt: input.postedAt,
        imported: input.imported,
        by: input.by,
        settings,
      },
      commandContext(),
      { now: () => now },
    );
    if (!outcome.ok) return { refused: outcome.error };
    // No read-your-writes wait: an import reads nothing back per comment, and waiting for the
    // thread after each one made an import on Kafka + Mongo take minutes for a few dozen.
    return { added: outcome.events.length > 0 };
  }

  async edit(commentId: string, body: string, by: Actor): Promise<CommentView> {
    const settings = await this.settings.current();
    return this.run(commentId, { type: 'EditComment', by, body, settings });
  }

  async remove(commentId: string, by: Actor): Promise<CommentView> {
    return this.run(commentId, { type: 'DeleteComment', by });
  }

  async moderate(commentId: string, action: ModerationAction, by: Actor): Promise<CommentView> {
    const view = await this.run(commentId, { type: 'ModerateComment', by, action });
    this.logger.info({ commentId, action, status: view.status }, 'comment moderated');
    return view;
  }

  private async run(commentId: string, command: CommentCommand): Promise<CommentView> {
    const { state, appended, version } = await runCommand(() =>
      handleCommand(
        this.store,
        commentDecider,
        commentStream(commentId),
        command,
        commandContext(),
        { now: this.clock },
      ),
    );
    if (appended > 0) await this.awaitProjection(commentId, version);
    return commentView(state!, await this.shownAuthor(state!.author));
  }

  /** Read-your-writes: the answer waits (briefly) until the thread shows the change. */
  private async awaitProjection(commentId: string, version: number): Promise<void> {
    if (await this.threads.reached(commentId, version, READ_YOUR_WRITE_MS)) return;
    this.logger.warn(
      { commentId, version, waitedMs: READ_YOUR_WRITE_MS },
      'the thread read model has not caught up with a write yet; answering anyway',
    );
  }
}
