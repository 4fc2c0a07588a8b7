import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import mongoose from 'mongoose';

/** One text found in one file, with the bytes around it to show where. */
export interface RawFinding {
  file: string;
  text: string;
  around: string;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** A file's bytes; none when it went between listing and reading (a running service renames its temporary files). */
async function bytesOf(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw error;
  }
}

/**
 * Every place the given texts occur in the raw bytes of the files under the folders: UTF-8
 * as written, and as JSON escapes it (a string inside a JSON document or a BSON one).
 */
export async function findInRawBytes(
  dirs: readonly string[],
  texts: readonly string[],
): Promise<RawFinding[]> {
  const needles = texts.flatMap((text) => {
    const escaped = JSON.stringify(text).slice(1, -1);
    return [...new Set([text, escaped])].map((form) => ({ text, bytes: Buffer.from(form) }));
  });
  const findings: RawFinding[] = [];
  for (const dir of dirs) {
    for (const file of await filesUnder(dir)) {
      const bytes = await bytesOf(file);
      for (const needle of needles) {
        const at = bytes.indexOf(needle.bytes);
        if (at < 0) continue;
        const around = bytes
          .subarray(Math.max(0, at - 40), at + needle.bytes.length + 40)
          .toString('latin1')
          .replace(/[^\x20-\x7e]/g, '.');
        findings.push({ file, text: needle.text, around });
      }
    }
  }
  return findings;
}

/**
 * Every byte a service stored for its events: the files of its data folder (standalone), or
 * its commits as the database holds them (the Mongo-compatible server, in BSON).
 */
export async function storedEventBytes(where: {
  dataDir?: string | undefined;
  mongoUri?: string | undefined;
}): Promise<Buffer> {
  if (where.dataDir) {
    const files = await filesUnder(where.dataDir);
    return Buffer.concat(await Promise.all(files.map(bytesOf)));
  }
  if (!where.mongoUri) throw new Error('storedEventBytes needs a data folder or a database');
  const connection = await mongoose.createConnection(where.mongoUri).asPromise();
  try {
    const raw = await connection.db!.collection('commits').find({}, { raw: true }).toArray();
    return Buffer.concat(raw as unknown as Buffer[]);
  } finally {
    await connection.close();
  }
}
