import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { Presets, SingleBar } from 'cli-progress';
import {
  type ImportTarget,
  checkWordpressExport,
  describeSummary,
  importWordpress,
} from './wordpress-import';
import { WxrError } from './wxr-reader';

export const IMPORT_USAGE = 'usage: import wordpress <file.xml> [--dry-run]\n';

export interface ImportCommandOptions {
  /** `import`'s arguments: the source kind, the file, `--dry-run`. */
  args: readonly string[];
  /** Opens the Parley the import goes into; called once the file is known to exist. */
  connect: () => Promise<{ target: ImportTarget; close: () => Promise<void> }>;
  out: Writable;
}

/**
 * `import wordpress <file.xml> [--dry-run]`: checks the export whole, then imports it with a
 * progress bar and prints what it did. Answers the process exit code (64 usage, 65 a file
 * that is not a complete WordPress export, 66 no such file; 75, from the entry point, when
 * another process holds the data folder).
 */
export async function runImportCommand(options: ImportCommandOptions): Promise<number> {
  const { out } = options;
  const dryRun = options.args.includes('--dry-run');
  const [source, file, ...rest] = options.args.filter((a) => a !== '--dry-run');
  if (source !== 'wordpress' || !file || rest.length > 0) {
    out.write(IMPORT_USAGE);
    return 64;
  }
  const found = await stat(file).catch(() => null);
  if (!found?.isFile()) {
    out.write(`${file}: no such file\n`);
    return 66;
  }
  const bar = new SingleBar(
    {
      format: `importing [{bar}] {percentage}% | {value}/{total} items | {duration}s`,
      stream: out,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  const open = () => createReadStream(file);
  let items: number;
  try {
    // The whole file is checked before anything is opened or written.
    items = await checkWordpressExport(open);
  } catch (error) {
    if (!(error instanceof WxrError)) throw error;
    out.write(`${file}: ${error.message}\n`);
    return 65;
  }
  const parley = await options.connect();
  try {
    let started = false;
    const summary = await importWordpress({
      open,
      items,
      target: parley.target,
      dryRun,
      onProgress: (done, total) => {
        if (!started) {
          bar.start(total, done);
          started = true;
        } else bar.update(done);
      },
    });
    if (started) bar.stop();
    out.write(describeSummary(summary));
    return 0;
  } catch (error) {
    bar.stop();
    // Changed while it was read: what was imported stays, and a rerun of a whole file finishes it.
    if (error instanceof WxrError) {
      out.write(`${file}: ${error.message}\n`);
      return 65;
    }
    throw error;
  } finally {
    await parley.close();
  }
}
