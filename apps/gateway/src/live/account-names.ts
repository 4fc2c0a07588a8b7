import { Controller, Inject, Injectable } from '@nestjs/common';
import { ACCOUNT_PERSONAL_FIELDS, ERASED_PERSON_NAME, type EventOf } from '@parley/contracts';
import { OnEvent } from '@parley/messaging';
import {
  type AccountNames,
  PERSONAL_DATA_OPENER,
  type PersonalDataOpener,
  READ_MODELS,
} from '@parley/platform';
import type { LiveReadModels } from '@parley/readmodel';
import { type AccountDirectoryEntry, ACCOUNTS_DIRECTORY } from '../identity/accounts.projection';

/** Every gateway instance reads every account event (a consumer group of its own). */
export const ACCOUNT_NAMES = Symbol('account-names');

/**
 * Accounts' current names, kept in memory by each gateway from the account events, so that the
 * live feed names a comment's or a notification's account without a read: an account not seen
 * yet (the events are still being read after a start) is read once from the account directory.
 */
@Injectable()
export class LiveAccountNames {
  private readonly names = new Map<string, string>();

  constructor(@Inject(READ_MODELS) private readonly readModels: LiveReadModels) {}

  set(accountId: string, displayName: string): void {
    this.names.set(accountId, displayName);
  }

  readonly lookup: AccountNames = async (accountIds) => {
    const missing = accountIds.filter((id) => !this.names.has(id));
    if (missing.length > 0) {
      const found = await this.readModels
        .db(ACCOUNTS_DIRECTORY.name)
        .collection<AccountDirectoryEntry>('accounts')
        .find({ _id: { $in: missing } }, { limit: missing.length });
      // An event read meanwhile is newer than the directory's answer: it is kept.
      for (const a of found) if (!this.names.has(a._id)) this.names.set(a._id, a.displayName);
    }
    return new Map(
      accountIds.flatMap((id) => {
        const name = this.names.get(id);
        return name === undefined ? [] : [[id, name] as const];
      }),
    );
  };

  async nameOf(accountId: string): Promise<string> {
    return (await this.lookup([accountId])).get(accountId) ?? ERASED_PERSON_NAME;
  }
}

@Controller()
export class AccountNamesConsumer {
  constructor(
    private readonly names: LiveAccountNames,
    @Inject(PERSONAL_DATA_OPENER) private readonly personalData: PersonalDataOpener,
  ) {}

  /** The name as the event seals it, opened with the account's key (its address is not opened). */
  private async named(accountId: string, displayName: string): Promise<void> {
    const [name] = await this.personalData.open([
      { field: ACCOUNT_PERSONAL_FIELDS.displayName, value: displayName },
    ]);
    this.names.set(accountId, name?.status === 'plain' ? name.value : ERASED_PERSON_NAME);
  }

  @OnEvent('parley.account.registered.v2', ACCOUNT_NAMES)
  onRegistered(event: EventOf<'parley.account.registered.v2'>): Promise<void> {
    return this.named(event.data.accountId, event.data.displayName);
  }

  @OnEvent('parley.account.display-name-changed.v2', ACCOUNT_NAMES)
  onRenamed(event: EventOf<'parley.account.display-name-changed.v2'>): Promise<void> {
    return this.named(event.data.accountId, event.data.displayName);
  }

  @OnEvent('parley.account.erased.v1', ACCOUNT_NAMES)
  onErased(event: EventOf<'parley.account.erased.v1'>): void {
    this.names.set(event.data.accountId, ERASED_PERSON_NAME);
  }
}
