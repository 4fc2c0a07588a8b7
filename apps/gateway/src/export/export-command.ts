import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Actor } from '@parley/contracts';
import type { ServiceClients } from '../proxy/service-clients';
import { serviceExportSource } from './service-export-source';
import { type WxrSite, gatherChannel, writeWxr } from './wxr-writer';

export const EXPORT_USAGE = 'usage: export wordpress > blog.xml\n';

/** Who the command reads the blog as: the operator running it, with an admin's view. */
const OPERATOR: Actor = {
  accountId: 'parley-export',
  displayName: 'Parley export',
  roles: ['admin'],
};

export interface ExportCommandOptions {
  /** `export`'s arguments: the format. */
  args: readonly string[];
  /** Opens the Parley the export reads; called once the arguments are known to be right. */
  connect: () => Promise<{ services: ServiceClients; site: WxrSite; close: () => Promise<void> }>;
  /** Where the XML goes (stdout). */
  out: Writable;
  /** Where progress and the summary go (stderr). */
  log: Writable;
}

/**
 * `export wordpress`: the whole blog as WXR 1.2 on `out`, written as it is read (each chunk
 * waits for the one before to drain), with progress and a summary on `log`. Answers the
 * process exit code (64 usage, 74 an output closed before the end).
 */
export async function runExportCommand(options: ExportCommandOptions): Promise<number> {
  const { out, log } = options;
  if (options.args.length !== 1 || options.args[0] !== 'wordpress') {
    log.write(EXPORT_USAGE);
    return 64;
  }
  const parley = await options.connect();
  try {
    const source = serviceExportSource(parley.services, OPERATOR);
    const channel = await gatherChannel(source);
    log.write(`exporting ${channel.posts} posts of ${parley.site.title} (${parley.site.url})\n`);
    let done = { posts: 0, comments: 0 };
    let shown = 0;
    const chunks = writeWxr(source, channel, {
      site: parley.site,
      personalData: true,
      onProgress: (progress) => {
        done = progress;
        if (Date.now() - shown < 1000) return;
        shown = Date.now();
        log.write(`  ${progress.posts}/${channel.posts} posts, ${progress.comments} comments\n`);
      },
    });
    // A reader that went away (`| head`) fails the writes with EPIPE: the export stops there.
    let failed: NodeJS.ErrnoException | null = null;
    const onError = (error: NodeJS.ErrnoException) => (failed ??= error);
    out.on('error', onError);
    try {
      for await (const chunk of chunks) {
        if (failed) break;
        if (!out.write(chunk)) await once(out, 'drain');
      }
    } catch (error) {
      failed ??= error as NodeJS.ErrnoException;
    } finally {
      out.off('error', onError);
    }
    if (failed) {
      if (failed.code !== 'EPIPE') throw failed;
      log.write('the output was closed before the export was written whole\n');
      return 74;
    }
    log.write(
      `exported ${done.posts} posts, ${done.comments} comments, ${channel.authors.length} authors, ${channel.categories.length} categories, ${channel.tags.length} tags\n`,
    );
    return 0;
  } finally {
    await parley.close();
  }
}
