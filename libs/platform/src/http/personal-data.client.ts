import {
  type Actor,
  COMMENT_PERSONAL_FIELDS,
  type CommentPersonalField,
  ERASED_PERSON_NAME,
  OPEN_PERSONAL_DATA_MAX_VALUES,
  OPEN_PERSONAL_DATA_PATH,
  type OpenedPersonalData,
  openPersonalDataResponseSchema,
} from '@parley/contracts';
import { CORRELATION_HEADER, currentCorrelation } from '@parley/observability';
import { isLegacyPlaintext } from '@parley/privacy';
import { ACTOR_HEADER, encodeActor } from './actor';

/** A sealed field of a comment event, as a consumer holds it. */
export interface PersonalDataValue {
  readonly field: CommentPersonalField;
  readonly value: string;
}

/** Opens the personal data of comment events through the comments service, which keeps the keys. */
export interface PersonalDataOpener {
  /** The values in the order given: plaintext, or erased / unreadable. */
  open(values: readonly PersonalDataValue[]): Promise<OpenedPersonalData[]>;
}

export const PERSONAL_DATA_OPENER = Symbol('PERSONAL_DATA_OPENER');

/** The comments service was unreachable or failed: waited on as an outage, never dead-lettered. */
export class PersonalDataUnavailable extends Error {
  readonly infrastructure = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PersonalDataUnavailable';
  }
}

/**
 * The client of the comments service's `POST /v1/personal-data/opened`: values written in
 * plaintext before sealing read as they are without a call; sealed ones are sent in batches.
 */
export class CommentsPersonalDataClient implements PersonalDataOpener {
  constructor(
    private readonly commentsUrl: string,
    /** Who the calling service acts as: the route answers services and admins only. */
    private readonly caller: Actor,
    private readonly timeoutMs = 5000,
  ) {}

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
    const url = new URL(OPEN_PERSONAL_DATA_PATH, this.commentsUrl);
    const correlation = currentCorrelation();
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [ACTOR_HEADER]: encodeActor(this.caller),
          ...(correlation ? { [CORRELATION_HEADER]: correlation.correlationId } : {}),
        },
        body: JSON.stringify({ values }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new PersonalDataUnavailable('The comments service did not answer', { cause: error });
    }
    // A refusal (4xx) is this caller's mistake, not an outage to wait out.
    if (response.status >= 400 && response.status < 500)
      throw new Error(`The comments service refused to open personal data (${response.status})`);
    if (!response.ok)
      throw new PersonalDataUnavailable(`The comments service answered ${response.status}`);
    const parsed = openPersonalDataResponseSchema.safeParse(await response.json());
    if (!parsed.success || parsed.data.values.length !== values.length)
      throw new PersonalDataUnavailable('The comments service answered something else');
    return parsed.data.values;
  }
}

/**
 * Notification subjects with their authors' names opened, as the comment events carry them (a
 * guest's sealed, an account's in plaintext): a name whose key is destroyed reads as a deleted reader.
 */
export async function openAuthorNames<S extends { readonly authorName: string }>(
  opener: PersonalDataOpener,
  subjects: readonly S[],
): Promise<S[]> {
  const opened = await opener.open(
    subjects.map((s) => ({ field: COMMENT_PERSONAL_FIELDS.authorName, value: s.authorName })),
  );
  return subjects.map((s, i) => {
    const name = opened[i];
    return { ...s, authorName: name?.status === 'plain' ? name.value : ERASED_PERSON_NAME };
  });
}
