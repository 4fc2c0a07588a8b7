import { HttpServiceTransport, type ServiceTransport } from '@parley/platform';
import type { Logger } from 'pino';
import { ServiceClient, type ServiceName } from './service-client';

export const SERVICE_CLIENTS = Symbol('SERVICE_CLIENTS');

export interface ServiceClients {
  posts: ServiceClient;
  comments: ServiceClient;
  notifications: ServiceClient;
}

/**
 * Where the gateway reaches each service: at its internal URL, or, in one process, through the
 * transports given (the services' apps, without a socket).
 */
export type ServiceEndpoints = { timeoutMs: number } & (
  | { postsUrl: string; commentsUrl: string; notificationsUrl: string }
  | { transports: Readonly<Record<ServiceName, ServiceTransport>> }
);

/** One transport per service, as the endpoints name them. */
export function serviceTransports(
  endpoints: ServiceEndpoints,
): Readonly<Record<ServiceName, ServiceTransport>> {
  if ('transports' in endpoints) return endpoints.transports;
  return {
    posts: new HttpServiceTransport(endpoints.postsUrl),
    comments: new HttpServiceTransport(endpoints.commentsUrl),
    notifications: new HttpServiceTransport(endpoints.notificationsUrl),
  };
}

export function createServiceClients(endpoints: ServiceEndpoints, logger: Logger): ServiceClients {
  const transports = serviceTransports(endpoints);
  const client = (name: ServiceName) =>
    new ServiceClient(name, transports[name], endpoints.timeoutMs, logger);
  return {
    posts: client('posts'),
    comments: client('comments'),
    notifications: client('notifications'),
  };
}
