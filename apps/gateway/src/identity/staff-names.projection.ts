import { type Role, displayNameKey } from '@parley/contracts';
import { type Projection, type Versioned, applyToOwnedDocument } from '@parley/readmodel';
import { openAccountEventFor } from '@parley/platform';

export interface NameEntry extends Versioned {
  /** What the account's display name reads as (displayNameKey). */
  nameKey: string;
  staff: boolean;
}

const STAFF_ROLES: readonly Role[] = ['author', 'moderator', 'admin'];
const isStaff = (roles: readonly Role[]) => roles.some((role) => STAFF_ROLES.includes(role));

/** What each account's name reads as and whether it belongs to the blog's staff: reserved names. */
export const STAFF_NAMES: Projection<'accounts'> = {
  name: 'staff-names',
  topics: ['accounts'],
  collections: { names: [{ keys: { nameKey: 1 } }] },
  async apply(sealed, db, context) {
    const event = await openAccountEventFor(sealed, context);
    const names = db.collection<NameEntry>('names');
    switch (event.type) {
      case 'parley.account.registered.v2':
        return void (await applyToOwnedDocument<NameEntry>(
          names,
          event.data.accountId,
          event,
          () => ({
            _id: event.data.accountId,
            nameKey: displayNameKey(event.data.displayName),
            staff: isStaff(event.data.roles),
          }),
        ));
      case 'parley.account.display-name-changed.v2':
        return void (await applyToOwnedDocument<NameEntry>(
          names,
          event.data.accountId,
          event,
          (current) => current && { ...current, nameKey: displayNameKey(event.data.displayName) },
        ));
      case 'parley.account.roles-changed.v1':
        return void (await applyToOwnedDocument<NameEntry>(
          names,
          event.data.accountId,
          event,
          (current) => current && { ...current, staff: isStaff(event.data.roles) },
        ));
      case 'parley.account.erased.v1':
        // An erased account's name is free again, and it is nobody's staff.
        return void (await applyToOwnedDocument<NameEntry>(
          names,
          event.data.accountId,
          event,
          (current) => current && { ...current, nameKey: '', staff: false },
        ));
      case 'parley.account.email-verified.v2':
      case 'parley.session.ended.v1':
        return;
    }
  },
};
