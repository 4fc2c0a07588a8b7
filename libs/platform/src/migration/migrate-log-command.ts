import type { Writable } from 'node:stream';
import type { BaseConfig } from '@parley/config';
import { LogMismatchError, MongoEventStore } from '@parley/eventstore';
import { MongoPersonKeyStore, PersonKeyConflictError } from '@parley/privacy';
import type { Connection } from 'mongoose';
import { connectMongo } from '../infra/mongo';
import type { ServiceDefinition } from '../service/start-service';
import { type LogMigrationSummary, describeMigration, migrateServiceLog } from './log-migration';

export const MIGRATE_LOG_USAGE =
  'usage: migrate-log --service <name> --to <database> (distributed) | migrate-log --to <data folder> (standalone)\n';

/** Exit codes: 64 bad arguments, 1 a target refused (it holds another log). */
export const MIGRATE_LOG_REFUSED = 1;
export const MIGRATE_LOG_USAGE_ERROR = 64;

export interface MigrateLogArgs {
  to: string;
  service: string | undefined;
}

/** `--to <target> [--service <name>]`, or why the arguments are not that. */
export function parseMigrateLogArgs(args: readonly string[]): MigrateLogArgs | { error: string } {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag !== '--to' && flag !== '--service') return { error: `unknown argument ${flag}` };
    if (value === undefined || value.startsWith('--')) return { error: `${flag} needs a value` };
    if (values.has(flag)) return { error: `${flag} is given twice` };
    values.set(flag, value);
  }
  const to = values.get('--to');
  if (!to) return { error: '--to is missing: where the new log goes' };
  return { to, service: values.get('--service') };
}

/** Why a migration was refused, for the operator; null for an unexpected failure. */
export function migrationRefusal(error: unknown): string | null {
  if (error instanceof LogMismatchError || error instanceof PersonKeyConflictError)
    return error.message;
  return null;
}

const DATABASE_NAME = /^[A-Za-z0-9_-]{1,63}$/;

/**
 * The URI of the new log's database: `--to` itself when it is a mongodb:// URI, otherwise a
 * database of that name on the server of the service's own MONGODB_URI.
 */
export function targetMongoUri(sourceUri: string, to: string): string | undefined {
  if (/^mongodb(\+srv)?:\/\//.test(to)) return to;
  if (!DATABASE_NAME.test(to)) return undefined;
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(sourceUri);
  return match ? `${match[1]}/${to}${match[2] ?? ''}` : undefined;
}

/** The server and database a URI names (credentials left out). */
function placeOf(uri: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]+)(?:\/([^?]*))?/.exec(uri);
  return `${match?.[1] ?? uri}/${match?.[2] || 'test'}`;
}

/** Writes a migration's outcome: its summary and exit code, or the refusal. */
export async function reportMigration(
  out: Writable,
  migrate: () => Promise<LogMigrationSummary[]>,
): Promise<number> {
  try {
    const summaries = await migrate();
    for (const summary of summaries) out.write(`${describeMigration(summary)}\n`);
    return 0;
  } catch (error) {
    const refusal = migrationRefusal(error);
    if (refusal === null) throw error;
    out.write(`not migrated: ${refusal}\n`);
    return MIGRATE_LOG_REFUSED;
  }
}

/**
 * `<service main> migrate-log --to <database>`: copies the service's log and person keys from its
 * database (MONGODB_URI) into a new one, its personal data sealed by the service's resealers.
 * Answers the process exit code.
 */
export async function runMongoLogMigration(options: {
  definition: ServiceDefinition;
  config: BaseConfig;
  args: readonly string[];
  out: Writable;
}): Promise<number> {
  const { definition, config, out } = options;
  const parsed = parseMigrateLogArgs(options.args);
  const fail = (message: string) => {
    out.write(`${message}\n${MIGRATE_LOG_USAGE}`);
    return MIGRATE_LOG_USAGE_ERROR;
  };
  if ('error' in parsed) return fail(parsed.error);
  if (parsed.service !== undefined && parsed.service !== definition.name)
    return fail(`--service ${parsed.service} is not this service (${definition.name})`);
  const target = targetMongoUri(config.mongo.uri, parsed.to);
  if (!target) return fail(`--to ${parsed.to} is neither a database name nor a mongodb:// URI`);
  if (placeOf(target) === placeOf(config.mongo.uri))
    return fail(`--to ${parsed.to} is the service's own database: the new log needs another one`);
  const connections: Connection[] = [];
  try {
    const source = await connectMongo(config.mongo.uri);
    connections.push(source);
    const destination = await connectMongo(target);
    connections.push(destination);
    const side = async (connection: Connection, init: boolean) => {
      const log = new MongoEventStore(connection, `/parley/${definition.name}`);
      const keys = new MongoPersonKeyStore(connection);
      if (init) await Promise.all([log.init(), keys.init()]);
      return { log, keys };
    };
    const from = await side(source, false);
    const to = await side(destination, true);
    return await reportMigration(out, async () => [
      await migrateServiceLog({
        service: definition.name,
        resealers: definition.resealers ?? {},
        from,
        to,
      }),
    ]);
  } finally {
    await Promise.all(connections.map((c) => c.close()));
  }
}
