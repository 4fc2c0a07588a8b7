import { type AccountProfile, profileAfter } from '@parley/domain';
import { type Projection, type Versioned, applyToOwnedDocument } from '@parley/readmodel';
import { openAccountEventFor } from '@parley/platform';

export interface AccountDirectoryEntry extends Versioned, AccountProfile {
  registeredAt: string;
}

/** The accounts of the blog for admins (no addresses): projected from parley.accounts. */
export const ACCOUNTS_DIRECTORY: Projection<'accounts'> = {
  name: 'accounts-directory',
  topics: ['accounts'],
  collections: { accounts: [{ keys: { registeredAt: -1 } }] },
  async apply(sealed, db, context) {
    if (sealed.type === 'parley.session.ended.v1') return;
    // Opened once here: the directory keeps the name in plaintext, and drops it on erasure.
    const event = await openAccountEventFor(sealed, context);
    const accounts = db.collection<AccountDirectoryEntry>('accounts');
    const id = event.data.accountId;
    await applyToOwnedDocument<AccountDirectoryEntry>(accounts, id, event, (current) => {
      switch (event.type) {
        case 'parley.account.registered.v2':
          return {
            _id: id,
            displayName: event.data.displayName,
            roles: event.data.roles,
            emailVerified: false,
            registeredAt: event.data.registeredAt,
          };
        case 'parley.account.email-verified.v2':
        case 'parley.account.display-name-changed.v2':
        case 'parley.account.roles-changed.v1':
        case 'parley.account.erased.v1':
          return current && profileAfter(current, event);
      }
    });
  },
};
