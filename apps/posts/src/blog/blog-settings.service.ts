import { Inject, Injectable } from '@nestjs/common';
import type { Actor, BlogSettingsInput, BlogSettingsView } from '@parley/contracts';
import { type EventStore, KeptStreamState, handleCommand } from '@parley/eventstore';
import { CLOCK, type Clock, EVENT_STORE } from '@parley/platform';
import { type Outcome, commandContext, runCommand } from '../posts/command-context';
import { POSTS_OPTIONS, type PostsOptions } from '../posts/posts.options';
import {
  BLOG_SETTINGS_STREAM,
  type BlogSettings,
  type BlogSettingsEvent,
  type BlogSettingsState,
  blogSettingsDecider,
} from './blog-settings.decider';

export function blogSettingsView(state: BlogSettingsState): BlogSettingsView {
  return { ...state.settings, changedAt: state.changedAt };
}

/**
 * The blog's settings, from their own short stream: always the latest, kept folded so that
 * each use reads only the changes made since the last one.
 */
@Injectable()
export class BlogSettingsService {
  private readonly decider: ReturnType<typeof blogSettingsDecider>;
  private readonly kept: KeptStreamState<BlogSettingsState, BlogSettingsEvent>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(POSTS_OPTIONS) options: PostsOptions,
  ) {
    this.decider = blogSettingsDecider(options.blog);
    this.kept = new KeptStreamState(store, this.decider, BLOG_SETTINGS_STREAM);
  }

  async state(): Promise<BlogSettingsState> {
    return (await this.kept.current()).state;
  }

  async current(): Promise<BlogSettings> {
    return (await this.state()).settings;
  }

  change(by: Actor, changes: BlogSettingsInput): Promise<Outcome<BlogSettingsState>> {
    return runCommand(async () => {
      const outcome = await handleCommand(
        this.store,
        this.decider,
        BLOG_SETTINGS_STREAM,
        { type: 'ChangeBlogSettings', by, changes },
        commandContext(),
        { now: this.clock },
      );
      if (outcome.ok) this.kept.remember(outcome.state, outcome.version);
      return outcome;
    });
  }
}
