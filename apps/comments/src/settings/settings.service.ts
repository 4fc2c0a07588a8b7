import { Inject, Injectable } from '@nestjs/common';
import type { Actor, BlogCommentSettingsInput, CommentSettingsView } from '@parley/contracts';
import { type EventStore, handleCommand, loadState } from '@parley/eventstore';
import { CLOCK, type Clock, EVENT_STORE } from '@parley/platform';
import { commandContext, runCommand } from '../command-context';
import {
  type CommentSettings,
  type CommentSettingsState,
  commentSettingsDecider,
  SETTINGS_STREAM,
} from './comment-settings.decider';

export function settingsView(state: CommentSettingsState): CommentSettingsView {
  return { ...state.settings, changedAt: state.changedAt };
}

/** The blog's comment settings, read from their own stream: always the latest. */
@Injectable()
export class SettingsService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async state(): Promise<CommentSettingsState> {
    return loadState(this.store, commentSettingsDecider, SETTINGS_STREAM);
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
