import pino, { type Logger, type LoggerOptions } from 'pino';
import { currentCorrelation } from './correlation-context';
import { currentTraceId } from './tracing';

export type { Logger } from 'pino';

/**
 * Keys whose values never reach a log line: personal data and secrets.
 * pino removes them wherever they appear at these paths.
 */
export const REDACTED_PATHS = [
  'email',
  '*.email',
  '*.*.email',
  'password',
  '*.password',
  'token',
  '*.token',
  'ip',
  '*.ip',
  'remoteAddress',
  '*.remoteAddress',
  'req.headers',
  'authorization',
  '*.authorization',
];

export function loggerOptions(app: string, level: string): LoggerOptions {
  return {
    level,
    base: { app },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, remove: true },
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const correlation = currentCorrelation();
      const traceId = currentTraceId();
      return { ...(correlation ?? {}), ...(traceId ? { traceId } : {}) };
    },
  };
}

/** A JSON logger to stdout, or to `destination` (tests read what would be logged). */
export function createLogger(
  app: string,
  level: string,
  destination?: pino.DestinationStream,
): Logger {
  return destination
    ? pino(loggerOptions(app, level), destination)
    : pino(loggerOptions(app, level));
}
