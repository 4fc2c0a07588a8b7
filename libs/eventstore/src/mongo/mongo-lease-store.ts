import { type Connection, type Model, Schema } from 'mongoose';
import type { LeaseStore } from '../lease.port';

interface LeaseDocument {
  _id: string;
  owner: string;
  expiresAt: Date;
}

const leaseSchema = new Schema<LeaseDocument>(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);

/** Leases as documents: taken with one conditional upsert, so two owners never hold one at once. */
export class MongoLeaseStore implements LeaseStore {
  private readonly leases: Model<LeaseDocument>;

  constructor(
    connection: Connection,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.leases =
      (connection.models.leases as Model<LeaseDocument> | undefined) ??
      connection.model<LeaseDocument>('leases', leaseSchema, 'leases');
  }

  async tryAcquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.clock();
    try {
      const lease = await this.leases
        .findOneAndUpdate(
          { _id: name, $or: [{ owner }, { expiresAt: { $lt: now } }] },
          { $set: { owner, expiresAt: new Date(now.getTime() + ttlMs) } },
          { upsert: true, returnDocument: 'after', lean: true },
        )
        .exec();
      return lease?.owner === owner;
    } catch (error) {
      // Another owner holds a live lease: the upsert collided with its document.
      if ((error as { code?: unknown }).code === 11000) return false;
      throw error;
    }
  }

  async release(name: string, owner: string): Promise<void> {
    await this.leases.deleteOne({ _id: name, owner }).exec();
  }
}
