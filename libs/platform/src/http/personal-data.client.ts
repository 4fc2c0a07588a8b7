import {
  ACCOUNT_PERSONAL_FIELDS,
  type Actor,
  COMMENT_PERSONAL_FIELDS,
  ERASED_PERSON_NAME,
  OPEN_PERSONAL_DATA_MAX_VALUES,
  OPEN_PERSONAL_DATA_PATH,
  type NotificationSubject,
  type NotifiedSubject,
  type OpenedPersonalData,
  openPersonalDataResponseSchema,
  type PersonalField,
} from '@parley/contracts';
import { CORRELATION_HEADER, currentCorrelation } from '@parley/observability';
import { isLegacyPlaintext, type PersonalDataCipher } from '@parley/privacy';
import type { ProjectionContext } from '@parley/readmodel';
import { ACTOR_HEADER, encodeActor } from './actor';
import {
  HttpServiceTransport,
  type ServiceAnswer,
  type ServiceTransport,
} from './service-transport';

/** A sealed field of an event, as a consumer holds it. */
export interface PersonalDataValue {
  readonly field: PersonalField;
  readonly value: string;
}

/**
 * Opens the personal data of events through the service that keeps the keys: the comments
 * service for a guest author's, the gateway's identity for an account's.
 */
export interface PersonalDataOpener {
  /** The values in the order given: plaintext, or erased / unreadable. */
  open(values: readonly PersonalDataValue[]): Promise<OpenedPersonalData[]>;
}

export const PERSONAL_DATA_OPENER = Symbol('PERSONAL_DATA_OPENER');

/** The service that keeps the keys was unreachable or failed: waited on as an outage, never dead-lettered. */
export class PersonalDataUnavailable extends Error {
  readonly infrastructure = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PersonalDataUnavailable';
  }
}

/**
 * The client of a service's `POST /v1/personal-data/opened` (the comments service's, or the
 * gateway's internal listener's): values written in plaintext before sealing read as they are
 * without a call; sealed ones are sent in batches.
 */
export class PersonalDataClient implements PersonalDataOpener {
  private readonly transport: ServiceTransport;

  constructor(
    /** The service's base URL, or its transport (in one process). */
    service: string | ServiceTransport,
    /** Who the calling service acts as: the route answers services and admins only. */
    private readonly caller: Actor,
    private readonly timeoutMs = 5000,
    private readonly owner = 'The comments service',
  ) {
    this.transport = typeof service === 'string' ? new HttpServiceTransport(service) : service;
  }

  async open(values: readonly PersonalDataValue[]): Promise<OpenedPersonalData[]> {
    const answers: (OpenedPersonalData | undefined)[] = values.map((v) =>
      isLegacyPlaintext(v.value) ? { status: 'plain', value: v.value } : undefined,
    );
    const sealed = values.flatMap((v, i) => (answers[i] ? [] : [{ v, i }]));
    for (let start = 0; start < sealed.length; start += OPEN_PERSONAL_DATA_MAX_VALUES) {
      const batch = sealed.slice(start, start + OPEN_PERSONAL_DATA_MAX_VALUES);
      const opened = await this.call(batch.map(({ v }) => ({ field: v.field, value: v.value })));
      batch.forEach(({ i }, k) => (answers[i] = opened[k]));
    }
    return answers.map((a) => a ?? { status: 'unreadable' });
  }

  private async call(values: PersonalDataValue[]): Promise<OpenedPersonalData[]> {
    const correlation = currentCorrelation();
    let answer: ServiceAnswer;
    try {
      answer = await this.transport.exchange({
        method: 'POST',
        path: OPEN_PERSONAL_DATA_PATH,
        headers: {
          'content-type': 'application/json',
          [ACTOR_HEADER]: encodeActor(this.caller),
          ...(correlation ? { [CORRELATION_HEADER]: correlation.correlationId } : {}),
        },
        body: JSON.stringify({ values }),
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      throw new PersonalDataUnavailable(`${this.owner} did not answer`, { cause: error });
    }
    // A refusal (4xx) is this caller's mistake, not an outage to wait out.
    if (answer.status >= 400 && answer.status < 500)
      throw new Error(`${this.owner} refused to open personal data (${answer.status})`);
    if (answer.status < 200 || answer.status >= 300)
      throw new PersonalDataUnavailable(`${this.owner} answered ${answer.status}`);
    let body: unknown;
    try {
      body = JSON.parse(answer.bytes.toString('utf8'));
    } catch (error) {
      throw new PersonalDataUnavailable(`${this.owner} answered something else`, { cause: error });
    }
    const parsed = openPersonalDataResponseSchema.safeParse(body);
    if (!parsed.success || parsed.data.values.length !== values.length)
      throw new PersonalDataUnavailable(`${this.owner} answered something else`);
    return parsed.data.values;
  }
}

/** The current names of accounts, by id: an account it does not know is left out. */
export type AccountNames = (accountIds: readonly string[]) => Promise<ReadonlyMap<string, string>>;

/**
 * Notification subjects as a reader is shown them: an account author's current name from the
 * account names given, a guest's opened by the comments service; an erased author, an account
 * unknown, or a name whose key is destroyed reads as a deleted reader.
 */
export async function showSubjects(
  stored: readonly NotifiedSubject[],
  sources: { opener: PersonalDataOpener; accountNames: AccountNames },
): Promise<NotificationSubject[]> {
  const subjects = stored.map(withAuthor);
  const accountIds = [
    ...new Set(subjects.flatMap((s) => (s.author.kind === 'account' ? [s.author.accountId] : []))),
  ];
  const written = subjects.flatMap((s, i) =>
    s.author.kind === 'guest' || s.author.kind === 'named' ? [{ i, name: s.author.name }] : [],
  );
  const [names, opened] = await Promise.all([
    accountIds.length > 0 ? sources.accountNames(accountIds) : new Map<string, string>(),
    sources.opener.open(
      written.map((w) => ({ field: COMMENT_PERSONAL_FIELDS.authorName, value: w.name })),
    ),
  ]);
  const openedAt = new Map(written.map((w, k) => [w.i, opened[k]]));
  return subjects.map((s, i) => {
    const { author, ...rest } = s;
    const o = openedAt.get(i);
    const authorName =
      author.kind === 'account'
        ? names.get(author.accountId) || ERASED_PERSON_NAME
        : o?.status === 'plain'
          ? o.value
          : ERASED_PERSON_NAME;
    return { ...rest, authorName };
  });
}

/** The client of the comments service, which keeps the guests' keys. */
export class CommentsPersonalDataClient extends PersonalDataClient {}

/** The client of the gateway's internal listener, where the identity opens the accounts' data. */
export class IdentityPersonalDataClient extends PersonalDataClient {
  constructor(identityUrl: string, caller: Actor, timeoutMs = 5000) {
    super(identityUrl, caller, timeoutMs, 'The gateway identity');
  }
}

/**
 * Inbox documents written from a notification.created before v3 keep the author's name as it
 * was copied (`authorName`), not an author: they read as named, as their events upcast do.
 */
function withAuthor(subject: NotifiedSubject): NotifiedSubject {
  const kept: { author?: unknown; authorName?: unknown } = subject;
  if (kept.author !== undefined) return subject;
  const name = typeof kept.authorName === 'string' ? kept.authorName : '';
  return { ...subject, author: { kind: 'named', name } };
}

/** Opens with keys this process holds (the service that keeps them, or a one-process platform). */
export class LocalPersonalDataOpener implements PersonalDataOpener {
  constructor(private readonly cipher: PersonalDataCipher) {}

  async open(values: readonly PersonalDataValue[]): Promise<OpenedPersonalData[]> {
    const opened = await this.cipher.openStoredAll(values);
    return opened.map((o) =>
      o.status === 'plain' ? { status: 'plain', value: o.value } : { status: o.status },
    );
  }
}

/** Values written in plaintext before sealing read as they are; a sealed one cannot be opened here. */
export function plaintextOnlyOpener(why: string): PersonalDataOpener {
  return {
    open: async (values) =>
      values.map(({ value }) => {
        if (isLegacyPlaintext(value)) return { status: 'plain', value };
        throw new Error(why);
      }),
  };
}

const ACCOUNT_FIELDS: ReadonlySet<string> = new Set(Object.values(ACCOUNT_PERSONAL_FIELDS));

/** Sends each value to the service that keeps its keys: an account's to the identity, the rest to comments. */
export function routedOpener(owners: {
  comments: PersonalDataOpener;
  accounts: PersonalDataOpener;
}): PersonalDataOpener {
  return {
    async open(values) {
      const isAccount = values.map((v) => ACCOUNT_FIELDS.has(v.field));
      const [accounts, comments] = await Promise.all([
        owners.accounts.open(values.filter((_, i) => isAccount[i])),
        owners.comments.open(values.filter((_, i) => !isAccount[i])),
      ]);
      let a = 0;
      let c = 0;
      return isAccount.map((account) => (account ? accounts[a++] : comments[c++])!);
    },
  };
}

type AccountEventWithData =
  | {
      type: 'parley.account.registered.v2';
      data: { accountId: string; email: string; displayName: string };
    }
  | { type: 'parley.account.email-verified.v2'; data: { accountId: string; email: string } }
  | {
      type: 'parley.account.display-name-changed.v2';
      data: { accountId: string; displayName: string };
    };

function hasAccountData(event: { type: string }): event is AccountEventWithData {
  return (
    event.type === 'parley.account.registered.v2' ||
    event.type === 'parley.account.email-verified.v2' ||
    event.type === 'parley.account.display-name-changed.v2'
  );
}

/** What an address reads as once its account's key is destroyed: no address at all. */
export const ERASED_ADDRESS = '';

/**
 * An account event with its address and name opened by the opener (legacy plaintext as it is),
 * for a read model that keeps them in plaintext: a value whose key is destroyed reads as a
 * deleted reader's name and no address. Other events are returned as they are.
 */
export async function openAccountEvent<E extends { type: string }>(
  event: E,
  opener: PersonalDataOpener,
): Promise<E> {
  if (!hasAccountData(event)) return event;
  const F = ACCOUNT_PERSONAL_FIELDS;
  const data: Record<string, string> = { ...event.data };
  const fields = (['email', 'displayName'] as const).filter((k) => k in data);
  const opened = await opener.open(fields.map((k) => ({ field: F[k], value: data[k]! })));
  fields.forEach((k, i) => {
    const o = opened[i];
    data[k] = o?.status === 'plain' ? o.value : k === 'email' ? ERASED_ADDRESS : ERASED_PERSON_NAME;
  });
  return { ...event, data };
}

/**
 * What a service opens an account's sealed data with: the opener given (a one-process platform
 * opens in process), else the gateway's internal listener at IDENTITY_URL; without either, only
 * values written in plaintext read.
 */
export function accountDataOpener(options: {
  service: string;
  caller: Actor;
  identityUrl?: string | undefined;
  accounts?: PersonalDataOpener | undefined;
}): PersonalDataOpener {
  if (options.accounts) return options.accounts;
  if (options.identityUrl)
    return new IdentityPersonalDataClient(options.identityUrl, options.caller);
  return plaintextOnlyOpener(
    `${options.service} has no IDENTITY_URL to open an account's data with`,
  );
}

/**
 * An account event opened for a projection, with the opener its service gives it (see
 * ProjectionContext.personalData); without one, only values written in plaintext read.
 */
export function openAccountEventFor<E extends { type: string }>(
  event: E,
  context: ProjectionContext | undefined,
): Promise<E> {
  return openAccountEvent(
    event,
    context?.personalData ??
      plaintextOnlyOpener('This projection was given nothing to open sealed account data with'),
  );
}
