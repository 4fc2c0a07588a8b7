import { Inject, Injectable } from '@nestjs/common';
import type { Actor, ErasureMode, ErasureRequest, ErasureResult } from '@parley/contracts';
import { identityProblem } from '../identity/auth.controller';
import { IdentityService } from '../identity/identity.service';
import { SERVICE_CLIENTS, type ServiceClients } from '../proxy/service-clients';
import { type AccountEraser, erasePerson } from './person-erasure';

/** Who a guest's confirmed link erases as: the services erase a guest by address for admins only. */
const GUEST_LINK: Actor = {
  accountId: 'parley-guest-erasure',
  displayName: 'Guest erasure link',
  roles: ['admin'],
};

/** Erasing a person across the platform, for the admin route, the account page and the command. */
@Injectable()
export class PersonalDataErasure {
  private readonly accounts: AccountEraser;

  constructor(
    @Inject(SERVICE_CLIENTS) private readonly services: ServiceClients,
    identity: IdentityService,
  ) {
    this.accounts = {
      accountIdByEmail: (email) => identity.accountIdByEmail(email),
      erase: async (accountId) => {
        const outcome = await identity.erase(accountId);
        if (outcome.ok) return outcome.value;
        if (outcome.error.code === 'AccountNotFound') return null;
        throw identityProblem(outcome.error);
      },
    };
  }

  erase(request: ErasureRequest, actor: Actor): Promise<ErasureResult> {
    return erasePerson(this.services, this.accounts, request, actor);
  }

  /**
   * A guest's own erasure, once their mailed link proved the address theirs: the guest's data
   * only (an account signs in to delete itself), on their behalf with the link's authority.
   */
  eraseGuest(email: string, mode: ErasureMode): Promise<ErasureResult> {
    return erasePerson(this.services, this.accounts, { email, mode }, GUEST_LINK, {
      accountOfAddress: false,
    });
  }
}
