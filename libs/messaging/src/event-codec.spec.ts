import type { AnyEvent } from '@parley/contracts';
import { DECODED_KEPT, decodeEvent, decodedKept, eventToMessage } from './event-codec';
import type { IncomingMessage } from './message';

const renamed = (displayName: string) =>
  ({
    specversion: '1.0',
    id: `e-${displayName}`,
    source: '/parley/gateway',
    type: 'parley.account.display-name-changed.v2',
    subject: 'account-bo',
    time: '2026-11-24T12:00:00.000Z',
    datacontenttype: 'application/json',
    streamVersion: 2,
    correlationId: 'c-1',
    causationId: null,
    data: { accountId: 'bo', displayName, changedAt: '2026-11-24T12:00:00.000Z' },
  }) as AnyEvent;

const delivered = (event: AnyEvent): IncomingMessage => ({
  topic: 'parley.accounts',
  partition: 0,
  offset: '0',
  timestamp: 0,
  ...eventToMessage(event),
});

describe('decodeEvent', () => {
  it('gives every consumer of one stored message its own event, whatever another did to its copy', () => {
    const stored = delivered(renamed('Boots'));
    // The embedded bus hands each consumer group a message of its own around the same stored parts.
    const first = decodeEvent({ ...stored });
    (first.data as { displayName: string }).displayName = 'changed by a handler';
    const second = decodeEvent({ ...stored });
    expect(second).toEqual(renamed('Boots'));
  });

  it('reads a message anew when it carries other bytes under the same headers', () => {
    const stored = delivered(renamed('Boots'));
    decodeEvent(stored);
    const other = { ...stored, value: eventToMessage(renamed('Amy')).value };
    expect((decodeEvent(other).data as { displayName: string }).displayName).toBe('Amy');
  });

  it('still refuses a message that is not an event', () => {
    const stored = delivered(renamed('Boots'));
    expect(() => decodeEvent({ ...stored, value: '{not json' })).toThrow('is not JSON');
  });

  it('keeps only the latest events decoded, however many messages the bus keeps', () => {
    const messages = Array.from({ length: DECODED_KEPT + 50 }, (_, i) =>
      delivered(renamed(`Reader ${i}`)),
    );
    for (const message of messages) decodeEvent(message);
    expect(decodedKept()).toBe(DECODED_KEPT);
    // The oldest is read anew, and still right; the latest still comes from what was kept.
    expect((decodeEvent({ ...messages[0]! }).data as { displayName: string }).displayName).toBe(
      'Reader 0',
    );
    expect(decodeEvent({ ...messages.at(-1)! })).toEqual(renamed(`Reader ${DECODED_KEPT + 49}`));
    expect(decodedKept()).toBe(DECODED_KEPT);
  });
});
