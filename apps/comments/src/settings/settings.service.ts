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
 * The blog's comment settings, from their own stream: always the latest, kept folded so that
 * each read (every thread read and comment) only looks for changes.
 */
@Injectable()
export class SettingsService {
  private readonly kept: KeptStreamState<CommentSettingsState, CommentSettingsEvent>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.kept = new KeptStreamState(store, commentSettingsDecider, SETTINGS_STREAM);
  }

  async state(): Promise<CommentSettingsState> {
    return (await this.kept.current()).state;
  }

  async current(): Promise<CommentSettings> {
    return (await this.state()).settings;
  }

  async change(by: Actor, changes: BlogCommentSettingsInput): Promise<CommentSettingsState> {
    const { state } = await runCommand(() =>
      handleCommand(
        this.store,
        commentSettingsDecider,
        SETTINGS_STREAM,
        { type: 'ChangeCommentSettings', by, changes },
        commandContext(),
        { now: this.clock },
      ),
    );
    return state;
  }
}
