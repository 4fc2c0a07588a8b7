import { existsSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { EmbeddedEventStore, LogMismatchError, assertCopyTarget } from '@parley/eventstore';
import { type FolderLock, FolderInUseError, lockFolder } from '@parley/files';
import {
  type LogMigrationSummary,
  MIGRATE_LOG_USAGE,
  MIGRATE_LOG_USAGE_ERROR,
  ResealerRegistry,
  type ServiceLog,
  migrateServiceLog,
  parseMigrateLogArgs,
  reportMigration,
} from '@parley/platform';
import { EmbeddedPersonKeyStore } from '@parley/privacy';
import { commentResealers } from '../../comments/src/personal-data/comment-resealers';
import { accountResealers } from '../../gateway/src/identity/account-resealers';
import { notificationsResealers } from '../../notifications/src/personal-data/notifications-resealers';
import { postResealers } from '../../posts/src/posts/post-resealers';

/** Every service of a data folder, with the resealers of its events (none: copied as they are). */
export const LOG_RESEALERS = new ResealerRegistry()
  .add('posts', postResealers)
  .add('comments', commentResealers)
  .add('notifications', notificationsResealers)
  .add('gateway', accountResealers);

/** Exit code when a data folder is held by a running Parley. */
const FOLDER_IN_USE = 75;

/** The install's signing keys go along, or every session, link and guest token would break. */
async function copySecrets(from: string, to: string): Promise<void> {
  const source = join(from, 'secrets.json');
  const target = join(to, 'secrets.json');
  if (!existsSync(source)) return;
  if (!existsSync(target)) return copyFile(source, target);
  const [a, b] = await Promise.all([readFile(source, 'utf8'), readFile(target, 'utf8')]);
  if (a !== b)
    throw new LogMismatchError(`${to} belongs to another install (its secrets.json differs)`);
}

interface ServiceSides {
  service: string;
  from: ServiceLog & { log: EmbeddedEventStore };
  to: ServiceLog & { log: EmbeddedEventStore };
}

async function openSides(service: string, from: string, to: string): Promise<ServiceSides> {
  const open = async (dir: string) => ({
    log: await EmbeddedEventStore.open(`/parley/${service}`, join(dir, service, 'events.jsonl')),
    keys: await EmbeddedPersonKeyStore.open(join(dir, service, 'person-keys.json')),
  });
  return { service, from: await open(from), to: await open(to) };
}

/** Every service's copy checked before any is written: a refused target is left as it was. */
async function migrateAll(
  registry: ResealerRegistry,
  services: readonly string[],
  from: string,
  to: string,
): Promise<LogMigrationSummary[]> {
  const sides: ServiceSides[] = [];
  try {
    for (const service of services) sides.push(await openSides(service, from, to));
    for (const side of sides) await assertCopyTarget(side.from.log, side.to.log);
    await copySecrets(from, to);
    const summaries: LogMigrationSummary[] = [];
    for (const side of sides)
      summaries.push(
        await migrateServiceLog({
          service: side.service,
          resealers: registry.of(side.service),
          from: side.from,
          to: side.to,
        }),
      );
    return summaries;
  } finally {
    for (const side of sides) await Promise.all([side.from.log.close(), side.to.log.close()]);
  }
}

/**
 * `migrate-log --to <folder>`: copies every service's log of the data folder (DATA_DIR) into a
 * new folder with its personal data sealed, with the person keys and the install's secrets;
 * the bus and read models are left behind (the new Parley republishes and rebuilds them).
 */
export async function runEmbeddedLogMigration(options: {
  dataDir: string;
  args: readonly string[];
  out: Writable;
  registry?: ResealerRegistry;
}): Promise<number> {
  const { out } = options;
  const parsed = parseMigrateLogArgs(options.args);
  const fail = (message: string) => {
    out.write(`${message}\n${MIGRATE_LOG_USAGE}`);
    return MIGRATE_LOG_USAGE_ERROR;
  };
  if ('error' in parsed) return fail(parsed.error);
  if (parsed.service !== undefined)
    return fail(
      'a data folder holds every service’s log and is migrated whole: leave out --service',
    );
  const from = resolve(options.dataDir);
  const to = resolve(parsed.to);
  if (from === to)
    return fail(`--to ${parsed.to} is the data folder itself: the new log needs another`);
  const registry = options.registry ?? LOG_RESEALERS;
  const services = registry.names.filter((service) =>
    existsSync(join(from, service, 'events.jsonl')),
  );
  if (services.length === 0) return fail(`${from} holds no Parley event log (DATA_DIR)`);
  const locks: FolderLock[] = [];
  try {
    locks.push(await lockFolder(from));
    locks.push(await lockFolder(to));
    return await reportMigration(out, () => migrateAll(registry, services, from, to));
  } catch (error) {
    if (!(error instanceof FolderInUseError)) throw error;
    out.write(`${error.message}: stop the Parley running on it first\n`);
    return FOLDER_IN_USE;
  } finally {
    for (const lock of locks.reverse()) await lock.release();
  }
}
