// Opens the registry database: embedded PGlite by default, PostgreSQL when a URL is given.
// Both are migrated at open (see migrations.ts) and wrapped in a PrismaClient via driver adapters.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from './generated/prisma/client.js';
import { applyMigrations, defaultMigrationsDir, MigrationError, type MigrateResult } from './migrations.js';
import { pgClientTarget, pgliteTarget } from './targets.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { yieldingPGlite } from './pglite-turns.js';

export interface OpenDatabaseOptions {
  /** postgresql://… → PostgreSQL; absent → embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data directory (created if missing), or 'memory://' for an in-memory database. */
  dataDir?: string;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** Directory holding <name>/migration.sql folders (default: the repo's prisma/migrations). */
  migrationsDir?: string;
  /** Max connections of the PostgreSQL pool (default 10). */
  poolSize?: number;
  /** Who opens a PGlite directory, as told to another process that finds it locked (default "accrete"). */
  program?: string;
}

export interface DbHandle {
  prisma: PrismaClient;
  kind: 'pglite' | 'postgres';
  /** The PostgreSQL URL (postgres only). */
  url?: string;
  /** The PGlite data directory (pglite only). */
  dataDir?: string;
  /** Migrations applied by this open (empty when the database was up to date or migrate=false). */
  appliedMigrations: string[];
  /** The lock of an on-disk PGlite directory: other processes of the same user can send it requests. */
  lock?: DataDirLock;
  close(): Promise<void>;
}

export const MEMORY_DATA_DIR = 'memory://';

/** PostgreSQL did not accept a connection at open (down, wrong URL or credentials): the message says which. */
export class DatabaseUnreachableError extends Error {
  readonly code = 'DB_UNREACHABLE';
}

/** An open that failed for the operator to fix (database down or missing, a migration this build does not know):
 *  the processes print its message alone, without a stack trace. */
export function isDatabaseSetupError(e: unknown): e is DatabaseUnreachableError | MigrationError {
  return e instanceof DatabaseUnreachableError || e instanceof MigrationError;
}

export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<DbHandle> {
  const migrate = opts.migrate ?? true;
  const migrationsDir = migrate ? (opts.migrationsDir ?? defaultMigrationsDir()) : undefined;
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, migrationsDir, opts.poolSize ?? 10);
  if (!opts.dataDir) throw new Error('openDatabase: give either databaseUrl (PostgreSQL) or dataDir (PGlite)');
  return openPglite(opts.dataDir, migrationsDir, undefined, opts.program);
}

/** @internal `loadDataDir`: a PGlite data-dir dump to start from (test templates). */
export async function openPglite(
  dataDir: string,
  migrationsDir: string | undefined,
  loadDataDir?: Blob,
  program = 'accrete',
): Promise<DbHandle> {
  const inMemory = dataDir === MEMORY_DATA_DIR || dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  // before PGlite reads the directory: a second opener would work on a copy whose writes are lost
  const lock = inMemory ? undefined : await lockDataDir(dataDir, program);
  let db: PGlite;
  try {
    // Postgres' default 128 MB of shared buffers is most of PGlite's footprint in the API process; the registry's
    // working set is a few MB and PGlite reads through the OS page cache, so 16 MB loses nothing measurable.
    db = await PGlite.create({
      dataDir: inMemory ? undefined : dataDir,
      loadDataDir,
      postgresqlconf: ['shared_buffers=16MB'],
    });
  } catch (error) {
    await lock?.release();
    throw new Error(`Cannot open the PGlite database in ${dataDir}: ${(error as Error).message}`, { cause: error });
  }
  let result: MigrateResult = { applied: [] };
  try {
    if (migrationsDir) result = await applyMigrations(pgliteTarget(db), migrationsDir);
  } catch (error) {
    await db.close().catch(() => undefined);
    await lock?.release();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(yieldingPGlite(db)) });
  return {
    prisma,
    kind: 'pglite',
    dataDir: inMemory ? MEMORY_DATA_DIR : dataDir,
    appliedMigrations: result.applied,
    lock,
    close: once(async () => {
      await prisma.$disconnect();
      await db.close();
      await lock?.release();
    }),
  };
}

async function openPostgres(url: string, migrationsDir: string | undefined, poolSize: number): Promise<DbHandle> {
  let result: MigrateResult = { applied: [] };
  if (migrationsDir) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
    } catch (error) {
      throw new DatabaseUnreachableError(
        `Cannot connect to PostgreSQL at ${redact(url)}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    try {
      result = await applyMigrations(pgClientTarget(client), migrationsDir);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    kind: 'postgres',
    url,
    appliedMigrations: result.applied,
    close: once(async () => {
      await prisma.$disconnect();
      await pool.end();
    }),
  };
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid URL>';
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}
