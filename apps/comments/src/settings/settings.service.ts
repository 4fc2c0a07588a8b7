import { Inject, Injectable } from '@nestjs/common';
import type { Actor, BlogCommentSettingsInput, CommentSettingsView } from '@parley/contracts';
import { type EventStore, KeptStreamState, handleCommand } from '@parley/eventstore';
import { CLOCK, type Clock, EVENT_STORE } from '@parley/platform';
import { commandContext, runCommand } from '../command-context';
import {
  type CommentSettings,
  type CommentSettingsEvent,
  type CommentSettingsState,
  commentSettingsDecider,
  SETTINGS_STREAM,
} from './comment-settings.decider';

export function settingsView(state: CommentSettingsState): CommentSettingsView {
  return { ...state.settings, changedAt: state.changedAt };
}

/**
 * How long the settings read from their stream are used without looking for changes: every
 * thread read and comment uses them, and on a store without an index for the stream (the
 * Mongo-compatible server of the tests scans every commit) a look per use was the largest cost
 * of a read. A change made through this replica shows at once, one made through another within
 * this time.
 */
const SETTINGS_FRESH_MS = 1000;

/**
 * The blog's comment settings, from their own stream: kept folded, and looked at for changes
 * at most once a second (see SETTINGS_FRESH_MS).
 */
@Injectable()
export class SettingsService {
  private readonly kept: KeptStreamState<CommentSettingsState, CommentSettingsEvent>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.kept = new KeptStreamState(store, commentSettingsDecider, SETTINGS_STREAM, {
      freshForMs: SETTINGS_FRESH_MS,
    });
  }

  async state(): Promise<CommentSettingsState> {
    return (await this.kept.current()).state;
  }

  async current(): Promise<CommentSettings> {
    return (await this.state()).settings;
  }

  async change(by: Actor, changes: BlogCommentSettingsInput): Promise<CommentSettingsState> {
    const { state } = await runCommand(async () => {
      const outcome = await handleCommand(
        this.store,
        commentSettingsDecider,
        SETTINGS_STREAM,
        { type: 'ChangeCommentSettings', by, changes },
        commandContext(),
        { now: this.clock },
      );
      // Every read after the change shows it, here at once (other replicas within a second).
      if (outcome.ok) this.kept.remember(outcome.state, outcome.version);
      return outcome;
    });
    return state;
  }
}
