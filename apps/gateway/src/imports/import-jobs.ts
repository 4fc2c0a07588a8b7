import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { Actor, ImportState, ImportSummaryView, ImportView } from '@parley/contracts';
import {
  APP_LOGGER,
  CLOCK,
  type Clock,
  ProblemException,
  SERVICE_INFRASTRUCTURE,
  type ServiceInfrastructure,
} from '@parley/platform';
import type { DocumentCollection } from '@parley/readmodel';
import {
  type ImportSummary,
  WxrError,
  checkWordpressExport,
  importWordpress,
} from '@parley/wordpress';
import type { Logger } from 'pino';
import { IdentityService } from '../identity/identity.service';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { createServiceClients } from '../proxy/service-clients';
import type { ServiceClients } from '../proxy/service-clients';
import { IMPORT_CALL_TIMEOUT_MS, serviceImportTarget } from './service-import-target';
import { uploadTooLarge } from './upload';

/** The largest upload when the gateway is given no other limit (IMPORT_MAX_MEGABYTES). */
export const DEFAULT_IMPORT_MAX_BYTES = 256 * 1024 * 1024;

/** How often a running import writes its progress down, at most. */
const PROGRESS_EVERY_MS = 250;

interface ImportDocument {
  _id: string;
  ownerId: string;
  source: 'wordpress';
  /** Absent on imports recorded before dry runs could be uploaded. */
  dryRun?: boolean;
  state: ImportState;
  items: { done: number; total: number | null };
  createdAt: string;
  finishedAt: string | null;
  summary: ImportSummaryView | null;
  failure: { reason: string } | null;
}

function view(doc: ImportDocument): ImportView {
  const { _id, ownerId: _owner, dryRun = false, ...rest } = doc;
  return { id: _id, dryRun, ...rest };
}

function summaryView(summary: ImportSummary): ImportSummaryView {
  const { site, dryRun: _dryRun, ...rest } = summary;
  return { site: site ? { title: site.title, url: site.url } : null, ...rest };
}

/** Copies the upload to `file` as it arrives, refusing more than `maxBytes`, and passes it on. */
async function* spooled(
  upload: AsyncIterable<Buffer | string>,
  file: string,
  maxBytes: number,
): AsyncGenerator<Buffer> {
  const out = createWriteStream(file);
  let bytes = 0;
  try {
    for await (const piece of upload) {
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
      bytes += chunk.length;
      if (bytes > maxBytes) throw uploadTooLarge(maxBytes);
      if (!out.write(chunk))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      yield chunk;
    }
  } finally {
    out.end();
    await finished(out).catch(() => undefined);
  }
}

/**
 * Uploaded WordPress imports: each upload is streamed to a temporary file and read through as it
 * arrives (a file that is not WXR, or is cut off, is refused before anything is written), then
 * imported in the background, one at a time, through the services' import routes. Its progress
 * is kept in the gateway's documents, so any replica answers it.
 */
@Injectable()
export class ImportJobs {
  private readonly jobs: DocumentCollection<ImportDocument>;
  private readonly services: ServiceClients;
  private queue: Promise<void> = Promise.resolve();
  readonly maxBytes: number;

  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) infra: ServiceInfrastructure,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly identity: IdentityService,
  ) {
    this.jobs = infra.documents.collection<ImportDocument>('imports');
    this.maxBytes = options.imports?.maxBytes ?? DEFAULT_IMPORT_MAX_BYTES;
    this.services = createServiceClients(
      {
        ...options.services,
        timeoutMs: Math.max(options.services.timeoutMs, IMPORT_CALL_TIMEOUT_MS),
      },
      logger,
    );
  }

  /** The import, for its owner or an admin; null when there is none of this id. */
  async find(id: string): Promise<{ ownerId: string; view: ImportView } | null> {
    const doc = await this.jobs.findOne({ _id: id });
    return doc ? { ownerId: doc.ownerId, view: view(doc) } : null;
  }

  /**
   * Takes an upload in: checks it whole as it is stored, then queues its import. Throws a
   * problem (422 naming the reason, 413) for a file that will not be imported.
   */
  async start(
    owner: Actor,
    upload: AsyncIterable<Buffer | string>,
    { dryRun = false } = {},
  ): Promise<ImportView> {
    const doc: ImportDocument = {
      _id: randomUUID(),
      ownerId: owner.accountId,
      source: 'wordpress',
      dryRun,
      state: 'checking',
      items: { done: 0, total: null },
      createdAt: this.clock().toISOString(),
      finishedAt: null,
      summary: null,
      failure: null,
    };
    await this.jobs.insertOne(doc);
    const dir = await mkdtemp(join(tmpdir(), 'parley-import-'));
    const file = join(dir, 'export.xml');
    let items: number;
    try {
      items = await checkWordpressExport(() => spooled(upload, file, this.maxBytes));
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      const refusal =
        error instanceof WxrError
          ? new ProblemException({
              status: 422,
              code: 'not-a-wordpress-export',
              title: 'This file cannot be imported',
              detail: error.message,
              errors: [{ field: 'body', reason: error.message }],
            })
          : error;
      await this.finish(doc._id, 'failed', {
        failure: {
          reason:
            refusal instanceof ProblemException
              ? (refusal.detail ?? refusal.title)
              : 'The upload broke off',
        },
      });
      throw refusal;
    }
    await this.jobs.updateOne(
      { _id: doc._id },
      { $set: { state: 'queued', 'items.total': items } },
    );
    // One import at a time: the next waits in the queue.
    this.queue = this.queue
      .then(() => this.run(doc._id, owner, file, items, dryRun))
      .catch((error: unknown) =>
        this.logger.error({ err: error, importId: doc._id }, 'import lost'),
      )
      .finally(() => rm(dir, { recursive: true, force: true }));
    return view({ ...doc, state: 'queued', items: { done: 0, total: items } });
  }

  private async run(
    id: string,
    owner: Actor,
    file: string,
    items: number,
    dryRun: boolean,
  ): Promise<void> {
    await this.jobs.updateOne({ _id: id }, { $set: { state: 'importing' } });
    let written = 0;
    let pending: Promise<unknown> = Promise.resolve();
    try {
      const summary = await importWordpress({
        open: () => createReadStream(file),
        items,
        dryRun,
        target: serviceImportTarget({
          posts: this.services.posts,
          comments: this.services.comments,
          accountByEmail: (email) => this.identity.verifiedAccountByEmail(email),
          importer: owner,
        }),
        onProgress: (done) => {
          const now = Date.now();
          if (now - written < PROGRESS_EVERY_MS) return;
          written = now;
          pending = pending.then(() =>
            this.jobs.updateOne({ _id: id }, { $set: { 'items.done': done } }),
          );
        },
      });
      await pending;
      await this.finish(id, 'done', { summary: summaryView(summary), 'items.done': items });
      this.logger.info({ importId: id }, 'import done');
    } catch (error) {
      await pending.catch(() => undefined);
      const reason =
        error instanceof WxrError || error instanceof ProblemException
          ? error.message
          : 'The import stopped on an error (it was logged); upload the file again to finish it';
      this.logger.error({ err: error, importId: id }, 'import failed');
      await this.finish(id, 'failed', { failure: { reason } }).catch(() => undefined);
    }
  }

  private async finish(
    id: string,
    state: 'done' | 'failed',
    fields: Record<string, unknown>,
  ): Promise<void> {
    await this.jobs.updateOne(
      { _id: id },
      { $set: { state, finishedAt: this.clock().toISOString(), ...fields } },
    );
  }
}
