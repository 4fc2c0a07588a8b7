import type { Connection, Model, Schema } from 'mongoose';
import type { LeaseStore } from '../lease.port';

/** One term of a lease: who held it, until when. A new owner starts the next term. */
interface LeaseTermDocument {
  /** The lease's name and its term, numbered so that the latest term sorts last. */
  _id: string;
  name: string;
  term: number;
  owner: string;
  expiresAt: Date;
}

/** Made with the connection's own mongoose: this module does not load mongoose itself. */
const leaseTermSchema = (connection: Connection): Schema<LeaseTermDocument> =>
  new connection.base.Schema<LeaseTermDocument>(
    {
      _id: { type: String, required: true },
      name: { type: String, required: true },
      term: { type: Number, required: true },
      owner: { type: String, required: true },
      expiresAt: { type: Date, required: true },
    },
    { versionKey: false },
  );

const TERM_DIGITS = 12;
/** How far from expiry a released term must be to be removed (clocks of two replicas differ). */
const RELEASE_MARGIN_MS = 1_000;

function termId(name: string, term: number): string {
  return `${name}#${String(term).padStart(TERM_DIGITS, '0')}`;
}

/**
 * Leases as documents, one per term. Only an insert decides who takes a lease that is free or
 * has expired: two owners inserting the same next term collide on its id, and one wins. (A
 * conditional update is not enough on every Mongo-compatible server: on FerretDB, owners racing
 * for an expired lease each updated it and each read themselves back as its holder.) An owner
 * renews its own term, which no one else writes, well before it expires.
 */
export class MongoLeaseStore implements LeaseStore {
  private readonly terms: Model<LeaseTermDocument>;
  /** The term this store took, by lease and owner: renewed in one write. */
  private readonly held = new Map<string, string>();

  constructor(
    connection: Connection,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.terms =
      (connection.models.lease_terms as Model<LeaseTermDocument> | undefined) ??
      connection.model<LeaseTermDocument>(
        'lease_terms',
        leaseTermSchema(connection),
        'lease_terms',
      );
  }

  async tryAcquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + ttlMs);
    const key = heldKey(name, owner);
    const held = this.held.get(key);
    if (held !== undefined) {
      const renewed = await this.terms
        .updateOne({ _id: held, owner, expiresAt: { $gte: now } }, { $set: { expiresAt } })
        .exec();
      if (renewed.matchedCount === 1) return true;
      // Expired before it was renewed: taken again like any free lease, under a new term.
      this.held.delete(key);
    }
    const latest = await this.latestTerm(name);
    if (latest && latest.expiresAt.getTime() >= now.getTime()) {
      if (latest.owner !== owner) return false;
      await this.terms.updateOne({ _id: latest._id, owner }, { $set: { expiresAt } }).exec();
      this.held.set(key, latest._id);
      return true;
    }
    const term = (latest?.term ?? 0) + 1;
    const id = termId(name, term);
    try {
      await this.terms.create({ _id: id, name, term, owner, expiresAt });
    } catch (error) {
      // Another owner started this term first.
      if ((error as { code?: unknown }).code === 11000) return false;
      throw error;
    }
    this.held.set(key, id);
    // Terms before the one just taken are over: only the latest is ever read.
    if (term > 1) await this.terms.deleteMany({ _id: { $gte: termId(name, 0), $lt: id } }).exec();
    return true;
  }

  async release(name: string, owner: string): Promise<void> {
    const key = heldKey(name, owner);
    const held = this.held.get(key) ?? (await this.latestTerm(name))?._id;
    this.held.delete(key);
    if (held === undefined) return;
    // A live term is removed: whoever looks at the lease meanwhile finds it held, or free with
    // no term, and the first term is taken by one insert again. One that lapsed may be
    // counted as expired by an owner taking the next term right now: it stays, expired, so
    // that no one starts over at the first term beside it.
    const removed = await this.terms
      .deleteOne({
        _id: held,
        owner,
        expiresAt: { $gt: new Date(this.clock().getTime() + RELEASE_MARGIN_MS) },
      })
      .exec();
    if (removed.deletedCount === 1) return;
    await this.terms.updateOne({ _id: held, owner }, { $set: { expiresAt: new Date(0) } }).exec();
  }

  private async latestTerm(name: string): Promise<LeaseTermDocument | null> {
    return this.terms
      .findOne({ _id: { $gte: termId(name, 0), $lte: termId(name, 10 ** TERM_DIGITS - 1) } })
      .sort({ _id: -1 })
      .lean<LeaseTermDocument>()
      .exec();
  }
}

function heldKey(name: string, owner: string): string {
  return `${name}\n${owner}`;
}
