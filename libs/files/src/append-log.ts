import { type FileHandle, mkdir, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';

interface Pending {
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * An append-only JSON-lines file. A record is acknowledged only after it is on disk
 * (fdatasync); records written together share one sync (group commit). After a
 * failed write the log refuses everything: a process that cannot persist must stop.
 */
export class AppendLog {
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
  ) {}

  /** Opens the log and returns the records already in it; a torn last line (a crash mid-write) is cut off. */
  static async open<T>(path: string): Promise<{ log: AppendLog; records: T[] }> {
    await mkdir(dirname(path), { recursive: true });
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const records: T[] = [];
    // Measured once: measuring the whole text for each line made opening a log quadratic.
    const size = Buffer.byteLength(text);
    let good = 0;
    let offset = 0;
    for (const line of text.split('\n')) {
      const end = offset + Buffer.byteLength(line) + 1;
      if (end > size) break; // no newline: the last write never completed
      if (line.length > 0) {
        try {
          records.push(JSON.parse(line) as T);
        } catch {
          break;
        }
      }
      good = end;
      offset = end;
    }
    if (good < size) await truncate(path, good);
    const file = await open(path, 'a');
    return { log: new AppendLog(path, file), records };
  }

  append(record: unknown): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const line = `${JSON.stringify(record)}\n`;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.file.close();
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        try {
          await this.file.appendFile(batch.map((p) => p.line).join(''));
          await this.file.datasync();
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
