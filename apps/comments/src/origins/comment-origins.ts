import { Inject, Injectable } from '@nestjs/common';
import type { CommentOrigin } from '@parley/contracts';
import { type EventStore } from '@parley/eventstore';
import { EVENT_STORE, PERSON_KEYS, type RequestOrigin } from '@parley/platform';
import {
  accountPerson,
  guestPerson,
  type PersonKey,
  type PersonKeyStore,
  PersonalDataCipher,
  type PersonRef,
  retentionPeriod,
} from '@parley/privacy';
import { type CommentWriter, commentStream, type SealedOrigin } from '../comments/comment.decider';

/** The fields' names, authenticated with each sealed value: an IP does not open as a user agent. */
const FIELDS = { ip: 'comment.origin.ip', userAgent: 'comment.origin.userAgent' } as const;

/** Whose key seals what a writer left: a guest by their address, an account by itself. */
export function personOfWriter(writer: CommentWriter): PersonRef {
  return writer.kind === 'guest' ? guestPerson(writer.email) : accountPerson(writer.accountId);
}

/** Seals an origin with the person's key of the day `at` (one key lookup for both values). */
export async function sealOrigin(
  cipher: PersonalDataCipher,
  person: PersonRef,
  origin: RequestOrigin,
  at: Date,
): Promise<SealedOrigin> {
  if (origin.ip === null && origin.userAgent === null) return { ip: null, userAgent: null };
  const known: Record<string, string> = {};
  if (origin.ip !== null) known[FIELDS.ip] = origin.ip;
  if (origin.userAgent !== null) known[FIELDS.userAgent] = origin.userAgent;
  const sealed: Partial<Record<string, string>> = await cipher.sealAll(person, known, {
    period: retentionPeriod(at),
  });
  return { ip: sealed[FIELDS.ip] ?? null, userAgent: sealed[FIELDS.userAgent] ?? null };
}

/** One lookup per key however many values of one page it opens. */
function rememberingFinds(keys: PersonKeyStore): PersonKeyStore {
  const found = new Map<string, Promise<PersonKey | undefined>>();
  return {
    keyFor: (person, period) => keys.keyFor(person, period),
    find(keyId) {
      let key = found.get(keyId);
      if (!key) {
        key = keys.find(keyId);
        found.set(keyId, key);
      }
      return key;
    },
    destroy: (person) => keys.destroy(person),
    destroyPeriodsBefore: (period) => keys.destroyPeriodsBefore(period),
    list: () => keys.list(),
  };
}

/**
 * The IP address and user agent of a comment's writer, sealed with the writer's key of the
 * day (the retention job destroys it when the period ends) and opened for moderators.
 */
@Injectable()
export class CommentOrigins {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSON_KEYS) private readonly keys: PersonKeyStore,
  ) {}

  /** Seals what is known of the origin with the writer's key of the day it is written. */
  async seal(writer: CommentWriter, origin: RequestOrigin, now: Date): Promise<SealedOrigin> {
    return sealOrigin(new PersonalDataCipher(this.keys), personOfWriter(writer), origin, now);
  }

  /** Each comment's origin as far as it can still be read: null fields once their key is gone. */
  async read(commentIds: readonly string[]): Promise<Map<string, CommentOrigin>> {
    const cipher = new PersonalDataCipher(rememberingFinds(this.keys));
    const open = async (sealed: string | null, field: string): Promise<string | null> => {
      if (sealed === null) return null;
      const opened = await cipher.open(sealed, field);
      return opened.status === 'plain' ? opened.value : null;
    };
    const entries = await Promise.all(
      [...new Set(commentIds)].map(async (id): Promise<[string, CommentOrigin]> => {
        const { events } = await this.store.readStream(commentStream(id));
        const recorded = events.find((e) => e.type === 'parley.comment.origin-recorded.v1');
        if (recorded?.type !== 'parley.comment.origin-recorded.v1')
          return [id, { ip: null, userAgent: null }];
        const [ip, userAgent] = await Promise.all([
          open(recorded.data.ip, FIELDS.ip),
          open(recorded.data.userAgent, FIELDS.userAgent),
        ]);
        return [id, { ip, userAgent }];
      }),
    );
    return new Map(entries);
  }
}
