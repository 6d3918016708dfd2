// Applies prisma/migrations/*/migration.sql at application start, without the Prisma CLI.
// Bookkeeping uses Prisma's own `_prisma_migrations` table (same columns, sha256 checksum of the
// file), so `prisma migrate status|deploy` and this runner agree about what is applied.
import { randomUUID } from 'node:crypto';
import { sha256Hex } from '@accrete/primitives';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MigrationFile {
  /** Directory name, e.g. `20261128015215_init`; also the order key. */
  name: string;
  sql: string;
  /** sha256 (hex) of migration.sql, as Prisma computes it. */
  checksum: string;
}

/** What the runner needs from a database connection (PGlite or one pg session). */
export interface MigrationTarget {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `fn` in one transaction: everything it did is rolled back if it throws. */
  transaction(fn: (tx: MigrationTx) => Promise<void>): Promise<void>;
  /** Runs `fn` while holding the database-wide migration lock (no-op where there is one client). */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
}

export interface MigrationTx {
  /** Runs a multi-statement script as is. */
  exec(script: string): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export class MigrationError extends Error {
  readonly code = 'DB_MIGRATION';
  constructor(
    message: string,
    readonly migrationName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** Same DDL as Prisma's schema engine creates for PostgreSQL. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Finds `prisma/migrations` walking up from this file, then from the working directory. */
export function defaultMigrationsDir(): string {
  const starts = [dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, 'prisma', 'migrations');
      if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(
    `Cannot find the prisma/migrations directory above ${starts.join(' or ')}; pass migrationsDir explicitly`,
  );
}

/** The migrations of a directory, in name order (Prisma's order). */
export function readMigrations(migrationsDir: string): MigrationFile[] {
  if (!existsSync(migrationsDir)) throw new Error(`Migrations directory not found: ${migrationsDir}`);
  const names = readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort((a, b) => a.localeCompare(b));
  return names.map((name) => {
    const file = join(migrationsDir, name, 'migration.sql');
    if (!existsSync(file)) throw new Error(`Migration ${name} has no migration.sql (${file})`);
    const bytes = readFileSync(file);
    return { name, sql: bytes.toString('utf8'), checksum: sha256Hex(bytes) };
  });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

export interface MigrateResult {
  applied: string[];
}

/**
 * Applies the pending migrations of `migrationsDir`, each in its own transaction together with its
 * `_prisma_migrations` row. Throws a MigrationError (and leaves that migration entirely unapplied)
 * when a script fails, when an applied migration's file changed, or when the database holds a
 * migration this build does not know.
 */
export async function applyMigrations(target: MigrationTarget, migrationsDir: string): Promise<MigrateResult> {
  const migrations = readMigrations(migrationsDir);
  return target.withLock(async () => {
    await target.query(CREATE_MIGRATIONS_TABLE);
    // Read under the lock: a concurrent starter may just have applied some.
    const rows = await target.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL ORDER BY started_at`,
    );
    const applied = new Map<string, AppliedRow>();
    for (const row of rows) {
      if (row.finished_at == null) {
        throw new MigrationError(
          `Migration ${row.migration_name} is recorded as started but not finished (a failed \`prisma migrate deploy\`?). ` +
            `Fix the database, then mark it with \`prisma migrate resolve --applied|--rolled-back ${row.migration_name}\`.`,
          row.migration_name,
        );
      }
      applied.set(row.migration_name, row);
    }
    const local = new Set(migrations.map((m) => m.name));
    const unknown = [...applied.keys()].filter((name) => !local.has(name));
    if (unknown.length > 0) {
      throw new MigrationError(
        `The database has migration(s) this build does not know: ${unknown.join(', ')} (migrations dir: ${migrationsDir}). ` +
          'Is an older version of the application running against a newer database?',
        unknown[0]!,
      );
    }
    for (const m of migrations) {
      const row = applied.get(m.name);
      if (row && row.checksum !== m.checksum) {
        throw new MigrationError(
          `Migration ${m.name} was modified after it was applied: checksum in database ${row.checksum}, ` +
            `file ${join(migrationsDir, m.name, 'migration.sql')} has ${m.checksum}. ` +
            'Restore the original file and put the change in a new migration.',
          m.name,
        );
      }
    }

    const done: string[] = [];
    for (const m of migrations) {
      if (applied.has(m.name)) continue;
      try {
        await target.transaction(async (tx) => {
          await tx.exec(m.sql);
          await tx.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
             VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
            [randomUUID(), m.checksum, m.name],
          );
        });
      } catch (error) {
        throw new MigrationError(
          `Migration ${m.name} failed and was rolled back (the database is as before it): ${describeSqlError(error, m.sql)}`,
          m.name,
          { cause: error },
        );
      }
      done.push(m.name);
    }
    return { applied: done };
  });
}

/** "message (SQLSTATE xxxxx) at line N: <that line>" from a pg or PGlite error. */
function describeSqlError(error: unknown, sql: string): string {
  const e = error as { message?: string; code?: string; position?: string | number; detail?: string };
  let text = e?.message ?? String(error);
  if (e?.code) text += ` (SQLSTATE ${e.code})`;
  const position = Number(e?.position);
  if (Number.isInteger(position) && position > 0) {
    const before = sql.slice(0, position - 1);
    const line = before.split('\n').length;
    text += ` at line ${line}: ${sql.split('\n')[line - 1]?.trim()}`;
  }
  if (e?.detail) text += ` — ${e.detail}`;
  return text;
}
