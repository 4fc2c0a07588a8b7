import type { AccountNames } from '@parley/platform';
import type { LiveReadModels } from '@parley/readmodel';
import { type AccountEntry, DIRECTORY } from './directory.projection';

/**
 * Accounts' current names as the account events gave the directory, in one indexed read:
 * what a notification that names its author by id is shown with.
 */
export function directoryAccountNames(readModels: LiveReadModels): AccountNames {
  return async (accountIds) => {
    const accounts = await readModels
      .db(DIRECTORY)
      .collection<AccountEntry>('accounts')
      .find({ _id: { $in: [...accountIds] } }, { limit: accountIds.length });
    return new Map(accounts.map((a) => [a._id, a.displayName]));
  };
}
