// Types only: mongoose is loaded when a connection is made, never by the embedded process.
import type { Connection, ConnectOptions } from 'mongoose';
import type { Logger } from 'pino';
import type { ReadinessCheck } from '../health/readiness.service';

const CONNECT_OPTIONS: ConnectOptions = {
  serverSelectionTimeoutMS: 5000,
  // FerretDB and single-node setups: writes are acknowledged by the primary.
  retryWrites: false,
  autoIndex: false,
  // Each command is counted (round trips per operation, and the database-commands metric).
  monitorCommands: true,
};

export async function connectMongo(uri: string): Promise<Connection> {
  const { default: mongoose } = await import('mongoose');
  const connection = mongoose.createConnection(uri, CONNECT_OPTIONS);
  await connection.asPromise();
  return connection;
}

export function mongoReadiness(connection: Connection): ReadinessCheck {
  return {
    name: 'mongo',
    async check() {
      const db = connection.db;
      if (!db) throw new Error('not connected');
      await db.admin().ping();
    },
  };
}

/** What the watchdog does to the connection it watches. */
export interface MongoConnectionProbe {
  /** A ping through the connection itself. */
  ping(): Promise<void>;
  /** A ping through a new client to the same server: is the server there at all? */
  pingAfresh(): Promise<void>;
  /** Closes the connection and opens it again; its models stay usable. */
  reopen(): Promise<void>;
}

export function mongoConnectionProbe(connection: Connection, uri: string): MongoConnectionProbe {
  return {
    async ping() {
      const db = connection.db;
      if (!db) throw new Error('not connected');
      await db.admin().ping();
    },
    async pingAfresh() {
      const client = new connection.base.mongo.MongoClient(uri, {
        serverSelectionTimeoutMS: 3000,
        connectTimeoutMS: 3000,
      });
      try {
        await client.connect();
        await client.db('admin').command({ ping: 1 });
      } finally {
        await client.close(true);
      }
    },
    async reopen() {
      // Not forced: a force-closed mongoose connection refuses its models for good.
      await connection.close();
      await connection.openUri(uri, CONNECT_OPTIONS);
    },
  };
}

export interface MongoWatchdogOptions {
  /** Time between checks. */
  intervalMs: number;
  /** How long the connection may fail while the server answers a new client. */
  wedgedAfterMs: number;
}

export type WatchdogFinding = 'healthy' | 'failing' | 'reopened';

/**
 * The driver finds its way back after a database outage by itself. Once in a while (seen
 * after a restart of the Mongo-compatible server under load) its monitor of the server stops,
 * and every operation of the connection fails server selection for good, while the server
 * answers any new client. The watchdog notices that state (the connection failing for
 * `wedgedAfterMs` while a new client gets through) and reopens the connection.
 */
export class MongoWatchdog {
  private failingSince: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<WatchdogFinding> | undefined;

  constructor(
    private readonly probe: MongoConnectionProbe,
    private readonly logger: Logger,
    private readonly options: MongoWatchdogOptions,
    private readonly now: () => number = Date.now,
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
  }

  /** One check; checks never overlap. */
  check(): Promise<WatchdogFinding> {
    this.checking ??= this.checkOnce().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async checkOnce(): Promise<WatchdogFinding> {
    try {
      await this.probe.ping();
      this.failingSince = null;
      return 'healthy';
    } catch (error) {
      const now = this.now();
      this.failingSince ??= now;
      const failingMs = now - this.failingSince;
      if (failingMs < this.options.wedgedAfterMs) return 'failing';
      try {
        await this.probe.pingAfresh();
      } catch {
        // The server itself is away: an outage to wait out, not a stuck connection.
        return 'failing';
      }
      this.logger.error(
        { err: error, failingMs },
        'the database answers a new client but not this connection; reopening it',
      );
      try {
        await this.probe.reopen();
        this.failingSince = null;
        return 'reopened';
      } catch (reopenError) {
        this.logger.error({ err: reopenError }, 'reopening the database connection failed');
        return 'failing';
      }
    }
  }
}
