import { readSync } from 'node:fs';
import { type FileHandle, mkdir, open, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';

interface Pending {
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Where a line of the log lies: its first byte and its length, the newline included. */
export interface LinePlace {
  position: number;
  length: number;
}

/**
 * Takes one line of a log being opened (its bytes, without the newline, valid only during the
 * call), with its place; false when the line is not a record (a torn write): the log ends
 * before it. A visitor that needs only the beginning of a line decodes only that.
 */
export type LineVisitor = (line: Buffer, place: LinePlace) => boolean;

const CHUNK_BYTES = 1 << 20;
const BLOCK_BYTES = 1 << 16;
const NEWLINE = 0x0a;

/**
 * An append-only JSON-lines file. A record is acknowledged only after it is on disk
 * (fdatasync); records written together share one sync (group commit). After a
 * failed write the log refuses everything: a process that cannot persist must stop.
 *
 * A log need not be held in memory: opening it streams its lines to a visitor with their
 * places, and a line is read back by its place (through a small cache of the file's blocks).
 */
export class AppendLog {
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;
  /** Bytes of the file once every line appended so far is written. */
  private end: number;
  /** Bytes of the file written: what a read finds on disk. */
  private written: number;
  /** Lines appended and not yet written, by their first byte. */
  private readonly unwritten = new Map<number, string>();
  private readonly blocks = new Map<number, Buffer>();

  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
    size: number,
    private readonly cachedBlocks: number,
  ) {
    this.end = size;
    this.written = size;
  }

  /**
   * Opens the log, giving each of its lines to `visit` in order, without holding the file in
   * memory; the log ends at the first line `visit` refuses, or at a last line without its
   * newline (a crash mid-write): what follows is cut off.
   */
  static async scan(
    path: string,
    visit: LineVisitor,
    options: { cachedBlocks?: number } = {},
  ): Promise<AppendLog> {
    await mkdir(dirname(path), { recursive: true });
    const file = await open(path, 'a+');
    try {
      const { size } = await file.stat();
      const good = readLines(file, size, visit);
      if (good < size) await truncate(path, good);
      return new AppendLog(path, file, good, options.cachedBlocks ?? 16);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  /** Appends a record; resolves once it is on disk. */
  append(record: unknown): Promise<void> {
    return this.appendPlaced(record).written;
  }

  /** Appends a record: its place at once, and when it is on disk. */
  appendPlaced(record: unknown): { place: LinePlace; written: Promise<void> } {
    if (this.failure) {
      const written = Promise.reject(this.failure);
      written.catch(() => undefined);
      return { place: { position: this.end, length: 0 }, written };
    }
    const line = `${JSON.stringify(record)}\n`;
    const place = { position: this.end, length: Buffer.byteLength(line) };
    this.end += place.length;
    this.unwritten.set(place.position, line);
    const written = new Promise<void>((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      this.flushing ??= this.flush();
    });
    return { place, written };
  }

  /** The line at a place this log gave, without its newline. */
  async read(place: LinePlace): Promise<string> {
    const at = this.readAtHand(place);
    if (at !== undefined) return at;
    const bytes = this.readBytes(place.position, place.length);
    return bytes.toString('utf8', 0, place.length - 1);
  }

  /** The line at a place, when it needs no reading from disk (not written yet, or in a cached block). */
  readAtHand(place: LinePlace): string | undefined {
    const pending = this.unwritten.get(place.position);
    if (pending !== undefined) return pending.slice(0, -1);
    const block = Math.floor(place.position / BLOCK_BYTES);
    const from = place.position - block * BLOCK_BYTES;
    if (from + place.length > BLOCK_BYTES) return undefined;
    const cached = this.blocks.get(block);
    return cached?.toString('utf8', from, from + place.length - 1);
  }

  async close(): Promise<void> {
    await this.flushing;
    this.blocks.clear();
    await this.file.close();
  }

  /** Written bytes are most often in the page cache: they are read at once, without a round through the thread pool. */
  private readBytes(position: number, length: number): Buffer {
    const first = Math.floor(position / BLOCK_BYTES);
    const last = Math.floor((position + length - 1) / BLOCK_BYTES);
    // Only whole written blocks are cached: the last one still grows.
    if (last - first > 1 || (last + 1) * BLOCK_BYTES > this.written)
      return readExactly(this.file.fd, position, length);
    const parts: Buffer[] = [];
    for (let block = first; block <= last; block++) parts.push(this.block(block));
    const joined = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const from = position - first * BLOCK_BYTES;
    return joined.subarray(from, from + length);
  }

  private block(index: number): Buffer {
    const cached = this.blocks.get(index);
    if (cached) {
      this.blocks.delete(index);
      this.blocks.set(index, cached);
      return cached;
    }
    const bytes = readExactly(this.file.fd, index * BLOCK_BYTES, BLOCK_BYTES);
    this.blocks.set(index, bytes);
    if (this.blocks.size > this.cachedBlocks) {
      const oldest = this.blocks.keys().next().value;
      if (oldest !== undefined) this.blocks.delete(oldest);
    }
    return bytes;
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        try {
          const text = batch.map((p) => p.line).join('');
          await this.file.appendFile(text);
          this.written += Buffer.byteLength(text);
          await this.file.datasync();
          let position = this.written - Buffer.byteLength(text);
          for (const p of batch) {
            this.unwritten.delete(position);
            position += Buffer.byteLength(p.line);
          }
          for (const p of batch) p.resolve();
        } catch (error) {
          this.failure = error instanceof Error ? error : new Error(String(error));
          for (const p of [...batch, ...this.pending]) p.reject(error);
          this.pending = [];
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }
}

function readExactly(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const read = readSync(fd, buffer, filled, length - filled, position + filled);
    if (read === 0) break;
    filled += read;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

/**
 * Gives each complete line of the file to `visit`; returns where the good lines end. The file is
 * read at once, piece by piece (opening comes before anything is served): each piece lands
 * right after the unfinished line the last one ended with, so nothing is copied twice.
 */
function readLines(file: FileHandle, size: number, visit: LineVisitor): number {
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let carried = 0;
  let carryAt = 0;
  let offset = 0;
  while (offset < size) {
    const want = Math.min(CHUNK_BYTES, size - offset);
    if (buffer.length < carried + want) {
      const larger = Buffer.allocUnsafe(Math.max(buffer.length * 2, carried + want));
      buffer.copy(larger, 0, 0, carried);
      buffer = larger;
    }
    const read = readSync(file.fd, buffer, carried, want, offset);
    if (read === 0) break;
    offset += read;
    const end = carried + read;
    let start = 0;
    for (let newline = buffer.indexOf(NEWLINE); newline !== -1 && newline < end;) {
      const place = { position: carryAt + start, length: newline - start + 1 };
      if (place.length > 1 && !visit(buffer.subarray(start, newline), place)) return place.position;
      start = newline + 1;
      newline = buffer.indexOf(NEWLINE, start);
    }
    // The unfinished line moves to the front; the next piece is read after it.
    buffer.copy(buffer, 0, start, end);
    carried = end - start;
    carryAt += start;
  }
  return carryAt;
}
