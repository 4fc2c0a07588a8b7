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
    if (
      event.type === 'parley.account.email-verified.v2' ||
      event.type === 'parley.session.ended.v1'
    )
      return;
    const id = event.data.accountId;
    await applyToOwnedDocument<NameEntry>(db.collection('names'), id, event, (current) => {
      switch (event.type) {
        case 'parley.account.registered.v2':
          return {
            _id: id,
            nameKey: displayNameKey(event.data.displayName),
            staff: isStaff(event.data.roles),
          };
        case 'parley.account.display-name-changed.v2':
          return current && { ...current, nameKey: displayNameKey(event.data.displayName) };
        case 'parley.account.roles-changed.v1':
          return current && { ...current, staff: isStaff(event.data.roles) };
        case 'parley.account.erased.v1':
          // An erased account's name is free again, and it is nobody's staff.
          return current && { ...current, nameKey: '', staff: false };
      }
    });
  },
};
