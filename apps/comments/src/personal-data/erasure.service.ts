import { Inject, Injectable } from '@nestjs/common';
import type { ErasureMode, ServiceErasure } from '@parley/contracts';
import { type EventStore, handleCommand } from '@parley/eventstore';
import { APP_LOGGER, CLOCK, type Clock, EVENT_STORE, PERSON_KEYS } from '@parley/platform';
import type { PersonKeyStore, PersonRef } from '@parley/privacy';
import type { Logger } from 'pino';
import { commandContext, runCommand } from '../command-context';
import { commentDecider, commentStream } from '../comments/comment.decider';
import { READ_YOUR_WRITE_MS } from '../comments/comment-use-cases';
import { ThreadQueries } from '../thread/thread.queries';
import { authorKeyOfPerson, erasedAuthorOf } from './erased-author';

/** Erases a person from the comments: each of their comments records it, then their guest key goes. */
@Injectable()
export class ErasureService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSON_KEYS) private readonly keys: PersonKeyStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly threads: ThreadQueries,
  ) {}

  async erase(person: PersonRef, mode: ErasureMode): Promise<ServiceErasure> {
    const author = erasedAuthorOf(person);
    const commentIds = await this.threads.commentIdsBy(authorKeyOfPerson(person));
    let comments = 0;
    for (const commentId of commentIds) {
      const { appended, version } = await runCommand(() =>
        handleCommand(
          this.store,
          commentDecider,
          commentStream(commentId),
          { type: 'EraseAuthor', author, mode },
          commandContext(),
          { now: this.clock },
        ),
      );
      if (appended === 0) continue;
      comments += 1;
      // The answer waits until the thread no longer shows them, as any write does.
      await this.threads.reached(commentId, version, READ_YOUR_WRITE_MS);
    }
    // Guests' keys are this service's; an account's are its identity's.
    const keysDestroyed = person.kind === 'guest' ? await this.keys.destroy(person) : 0;
    this.logger.info({ person: person.kind, mode, comments, keysDestroyed }, 'person erased');
    return { mode, comments, subscriptions: 0, keysDestroyed };
  }
}
