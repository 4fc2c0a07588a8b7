import { Controller, HttpCode, Post } from '@nestjs/common';
import { type Actor, type SchedulerPass, can } from '@parley/contracts';
import { domainError } from '@parley/eventstore';
import { CurrentActor, requireActor } from '@parley/platform';
import { failure } from '../posts/posts.errors';
import { PostScheduler } from './post-scheduler';

/** Operators (admins) may run a scheduler pass now instead of waiting for the loop. */
@Controller('v1/scheduler')
export class SchedulerController {
  constructor(private readonly scheduler: PostScheduler) {}

  @Post('passes')
  @HttpCode(200)
  async pass(@CurrentActor() actor: Actor | null): Promise<SchedulerPass> {
    if (!can(requireActor(actor), 'administer'))
      throw failure(domainError('NotAllowed', 'Only an admin runs the scheduler by hand'));
    return { published: await this.scheduler.runPass() };
  }
}
