import { type Actor, canOnOwn, type ErasureRequest } from '@parley/contracts';
import { accountPerson, guestPerson, type PersonRef } from '@parley/privacy';
import { requireActor } from './actor';
import { ProblemException } from './problem';

/**
 * The person a service's erasure request names, once the caller may erase them: an account may
 * erase itself; anyone else, and any guest, only an admin.
 */
export function personToErase(actor: Actor | null, request: ErasureRequest): PersonRef {
  if (!canOnOwn(requireActor(actor), request.accountId ?? null, 'administer'))
    throw new ProblemException({
      status: 403,
      code: 'forbidden',
      title: 'Only an admin erases someone else',
    });
  return request.accountId !== undefined
    ? accountPerson(request.accountId)
    : guestPerson(request.email ?? '');
}
