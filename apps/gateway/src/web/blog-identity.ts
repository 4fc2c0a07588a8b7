import { Inject, Injectable } from '@nestjs/common';
import type { BlogSettingsView } from '@parley/contracts';
import { CLOCK, type Clock } from '@parley/platform';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';

export interface BlogName {
  title: string;
  description: string;
}

/** How long a replica shows the blog's name before asking the posts service again. */
const FRESH_MS = 5_000;

/**
 * The blog's name and tagline for the pages and feeds: asked of the posts service, kept for a
 * few seconds, and forgotten at once when this replica relays a change.
 */
@Injectable()
export class BlogIdentity {
  private known: { name: BlogName; at: number } | null = null;
  private pending: Promise<BlogName> | null = null;

  constructor(
    @Inject(SERVICE_CLIENTS) private readonly services: ServiceClients,
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async name(): Promise<BlogName> {
    const now = this.clock().getTime();
    if (this.known && now - this.known.at < FRESH_MS) return this.known.name;
    this.pending ??= this.fetch().finally(() => (this.pending = null));
    return this.pending;
  }

  forget(): void {
    this.known = null;
  }

  private async fetch(): Promise<BlogName> {
    try {
      const answer = await this.services.posts.call<BlogSettingsView>({
        method: 'GET',
        path: '/v1/blog',
        actor: null,
      });
      if (answer.status === 200) {
        const name = { title: answer.body.title, description: answer.body.description };
        this.known = { name, at: this.clock().getTime() };
        return name;
      }
    } catch {
      // The pages still render while the posts service is away, under the last known name.
    }
    return this.known?.name ?? { title: this.options.blogTitle ?? 'Parley', description: '' };
  }
}
