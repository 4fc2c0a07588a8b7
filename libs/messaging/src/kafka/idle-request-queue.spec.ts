import { quietIdleKafkaConnections } from './idle-request-queue';

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  maybeThrottle(ms: number): void;
  push(request: unknown): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (
  options: Record<string, unknown>,
) => Queue;

const silent = { debug: () => undefined, warn: () => undefined, error: () => undefined };
const queue = () =>
  new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: true,
    clientId: 'test',
    broker: '127.0.0.1:9092',
    logger: silent,
  });

describe('a kafkajs connection with nothing to send', () => {
  beforeAll(() => quietIdleKafkaConnections());
  afterEach(() => jest.useRealTimers());

  it('arms no timer after a check of its empty queue', () => {
    const idle = queue();
    idle.checkPendingRequests();
    expect(idle.throttleCheckTimeoutId).toBeNull();
  });

  it('still sends a request held back by throttling once the throttling ends', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const throttled = queue();
    throttled.maybeThrottle(200);
    const sent: string[] = [];
    throttled.push({
      entry: {
        correlationId: 1,
        apiKey: 1,
        apiName: 'Fetch',
        apiVersion: 11,
        resolve: () => undefined,
        reject: () => undefined,
      },
      expectResponse: false,
      sendRequest: () => sent.push('fetch'),
    });
    expect(sent).toEqual([]);
    expect(throttled.throttleCheckTimeoutId).not.toBeNull();
    jest.advanceTimersByTime(250);
    expect(sent).toEqual(['fetch']);
    expect(throttled.throttleCheckTimeoutId).toBeNull();
  });
});
