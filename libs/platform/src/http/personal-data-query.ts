import { type Actor, canOnOwn, type PersonalDataQuery } from '@parley/contracts';
import { requireActor, requireCapability } from './actor';

/**
 * Lets the caller read the personal data a service's query names: an account its own, an
 * admin (or the gateway, on a guest's signed link) anyone's. Anyone else is refused as
 * requireCapability refuses: 401 without an actor, 403 with one.
 */
export function requirePersonalDataReader(actor: Actor | null, query: PersonalDataQuery): void {
  if (
    query.accountId === undefined ||
    !canOnOwn(requireActor(actor), query.accountId, 'administer')
  )
    requireCapability(actor, 'administer');
}
