import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

let temporaries = 0;

/**
 * A small file that each save replaces whole: written to a temporary file of its own, synced,
 * then renamed over the old one, so a reader or a crash sees the old content or the new,
 * never a torn one. Saves of one file never overlap: a save asked for while another is
 * writing waits for it, and every save waiting meanwhile is written once, with the latest
 * content. Each save's promise settles with the write that carried its content.
 */
export class SnapshotFile {
  private writing: Promise<void> | undefined;
  private queued: { content: string; waiters: Waiter[] } | undefined;

  constructor(
    readonly path: string,
    private readonly options: { mode?: number } = {},
  ) {}

  save(content: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queued = (this.queued ??= { content, waiters: [] });
      queued.content = content;
      queued.waiters.push({ resolve, reject });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queued) {
        const { content, waiters } = this.queued;
        this.queued = undefined;
        try {
          await this.write(content);
          for (const w of waiters) w.resolve();
        } catch (error) {
          for (const w of waiters) w.reject(error);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async write(content: string): Promise<void> {
    // A name of its own: another process (or a stale file left by a crash) never shares it.
    const tmp = `${this.path}.${process.pid}.${++temporaries}.tmp`;
    await mkdir(dirname(this.path), { recursive: true });
    try {
      const file = await open(tmp, 'w', this.options.mode ?? 0o666);
      try {
        await file.writeFile(content);
        await file.datasync();
      } finally {
        await file.close();
      }
      await rename(tmp, this.path);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
  }
}
