import type {
  Actor,
  ErasureMode,
  ErasureRequest,
  ErasureResult,
  ServiceErasure,
} from '@parley/contracts';
import type { ServiceClients } from '../proxy/service-clients';

/** What erasing an account needs of identity: finding it by address, and erasing it. */
export interface AccountEraser {
  accountIdByEmail(email: string): Promise<string | null>;
  /** Null when there is no such account; throws when the account may not be erased (an admin). */
  erase(accountId: string): Promise<{ erased: boolean; keysDestroyed: number } | null>;
}

type PersonOfRequest = { email: string } | { accountId: string };

/**
 * Erases a person everywhere: the account first (an admin account is refused before anything is
 * erased), then the services that hold their data (comments, then subscriptions). Every step is
 * idempotent, so a failure half way is run again and finishes what was left. An address erases
 * its guest and the account registered with it.
 */
export async function erasePerson(
  services: ServiceClients,
  accounts: AccountEraser,
  request: ErasureRequest,
  actor: Actor,
  options: { accountOfAddress: boolean } = { accountOfAddress: true },
): Promise<ErasureResult> {
  const accountId =
    request.accountId ??
    (request.email !== undefined && options.accountOfAddress
      ? await accounts.accountIdByEmail(request.email)
      : null);
  const people: PersonOfRequest[] = [
    ...(request.email !== undefined ? [{ email: request.email }] : []),
    ...(accountId !== null ? [{ accountId }] : []),
  ];
  const total: ErasureResult = {
    mode: request.mode,
    comments: 0,
    subscriptions: 0,
    keysDestroyed: 0,
    account: false,
  };
  if (accountId !== null) {
    const erased = await accounts.erase(accountId);
    if (erased) {
      total.account = erased.erased;
      total.keysDestroyed += erased.keysDestroyed;
    }
  }
  for (const person of people) {
    for (const service of [services.comments, services.notifications]) {
      const answer = await service.call<ServiceErasure>({
        method: 'POST',
        path: '/v1/personal-data/erasures',
        body: { ...person, mode: request.mode },
        actor,
      });
      add(total, answer.body);
    }
  }
  return total;
}

function add(total: ErasureResult, part: ServiceErasure): void {
  total.comments += part.comments;
  total.subscriptions += part.subscriptions;
  total.keysDestroyed += part.keysDestroyed;
}

export function erasureModeOf(remove: boolean): ErasureMode {
  return remove ? 'remove' : 'anonymize';
}
