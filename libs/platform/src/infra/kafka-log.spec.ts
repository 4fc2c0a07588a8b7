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
  it("logs what the client recovers from (a broker's error answer, a rejoin) as a warning, and what it gives up on as an error", () => {
    const { lines, log } = capture();
    const entry = (namespace: string, message: string) => ({
      namespace,
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: '', logger: 'kafkajs', message, error: 'The group is rebalancing' },
    });
    log(entry('Connection', 'Response Heartbeat(key: 12, version: 3)'));
    log(entry('Runner', 'The coordinator is not aware of this member, re-joining the group'));
    log(entry('Consumer', 'Crash: KafkaJSNumberOfRetriesExceeded'));
    expect(lines.map((l) => [l.kafka, l.level, l.msg])).toEqual([
      ['Connection', 'warn', 'Response Heartbeat(key: 12, version: 3)'],
      ['Runner', 'warn', 'The coordinator is not aware of this member, re-joining the group'],
      ['Consumer', 'error', 'Crash: KafkaJSNumberOfRetriesExceeded'],
    ]);
  });
});
