import { Inject, Injectable } from '@nestjs/common';
import type { Actor, BlogSettingsInput, BlogSettingsView } from '@parley/contracts';
import { type EventStore, handleCommand, loadState } from '@parley/eventstore';
import { CLOCK, type Clock, EVENT_STORE } from '@parley/platform';
import { type Outcome, commandContext, runCommand } from '../posts/command-context';
import { POSTS_OPTIONS, type PostsOptions } from '../posts/posts.options';
import {
  BLOG_SETTINGS_STREAM,
  type BlogSettings,
  type BlogSettingsState,
  blogSettingsDecider,
} from './blog-settings.decider';

export function blogSettingsView(state: BlogSettingsState): BlogSettingsView {
  return { ...state.settings, changedAt: state.changedAt };
}

/** The blog's settings, read from their own short stream: always the latest. */
@Injectable()
export class BlogSettingsService {
  private readonly decider: ReturnType<typeof blogSettingsDecider>;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(POSTS_OPTIONS) options: PostsOptions,
  ) {
    this.decider = blogSettingsDecider(options.blog);
  }

  async state(): Promise<BlogSettingsState> {
    return loadState(this.store, this.decider, BLOG_SETTINGS_STREAM);
  }

  async current(): Promise<BlogSettings> {
    return (await this.state()).settings;
  }

  change(by: Actor, changes: BlogSettingsInput): Promise<Outcome<BlogSettingsState>> {
    return runCommand(() =>
      handleCommand(
        this.store,
        this.decider,
        BLOG_SETTINGS_STREAM,
        { type: 'ChangeBlogSettings', by, changes },
        commandContext(),
        { now: this.clock },
      ),
    );
  }
}
