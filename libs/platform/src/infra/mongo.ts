import mongoose, { type Connection } from 'mongoose';
import type { ReadinessCheck } from '../health/readiness.service';

export async function connectMongo(uri: string): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: 5000,
    // FerretDB and single-node setups: writes are acknowledged by the primary.
    retryWrites: false,
    autoIndex: false,
  });
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
