import type { Logger } from 'pino';
import { ServiceClient } from './service-client';

export const SERVICE_CLIENTS = Symbol('SERVICE_CLIENTS');

export interface ServiceClients {
  posts: ServiceClient;
  comments: ServiceClient;
  notifications: ServiceClient;
}

export function createServiceClients(
  urls: { postsUrl: string; commentsUrl: string; notificationsUrl: string; timeoutMs: number },
  logger: Logger,
): ServiceClients {
  return {
    posts: new ServiceClient('posts', urls.postsUrl, urls.timeoutMs, logger),
    comments: new ServiceClient('comments', urls.commentsUrl, urls.timeoutMs, logger),
    notifications: new ServiceClient(
      'notifications',
      urls.notificationsUrl,
      urls.timeoutMs,
      logger,
    ),
  };
}
