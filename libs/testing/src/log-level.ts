import pino from 'pino';

/**
 * Whether a log line's level (the label the services write, e.g. "error", or pino's number)
 * is at least `threshold`.
 */
export function levelAtLeast(level: unknown, threshold: pino.Level): boolean {
  const value =
    typeof level === 'number'
      ? level
      : typeof level === 'string'
        ? (pino.levels.values[level] ?? 0)
        : 0;
  return value >= pino.levels.values[threshold]!;
}
