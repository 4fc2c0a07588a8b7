import { type DomainEvent, ERASED_PERSON_NAME, type Role } from '@parley/contracts';

/** What an account shows of itself to admins and mailers: its name, roles and verified address. */
export interface AccountProfile {
  displayName: string;
  roles: Role[];
  emailVerified: boolean;
}

/** The account events that change a registered account's profile. */
export type AccountProfileEvent = DomainEvent<
  | 'parley.account.email-verified.v2'
  | 'parley.account.display-name-changed.v2'
  | 'parley.account.roles-changed.v1'
  | 'parley.account.erased.v1'
>;

/**
 * A registered account's profile once an event has changed it, its other fields as they were:
 * the account aggregate, the gateway's directory for admins and the notifications' directory
 * fold it alike. An erased account keeps no name, no role and no verified address.
 */
export function profileAfter<T extends AccountProfile>(current: T, event: AccountProfileEvent): T {
  switch (event.type) {
    case 'parley.account.email-verified.v2':
      return { ...current, emailVerified: true };
    case 'parley.account.display-name-changed.v2':
      return { ...current, displayName: event.data.displayName };
    case 'parley.account.roles-changed.v1':
      return { ...current, roles: event.data.roles };
    case 'parley.account.erased.v1':
      return { ...current, displayName: ERASED_PERSON_NAME, roles: [], emailVerified: false };
    default: {
      const unknown: never = event;
      throw new Error(`Unknown account profile event: ${JSON.stringify(unknown)}`);
    }
  }
}
