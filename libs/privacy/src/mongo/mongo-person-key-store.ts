import { randomBytes } from 'node:crypto';
import type { Connection, Model, Schema } from 'mongoose';
import { type PersonRef, personDigest } from '../person';
import {
  assertPeriod,
  KEY_BYTES,
  type PersonKey,
  PersonKeyConflictError,
  type PersonKeyEntry,
  type PersonKeyStore,
  type StoredKeyInfo,
  type TransferablePersonKeys,
} from '../person-key-store.port';

interface KeyDocument {
  /** The person's digest and the period: one document, so one key, per person and period. */
  _id: string;
  keyId: string;
  person: string;
  period: string | null;
  key: string;
  createdAt: Date;
}

/** Made with the connection's own mongoose: this module does not load mongoose itself. */
function keySchema(connection: Connection): Schema<KeyDocument> {
  const schema = new connection.base.Schema<KeyDocument>(
    {
      _id: { type: String, required: true },
      keyId: { type: String, required: true },
      person: { type: String, required: true },
      period: { type: String, default: null },
      key: { type: String, required: true },
      createdAt: { type: Date, required: true },
    },
    { versionKey: false, autoIndex: false },
  );
  schema.index({ keyId: 1 }, { unique: true });
  schema.index({ person: 1 });
  schema.index({ period: 1 });
  return schema;
}

const COLLECTION = 'person_keys';

function isDuplicateKey(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000
  );
}

function toKey(doc: Pick<KeyDocument, 'keyId' | 'key'>): PersonKey {
  return { keyId: doc.keyId, material: Buffer.from(doc.key, 'base64') };
}

/**
 * Person keys as documents of their own collection, apart from the event store's. A key is
 * made by one upsert keyed by person and period, so replicas racing for a new person agree on
 * one key; destroying deletes the documents.
 */
export class MongoPersonKeyStore implements PersonKeyStore, TransferablePersonKeys {
  private readonly keys: Model<KeyDocument>;

  constructor(connection: Connection) {
    this.keys =
      (connection.models[COLLECTION] as Model<KeyDocument> | undefined) ??
      connection.model<KeyDocument>(COLLECTION, keySchema(connection), COLLECTION);
  }

  async init(): Promise<void> {
    await this.keys.createIndexes();
  }

  async keyFor(person: PersonRef, period?: string): Promise<PersonKey> {
    if (period !== undefined) assertPeriod(period);
    const digest = personDigest(person);
    const _id = `${digest}/${period ?? ''}`;
    const fresh = {
      keyId: randomBytes(16).toString('base64url'),
      person: digest,
      period: period ?? null,
      key: randomBytes(KEY_BYTES).toString('base64'),
      createdAt: new Date(),
    };
    for (let attempt = 1; ; attempt += 1) {
      try {
        const doc = await this.keys
          .findOneAndUpdate(
            { _id },
            { $setOnInsert: fresh },
            { upsert: true, returnDocument: 'after', lean: true },
          )
          .exec();
        if (doc) return toKey(doc);
      } catch (error) {
        // Two upserts of a new person collided: the other one's key is there now.
        if (!isDuplicateKey(error) || attempt >= 3) throw error;
      }
      const existing = await this.keys.findOne({ _id }).lean().exec();
      if (existing) return toKey(existing);
      // Destroyed between the collision and the read: make it again.
      if (attempt >= 3) throw new Error('The person key could neither be made nor read');
    }
  }

  async find(keyId: string): Promise<PersonKey | undefined> {
    const doc = await this.keys.findOne({ keyId }, { keyId: 1, key: 1 }).lean().exec();
    return doc ? toKey(doc) : undefined;
  }

  async destroy(person: PersonRef): Promise<number> {
    const result = await this.keys.deleteMany({ person: personDigest(person) }).exec();
    return result.deletedCount;
  }

  async destroyPeriodsBefore(period: string): Promise<number> {
    assertPeriod(period);
    const result = await this.keys.deleteMany({ period: { $ne: null, $lt: period } }).exec();
    return result.deletedCount;
  }

  async list(): Promise<StoredKeyInfo[]> {
    const docs = await this.keys.find({}, { keyId: 1, person: 1, period: 1 }).lean().exec();
    return docs.map((doc) => ({ keyId: doc.keyId, person: doc.person, period: doc.period }));
  }

  async allKeys(): Promise<PersonKeyEntry[]> {
    const docs = await this.keys.find({}).lean().exec();
    return docs.map((doc) => ({
      info: { keyId: doc.keyId, person: doc.person, period: doc.period },
      key: toKey(doc),
    }));
  }

  async adopt(entry: PersonKeyEntry): Promise<'added' | 'present'> {
    const { info, key } = entry;
    if (key.material.length !== KEY_BYTES) throw new Error('A person key has 32 bytes');
    const _id = `${info.person}/${info.period ?? ''}`;
    const material = key.material.toString('base64');
    try {
      await this.keys.create({
        _id,
        keyId: info.keyId,
        person: info.person,
        period: info.period,
        key: material,
        createdAt: new Date(),
      });
      return 'added';
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const held = await this.keys.findOne({ _id }).lean().exec();
    if (held?.keyId === info.keyId && held.key === material) return 'present';
    throw new PersonKeyConflictError(info.keyId);
  }
}
