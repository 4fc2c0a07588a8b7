import { Body, Controller, Get, Put } from '@nestjs/common';
import {
  type Actor,
  type BlogSettingsInput,
  type BlogSettingsView,
  blogSettingsInputSchema,
} from '@parley/contracts';
import { CurrentActor, requireActor } from '@parley/platform';
import { failure } from '../posts/posts.errors';
import { BlogSettingsService, blogSettingsView } from './blog-settings.service';

/** The blog's name, tagline and the comment settings new posts start with. */
@Controller('v1/blog')
export class BlogController {
  constructor(private readonly settings: BlogSettingsService) {}

  @Get()
  async get(): Promise<BlogSettingsView> {
    return blogSettingsView(await this.settings.state());
  }

  @Put()
  async change(
    @CurrentActor() actor: Actor | null,
    @Body({ schema: blogSettingsInputSchema }) changes: BlogSettingsInput,
  ): Promise<BlogSettingsView> {
    const outcome = await this.settings.change(requireActor(actor), changes);
    if (!outcome.ok) throw failure(outcome.error);
    return blogSettingsView(outcome.value);
  }
}
