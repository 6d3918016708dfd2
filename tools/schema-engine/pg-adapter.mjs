// A migration-aware driver adapter factory for the wasm schema engine, built on @prisma/adapter-pg
// with the two fixes Prisma 7.10's adapter needs for migrations:
//  - executeScript splits on ';' (breaks function bodies and string literals): we send the whole
//    script in one simple-protocol query instead, which PostgreSQL runs statement by statement.
//  - connectToShadowDb builds its pool with {...config, database}, but a connectionString wins over
//    `database`, so the "shadow" pool talks to the main database. We create, connect to and drop
//    the shadow database ourselves.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';

/** The URL with its database name replaced. */
export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}

// Catalog types the schema describer reads (pg_constraint.contype is "char", pg_index.indkey is
// int2vector…) that adapter-pg 7.10 rejects as UnsupportedNativeDataType. Their text form is what
// the engine expects, so we report them as TEXT.
const CATALOG_TEXT_OIDS = new Set([18, 22, 24, 30, 194, 1033, 2205, 2206, 3734, 3769]);
let queryablePatched = false;

function patchCatalogTypes(adapter) {
  if (queryablePatched) return;
  // PgQueryable.prototype: shared by adapter-pg's connections and transactions (not exported).
  const proto = Object.getPrototypeOf(Object.getPrototypeOf(adapter));
  const performIO = proto.performIO;
  if (typeof performIO !== 'function') throw new Error('schema-engine: unexpected @prisma/adapter-pg internals');
  proto.performIO = async function (query) {
    const result = await performIO.call(this, query);
    for (const field of result?.fields ?? []) {
      if (CATALOG_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = 25;
    }
    return result;
  };
  queryablePatched = true;
}

/** Replace adapter-pg's splitting executeScript with one that sends the script whole. */
function fixExecuteScript(adapter) {
  patchCatalogTypes(adapter);
  const pool = adapter.underlyingDriver();
  adapter.executeScript = async (script) => {
    try {
      await pool.query(script); // no parameters → simple query protocol: multi-statement scripts OK
    } catch (error) {
      adapter.onError(error); // converts to a DriverAdapterError the engine understands
    }
  };
  return adapter;
}

const quoteIdent = (name) => '"' + name.replace(/"/g, '""') + '"';

export class MigrationPgAdapterFactory {
  provider = 'postgres';
  adapterName = '@prisma/adapter-pg';

  /** @param {{ url: string, shadowDatabaseUrl?: string }} datasource */
  constructor(datasource) {
    if (!datasource?.url) throw new Error('schema-engine: datasource.url is required');
    this.url = datasource.url;
    this.shadowDatabaseUrl = datasource.shadowDatabaseUrl;
  }

  async connect() {
    return fixExecuteScript(await new PrismaPg({ connectionString: this.url, max: 2 }).connect());
  }

  async connectToShadowDb() {
    if (this.shadowDatabaseUrl) {
      // A user-provided shadow database is used as given (the engine resets it itself).
      return fixExecuteScript(await new PrismaPg({ connectionString: this.shadowDatabaseUrl, max: 2 }).connect());
    }
    const name = `prisma_shadow_${randomUUID().replace(/-/g, '')}`;
    await adminQuery(this.url, `CREATE DATABASE ${quoteIdent(name)}`);
    let adapter;
    try {
      adapter = fixExecuteScript(
        await new PrismaPg({ connectionString: withDatabase(this.url, name), max: 2 }).connect(),
      );
    } catch (error) {
      await adminQuery(this.url, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      throw error;
    }
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      try {
        await dispose();
      } finally {
        await adminQuery(this.url, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      }
    };
    return adapter;
  }
}

/** Runs one statement on a short-lived connection to `url` (or, failing that, to its `postgres` db). */
export async function adminQuery(url, sql) {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    if (error?.code !== '3D000') throw error; // 3D000: database does not exist
    const fallback = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
    await fallback.connect();
    try {
      return await fallback.query(sql);
    } finally {
      await fallback.end();
    }
  }
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}
