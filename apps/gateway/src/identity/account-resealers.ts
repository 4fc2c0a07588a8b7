import { ACCOUNT_PERSONAL_FIELDS as F } from '@parley/contracts';
import type { ResealContext, Resealers } from '@parley/platform';
import { accountPerson, isLegacyPlaintext } from '@parley/privacy';

/**
 * A value of an account as the identity seals it now (the account's key, kept by the gateway),
 * or under a key kept nowhere when the account was erased while its data was still in
 * plaintext: it must read as erased in the new log.
 */
function seal(accountId: string, field: string, value: string, context: ResealContext) {
  const erased = context.stream.some((e) => e.type === 'parley.account.erased.v1');
  return (erased ? context.shredder : context.cipher).seal(accountPerson(accountId), field, value);
}

/** The identity's account events with an address or a name written in plaintext before sealing. */
export const accountResealers: Resealers = {
  'parley.account.registered.v2': async (event, context) => {
    const { accountId, email, displayName } = event.data;
    const legacyEmail = isLegacyPlaintext(email);
    const legacyName = isLegacyPlaintext(displayName);
    return {
      data: {
        ...event.data,
        email: legacyEmail ? await seal(accountId, F.email, email, context) : email,
        displayName: legacyName
          ? await seal(accountId, F.displayName, displayName, context)
          : displayName,
      },
      sealed: Number(legacyEmail) + Number(legacyName),
    };
  },
  'parley.account.email-verified.v2': async (event, context) => {
    if (!isLegacyPlaintext(event.data.email)) return { data: event.data, sealed: 0 };
    const email = await seal(event.data.accountId, F.email, event.data.email, context);
    return { data: { ...event.data, email }, sealed: 1 };
  },
  'parley.account.display-name-changed.v2': async (event, context) => {
    const { accountId, displayName } = event.data;
    if (!isLegacyPlaintext(displayName)) return { data: event.data, sealed: 0 };
    return {
      data: {
        ...event.data,
        displayName: await seal(accountId, F.displayName, displayName, context),
      },
      sealed: 1,
    };
  },
};
