import { randomUUID } from 'node:crypto';
import type { AppendContext } from '@parley/eventstore';
import { currentCorrelation } from '@parley/observability';
import { LinkTokens } from '../links/link-tokens';
import { Links } from '../links/links';
import { NOTIFICATIONS_OPTIONS, type ResolvedNotificationsOptions } from '../notifications.options';

/** Correlation of the request or event being handled, for the envelopes of what it appends. */
export function appendContext(): AppendContext {
  const correlation = currentCorrelation();
  return {
    correlationId: correlation?.correlationId ?? randomUUID(),
    causationId: correlation?.causationId ?? null,
  };
}

export const LINKS = Symbol('LINKS');

export const linksProvider = {
  provide: LINKS,
  inject: [NOTIFICATIONS_OPTIONS],
  useFactory: (options: ResolvedNotificationsOptions) =>
    new Links(options.publicBaseUrl, new LinkTokens(options.tokenSecret)),
};

export type Outcome<T, E> = { ok: true; value: T } | { ok: false; error: E };
