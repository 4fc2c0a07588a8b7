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
import { LRUCache } from 'lru-cache';
import { type AccountDirectoryEntry, ACCOUNTS_DIRECTORY } from '../identity/accounts.projection';

/** Every gateway instance reads the account events written since it started (a group of its own). */
export const ACCOUNT_NAMES = Symbol('account-names');

/** How many accounts' names a gateway keeps, the least recently used leaving first. */
export const ACCOUNT_NAMES_KEPT = 10_000;

/**
 * How long a name read from the account directory is kept. The directory may not have applied
 * a rename this gateway did not read (one written before it started): such a name is read again.
 */
export const DIRECTORY_NAME_KEPT_MS = 10_000;

/**
 * Accounts' current names, kept in memory by each gateway so that the live feed names a
 * comment's or a notification's account without a read. The account events written since the
 * gateway started keep the names it holds current; a name it does not hold is read from the
 * account directory and kept a while. Bounded: the least recently used names leave first.
 */
@Injectable()
export class LiveAccountNames {
  private readonly names = new LRUCache<string, string>({ max: ACCOUNT_NAMES_KEPT });

  constructor(@Inject(READ_MODELS) private readonly readModels: LiveReadModels) {}

  /** A name an account event gives: the latest there is, kept until it is the least used. */
  set(accountId: string, displayName: string): void {
    this.names.set(accountId, displayName);
  }

  readonly lookup: AccountNames = async (accountIds) => {
    const named = new Map<string, string>();
    const missing: string[] = [];
    for (const id of accountIds) {
      const name = this.names.get(id);
      if (name === undefined) missing.push(id);
      else named.set(id, name);
    }
    if (missing.length > 0) {
      const found = await this.readModels
        .db(ACCOUNTS_DIRECTORY.name)
        .collection<AccountDirectoryEntry>('accounts')
        .find({ _id: { $in: missing } }, { limit: missing.length });
      for (const a of found) {
        // An event read meanwhile is newer than the directory's answer: it is kept.
        const latest = this.names.get(a._id);
        if (latest === undefined)
          this.names.set(a._id, a.displayName, { ttl: DIRECTORY_NAME_KEPT_MS });
        named.set(a._id, latest ?? a.displayName);
      }
    }
    return new Map(
      accountIds.flatMap((id) => {
        const name = named.get(id);
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
