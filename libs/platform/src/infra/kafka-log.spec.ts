import { createLogger } from '@parley/observability';
import { logLevel } from 'kafkajs';
import { Writable } from 'node:stream';
import { kafkaLogCreator } from './kafka';

function capture() {
  const lines: { level: string; msg: string; kafka: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: string; msg: string; kafka: string });
      done();
    },
  });
  const log = kafkaLogCreator(createLogger('test', 'debug', destination))();
  return { lines, log };
}

describe('kafkajs log lines', () => {
  it("logs a broker's error answer to one request as a warning, and the client's own errors as errors", () => {
    const { lines, log } = capture();
    const entry = (namespace: string, message: string) => ({
      namespace,
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: '', logger: 'kafkajs', message, error: 'The group is rebalancing' },
    });
    log(entry('Connection', 'Response Heartbeat(key: 12, version: 3)'));
    log(entry('Consumer', 'Crash: KafkaJSNumberOfRetriesExceeded'));
    expect(lines.map((l) => [l.kafka, l.level, l.msg])).toEqual([
      ['Connection', 'warn', 'Response Heartbeat(key: 12, version: 3)'],
      ['Consumer', 'error', 'Crash: KafkaJSNumberOfRetriesExceeded'],
    ]);
  });
});
