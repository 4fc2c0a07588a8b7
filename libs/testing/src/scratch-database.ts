import mongoose, { type Connection } from 'mongoose';
import { testInfra } from './infra';

export interface ScratchDatabase {
  connection: Connection;
  /** Drops the database (when the server still answers) and closes the connection. */
  close(): Promise<void>;
}

/** A database of the test's own, named after `label`, on the real Mongo-compatible server. */
export async function openScratchDatabase(label: string): Promise<ScratchDatabase> {
  const connection = await mongoose.createConnection(testInfra().mongoUri(label)).asPromise();
  return {
    connection,
    async close() {
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
}
