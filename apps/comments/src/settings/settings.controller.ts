import { Body, Controller, Get, Put } from '@nestjs/common';
import {
  type Actor,
  type BlogCommentSettingsInput,
  blogCommentSettingsInputSchema,
  type CommentSettingsView,
  can,
} from '@parley/contracts';
import { domainError } from '@parley/eventstore';
import { CurrentActor, requireActor } from '@parley/platform';
import { commentsProblem } from '../comments.errors';
import { SettingsService, settingsView } from './settings.service';

/** The blog's comment settings: depth, edit window, moderation rules, flood interval, paging. */
@Controller('v1/settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  async get(@CurrentActor() actor: Actor | null): Promise<CommentSettingsView> {
    if (!can(requireActor(actor), 'administer'))
      throw commentsProblem(
        domainError('NotAllowed', 'Only an admin may see the comment settings'),
      );
    return settingsView(await this.settings.state());
  }

  @Put()
  async change(
    @CurrentActor() actor: Actor | null,
    @Body({ schema: blogCommentSettingsInputSchema }) changes: BlogCommentSettingsInput,
  ): Promise<CommentSettingsView> {
    return settingsView(await this.settings.change(requireActor(actor), changes));
  }
}
