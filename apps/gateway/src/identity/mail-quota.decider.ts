import type { DomainEvent, EventData } from '@parley/contracts';
import { type Decider, type DomainError, domainError } from '@parley/eventstore';

export type MailSent = DomainEvent<'parley.identity.mail-sent.v1'>;
export type MailKind = EventData<'parley.identity.mail-sent.v1'>['kind'];

/** Mails to one address, or for one account, at most: a few retries, never a flood. */
export const MAIL_QUOTA = [
  { perMs: 3600_000, max: 3 },
  { perMs: 24 * 3600_000, max: 6 },
] as const;

export interface MailQuota {
  sentAt: string[];
}

export interface SendMail {
  key: string;
  kind: MailKind;
}

export type MailQuotaError = DomainError<'QuotaExhausted'>;

export function quotaLeft(state: MailQuota, now: Date): boolean {
  return MAIL_QUOTA.every(
    ({ perMs, max }) =>
      state.sentAt.filter((at) => now.getTime() - Date.parse(at) < perMs).length < max,
  );
}

/** The mail the gateway sends about identity (verification, a registration attempt), counted. */
export const mailQuotaDecider: Decider<MailQuota, SendMail, MailSent, MailQuotaError> = {
  initialState: { sentAt: [] },
  evolve: (state, event) => ({
    // Older entries than the longest window count for nothing.
    sentAt: [
      ...state.sentAt.filter(
        (at) => Date.parse(event.data.sentAt) - Date.parse(at) < MAIL_QUOTA[1].perMs,
      ),
      event.data.sentAt,
    ],
  }),
  decide(command, state, now) {
    if (!quotaLeft(state, now))
      return domainError('QuotaExhausted', 'Enough mail went to this address for now');
    return [
      {
        type: 'parley.identity.mail-sent.v1',
        data: { key: command.key, kind: command.kind, sentAt: now.toISOString() },
      },
    ];
  },
};
