import { type AnyEvent, ERASED_PERSON_NAME } from '@parley/contracts';
import {
  type DocumentCollection,
  type ProjectionContext,
  type Versioned,
  applyToOwnedDocument,
} from '@parley/readmodel';
import { openAccountEventFor } from '../http/personal-data.client';

/** An account's current name, kept by a projection that shows it on what the account wrote. */
export interface AccountNameDocument extends Versioned {
  displayName: string;
}

/** The account events that give an account its name, or take it away. */
export type AccountNamingEvent = Extract<
  AnyEvent,
  {
    type:
      | 'parley.account.registered.v2'
      | 'parley.account.display-name-changed.v2'
      | 'parley.account.erased.v1';
  }
>;

/**
 * Applies an account event to a projection's names (opened once, through the gateway's
 * identity: the read model keeps the name in plaintext; an erased account takes the erased
 * person's name) and answers the name the collection holds afterwards: also on a redelivery,
 * and the newer one when a later event came first.
 */
export async function applyAccountName(
  sealed: AccountNamingEvent,
  names: DocumentCollection<AccountNameDocument>,
  context: ProjectionContext | undefined,
): Promise<string | undefined> {
  const event = await openAccountEventFor(sealed, context);
  const { accountId } = event.data;
  const displayName =
    event.type === 'parley.account.erased.v1' ? ERASED_PERSON_NAME : event.data.displayName;
  await applyToOwnedDocument<AccountNameDocument>(names, accountId, event, () => ({
    _id: accountId,
    displayName,
  }));
  return (await names.findOne({ _id: accountId }))?.displayName;
}
