// The load generator, run as its own process: autocannon with the options given as JSON in
// argv[2]; a body containing [<id>] gets a unique id per request. Prints autocannon's result.
import { randomUUID } from 'node:crypto';

interface Options {
  url: string;
  connections: number;
  duration: number;
  method: string;
  headers: Record<string, string>;
  body?: string;
  overallRate?: number;
}

interface Autocannon {
  (options: Record<string, unknown>): Promise<unknown>;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as Options;
  // autocannon ships no type declarations.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as Autocannon;
  const body = options.body;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.duration,
    method: options.method,
    headers: options.headers,
    ...(options.overallRate !== undefined ? { overallRate: options.overallRate } : {}),
    ...(body !== undefined
      ? {
          requests: [
            {
              setupRequest: (request: Record<string, unknown>) => ({
                ...request,
                body: body.replaceAll('[<id>]', randomUUID()),
              }),
            },
          ],
        }
      : {}),
  });
  process.stdout.write(JSON.stringify(result));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
