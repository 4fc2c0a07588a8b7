import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SnapshotFile } from '@parley/files';

export interface EmbeddedSecrets {
  jwtSecret: string;
  tokenSecret: string;
}

/** Signing keys of an embedded install: made at the first start, kept in the data directory. */
export async function loadOrCreateSecrets(dataDir: string): Promise<EmbeddedSecrets> {
  const path = join(dataDir, 'secrets.json');
  try {
    const saved = JSON.parse(await readFile(path, 'utf8')) as Partial<EmbeddedSecrets>;
    if (typeof saved.jwtSecret === 'string' && typeof saved.tokenSecret === 'string') {
      return { jwtSecret: saved.jwtSecret, tokenSecret: saved.tokenSecret };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secrets = {
    jwtSecret: randomBytes(32).toString('base64url'),
    tokenSecret: randomBytes(32).toString('base64url'),
  };
  // Whole or not at all: a torn file would stop every later start.
  await new SnapshotFile(path, { mode: 0o600 }).save(`${JSON.stringify(secrets, null, 2)}\n`);
  return secrets;
}
