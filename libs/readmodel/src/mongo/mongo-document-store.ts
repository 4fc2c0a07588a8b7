import type { Connection, Model, Schema } from 'mongoose';
import {
  type Document,
  type DocumentCollection,
  type DocumentStore,
  DuplicateKeyError,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type Update,
} from '../document-store.port';

function isDuplicateKey(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000
  );
}

/** Read-model documents are shaped by their projections, so the schema only fixes the id. */
function readModelSchema(connection: Connection, indexes: readonly IndexSpec[]): Schema {
  // The connection's own mongoose: this module does not load mongoose itself.
  const schema = new connection.base.Schema(
    { _id: { type: String, required: true } },
    { strict: false, versionKey: false, minimize: false, autoIndex: false },
  );
  for (const index of indexes) schema.index(index.keys, index.unique ? { unique: true } : {});
  return schema;
}

class MongoCollection<T extends Document> implements DocumentCollection<T> {
  constructor(
    readonly name: string,
    private readonly model: Model<T>,
  ) {}

  async findOne(filter: Filter): Promise<T | null> {
    return (await this.model.findOne(filter).lean<T>().exec()) ?? null;
  }

  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  find<K extends keyof T & string>(
    filter: Filter,
    options: FindOptions & { fields: readonly K[] },
  ): Promise<Pick<T, K | '_id'>[]>;
  async find(
    filter: Filter,
    options: FindOptions & { fields?: readonly string[] } = {},
  ): Promise<T[]> {
    let query = this.model.find(filter);
    if (options.fields) query = query.select(Object.fromEntries(options.fields.map((f) => [f, 1])));
    if (options.sort) query = query.sort(options.sort);
    if (options.skip) query = query.skip(options.skip);
    if (options.limit) query = query.limit(options.limit);
    return query.lean<T[]>().exec();
  }

  async count(filter: Filter): Promise<number> {
    return this.model.countDocuments(filter).exec();
  }

  async insertOne(doc: T): Promise<void> {
    await this.write(() => this.model.collection.insertOne(doc as never));
  }

  async replaceOne(filter: Filter, doc: T, options: { upsert?: boolean } = {}): Promise<number> {
    const result = await this.write(() =>
      this.model.collection.replaceOne(filter, doc, { upsert: options.upsert ?? false }),
    );
    return result.matchedCount;
  }

  async updateOne(
    filter: Filter,
    update: Update,
    options: { upsert?: boolean } = {},
  ): Promise<number> {
    const result = await this.write(() =>
      this.model.collection.updateOne(filter, update as never, {
        upsert: options.upsert ?? false,
      }),
    );
    return result.matchedCount;
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    const result = await this.model.collection.updateMany(filter, update as never);
    return result.matchedCount;
  }

  async deleteMany(filter: Filter): Promise<number> {
    const result = await this.model.collection.deleteMany(filter);
    return result.deletedCount;
  }

  /** A write whose unique-index collision reaches the caller as the port's DuplicateKeyError. */
  private async write<R>(change: () => Promise<R>): Promise<R> {
    try {
      return await change();
    } catch (error) {
      if (isDuplicateKey(error))
        throw new DuplicateKeyError(this.name, String((error as Error).message));
      throw error;
    }
  }
}

/** Read models in MongoDB (or FerretDB) through mongoose. */
export class MongoDocumentStore implements DocumentStore {
  readonly volatile = false;

  constructor(private readonly connection: Connection) {}

  collection<T extends Document>(
    name: string,
    indexes: readonly IndexSpec[] = [],
  ): DocumentCollection<T> {
    return new MongoCollection<T>(name, this.model<T>(name, indexes));
  }

  async ensureIndexes(name: string, indexes: readonly IndexSpec[]): Promise<void> {
    await this.model(name, indexes).createIndexes();
  }

  async dropCollection(name: string): Promise<void> {
    await this.connection.dropCollection(name).catch((error: unknown) => {
      if ((error as { codeName?: string }).codeName !== 'NamespaceNotFound') throw error;
    });
  }

  async listCollections(): Promise<string[]> {
    const db = this.connection.db;
    if (!db) return [];
    return (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  }

  private model<T extends Document>(name: string, indexes: readonly IndexSpec[]): Model<T> {
    const existing = this.connection.models[name] as Model<T> | undefined;
    return (
      existing ??
      this.connection.model<T>(
        name,
        readModelSchema(this.connection, indexes) as unknown as Schema<T>,
        name,
      )
    );
  }
}
