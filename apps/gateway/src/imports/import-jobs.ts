import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  type Actor,
  type ImportState,
  type ImportSummaryView,
  type ImportView,
  can,
} from '@parley/contracts';
import {
  APP_LOGGER,
  CLOCK,
  type Clock,
  ProblemException,
  SERVICE_INFRASTRUCTURE,
  type ServiceInfrastructure,
} from '@parley/platform';
import type { DocumentCollection, IndexSpec } from '@parley/readmodel';
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
import { type ImportClaim, ImportHolds } from './import-holds';
import { IMPORT_CALL_TIMEOUT_MS, serviceImportTarget } from './service-import-target';
import { uploadTooLarge } from './upload';

/** The largest upload when the gateway is given no other limit (IMPORT_MAX_MEGABYTES). */
export const DEFAULT_IMPORT_MAX_BYTES = 256 * 1024 * 1024;

/** How often a running import writes its progress down, at most. */
const PROGRESS_EVERY_MS = 250;

/** How long a gateway's hold on its imports lasts unless renewed, when it is given no other. */
export const DEFAULT_IMPORT_HOLD_MS = 30_000;

/** Unfinished imports by state (the take-over), and a process's own holds (renewed, let go). */
const INDEXES: readonly IndexSpec[] = [{ keys: { state: 1 } }, { keys: { heldBy: 1, state: 1 } }];

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
  /** Where the upload waits for its import, until the import ends (absent on older imports). */
  file?: string | null;
  /** The gateway process working on it, until when unless it renews its hold; null once ended. */
  heldBy?: string | null;
  heldUntil?: string | null;
  takeovers?: number;
}

function view(doc: ImportDocument): ImportView {
  const {
    _id,
    ownerId: _owner,
    dryRun = false,
    file: _file,
    heldBy: _heldBy,
    heldUntil: _heldUntil,
    takeovers: _takeovers,
    ...rest
  } = doc;
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
 * Uploaded WordPress imports: each upload is streamed to a file of the imports folder and read
 * through as it arrives (a file that is not WXR, or is cut off, is refused before anything is
 * written), then imported in the background, one at a time, through the services' import
 * routes. Its progress is kept in the gateway's documents, so any replica answers it.
 *
 * The gateway process working on an import holds it, renewing its hold while it runs. One that
 * finds an import whose process is gone (its hold lapsed, or any other holder in embedded mode,
 * where one process holds the data folder) takes it over with a claim that one replica alone
 * can insert, and runs the file again (the import is idempotent) or, when the file is not
 * there, fails it naming why. The file is removed once the import ends, however it ends.
 */
@Injectable()
export class ImportJobs implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly jobs: DocumentCollection<ImportDocument>;
  private readonly services: ServiceClients;
  private queue: Promise<void> = Promise.resolve();
  readonly maxBytes: number;
  private readonly holds: ImportHolds<ImportDocument>;
  private readonly dir: string;
  private readonly holdMs: number;
  private readonly resume: boolean;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) private readonly infra: ServiceInfrastructure,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly identity: IdentityService,
  ) {
    this.jobs = infra.documents.collection<ImportDocument>('imports', INDEXES, { durable: true });
    this.maxBytes = options.imports?.maxBytes ?? DEFAULT_IMPORT_MAX_BYTES;
    this.dir = options.imports?.dir || join(tmpdir(), 'parley-imports');
    this.holdMs = options.imports?.holdMs ?? DEFAULT_IMPORT_HOLD_MS;
    this.resume = options.imports?.resume ?? true;
    this.holds = new ImportHolds(
      this.jobs,
      infra.documents.collection<ImportClaim>('import_claims'),
      randomUUID(),
      {
        clock,
        holdMs: this.holdMs,
        exclusive: infra.mode === 'embedded',
      },
    );
    this.services = createServiceClients(
      {
        ...options.services,
        timeoutMs: Math.max(options.services.timeoutMs, IMPORT_CALL_TIMEOUT_MS),
      },
      logger,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    // The holds are looked up by state on every tick: the store is told of their index.
    await this.infra.documents.ensureIndexes('imports', INDEXES);
    await this.tick();
    await this.removeLeftFiles().catch((error: unknown) =>
      this.logger.warn({ err: error }, 'left uploads could not be removed'),
    );
    this.timer = setInterval(() => void this.tick(), Math.max(100, this.holdMs / 3));
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.ticking;
    // Let go of what waits or runs here, so that another replica or the next start takes it at once.
    await this.holds
      .release()
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'imports could not be let go; they resume later'),
      );
  }

  /** Renews this process's holds, then takes over what a gone process left. */
  private tick(): Promise<void> {
    this.ticking = this.ticking
      .then(async () => {
        if (this.stopping) return;
        await this.holds.renew();
        if (this.resume) await this.recover();
      })
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'imports could not be looked after; trying again'),
      );
    return this.ticking;
  }

  /** Removes the uploads of imports that ended (a process stopped between the two). */
  private async removeLeftFiles(): Promise<void> {
    const names = await readdir(this.dir).catch(() => []);
    for (const name of names) {
      const id = /^([0-9a-f-]{36})\.xml$/.exec(name)?.[1];
      if (!id) continue;
      // A new upload's record is written before its file: a file without one is left over.
      const job = await this.jobs.findOne({ _id: id });
      if (!job || job.finishedAt !== null) await rm(join(this.dir, name), { force: true });
    }
  }

  /** Runs again, or fails naming why, each import a gone process left. */
  private async recover(): Promise<void> {
    for (const { job, recovery } of await this.holds.takeOver()) {
      const importer = recovery.action === 'resume' ? await this.importerOf(job.ownerId) : null;
      if (recovery.action === 'fail' || !importer || !job.file || job.items.total === null) {
        const reason =
          recovery.action === 'fail'
            ? recovery.reason
            : 'Interrupted, and the account that uploaded it may no longer import; an author or admin can upload the file again';
        this.logger.warn({ importId: job._id, reason }, 'interrupted import failed');
        await this.finish(job, 'failed', { failure: { reason } });
        continue;
      }
      this.logger.info({ importId: job._id, state: job.state }, 'interrupted import resumed');
      this.enqueue(job._id, importer, job.file, job.items.total, job.dryRun ?? false);
    }
  }

  /** The account that uploaded an import, as it runs it again; null if it may no longer. */
  private async importerOf(accountId: string): Promise<Actor | null> {
    const account = await this.identity.me(accountId);
    if (!account.ok) return null;
    const actor: Actor = {
      accountId,
      displayName: account.value.displayName,
      roles: account.value.roles,
    };
    return can(actor, 'write') ? actor : null;
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
    const id = randomUUID();
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${id}.xml`);
    const doc: ImportDocument = {
      _id: id,
      ownerId: owner.accountId,
      source: 'wordpress',
      dryRun,
      state: 'checking',
      items: { done: 0, total: null },
      createdAt: this.clock().toISOString(),
      finishedAt: null,
      summary: null,
      failure: null,
      file,
      ...this.holds.hold(),
    };
    await this.jobs.insertOne(doc);
    let items: number;
    try {
      items = await checkWordpressExport(() => spooled(upload, file, this.maxBytes));
    } catch (error) {
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
      await this.finish(doc, 'failed', {
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
      { _id: id, heldBy: this.holds.runner },
      { $set: { state: 'queued', 'items.total': items } },
    );
    this.enqueue(id, owner, file, items, dryRun);
    return view({ ...doc, state: 'queued', items: { done: 0, total: items } });
  }

  /** One import at a time: the next waits in the queue. */
  private enqueue(id: string, owner: Actor, file: string, items: number, dryRun: boolean): void {
    this.queue = this.queue
      .then(() => this.run(id, owner, file, items, dryRun))
      .catch(async (error: unknown) => {
        this.logger.error({ err: error, importId: id }, 'import lost; it is taken over again');
        // Let go, so that it is taken over like one whose process is gone, not held for ever.
        await this.jobs
          .updateOne(
            { _id: id, heldBy: this.holds.runner },
            { $set: { heldBy: null, heldUntil: null } },
          )
          .catch(() => undefined);
      });
  }

  private async run(
    id: string,
    owner: Actor,
    file: string,
    items: number,
    dryRun: boolean,
  ): Promise<void> {
    // Stopping, it is left for the next start (or another replica) to take over.
    if (this.stopping) return;
    const mine = { _id: id, heldBy: this.holds.runner };
    if ((await this.jobs.updateOne(mine, { $set: { state: 'importing' } })) === 0) return;
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
          // A run taken over reads the file from its start: what was shown done stays done.
          pending = pending.then(() => this.jobs.updateOne(mine, { $max: { 'items.done': done } }));
        },
      });
      await pending;
      await this.finish({ _id: id, file }, 'done', {
        summary: summaryView(summary),
        'items.done': items,
      });
      this.logger.info({ importId: id }, 'import done');
    } catch (error) {
      await pending.catch(() => undefined);
      if (this.stopping) {
        this.logger.info({ importId: id }, 'import interrupted by the shutdown; it resumes later');
        return;
      }
      const reason =
        error instanceof WxrError || error instanceof ProblemException
          ? error.message
          : 'The import stopped on an error (it was logged); upload the file again to finish it';
      this.logger.error({ err: error, importId: id }, 'import failed');
      await this.finish({ _id: id, file }, 'failed', { failure: { reason } }).catch(
        () => undefined,
      );
    }
  }

  /** Ends an import held here (or let go), and removes its file. */
  private async finish(
    job: { _id: string; file?: string | null },
    state: 'done' | 'failed',
    fields: Record<string, unknown>,
  ): Promise<void> {
    const ended = await this.jobs.updateOne(
      { _id: job._id, heldBy: { $in: [this.holds.runner, null] } },
      {
        $set: {
          state,
          finishedAt: this.clock().toISOString(),
          file: null,
          heldBy: null,
          heldUntil: null,
          ...fields,
        },
      },
    );
    // Taken over meanwhile, the file is the new holder's to remove.
    if (ended > 0 && job.file) await rm(job.file, { force: true });
  }
}
