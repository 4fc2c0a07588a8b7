import type { Resealers } from '@parley/platform';
import { notificationResealers } from '../inbox/notification-resealers';
import { subscriberResealers } from '../subscriptions/subscriber-resealers';

/** Every event of the notifications service's log that a migration rewrites. */
export const notificationsResealers: Resealers = {
  ...subscriberResealers,
  ...notificationResealers,
};
