// Fresh, migrated databases for tests: PGlite in memory by default, or a new PostgreSQL database
// (dropped again by close()) when ACCRETE_TEST_DB=postgres.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { MEMORY_DATA_DIR, openDatabase, openPglite, redact, type DbHandle } from './database.js';
import { applyMigrations, defaultMigrationsDir, readMigrations } from './migrations.js';
import { pgliteTarget } from './targets.js';

export const DEFAULT_TEST_PG_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabaseOptions {
  migrationsDir?: string;
  migrate?: boolean;
}

export function testDbKind(): 'pglite' | 'postgres' {
  const v = process.env.ACCRETE_TEST_DB;
  if (!v || v === 'pglite') return 'pglite';
  if (v === 'postgres' || v === 'postgresql') return 'postgres';
  throw new Error(`ACCRETE_TEST_DB must be "pglite" or "postgres", got "${v}"`);
}

/** node:test's `skip` for tests that need PostgreSQL (pg-boss): the reason under PGlite, false under PostgreSQL. */
export function skipUnlessPostgres(): string | false {
  return testDbKind() === 'postgres' ? false : 'needs ACCRETE_TEST_DB=postgres';
}

/** An empty PostgreSQL database for one test; drop() removes it (even with open connections). */
export async function createScratchPgDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const base = process.env.ACCRETE_TEST_PG_URL || DEFAULT_TEST_PG_URL;
  const name = `accrete_test_${process.pid}_${randomBytes(5).toString('hex')}`;
  await adminQuery(base, `CREATE DATABASE "${name}"`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: () => adminQuery(base, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

export async function createTestDatabase(opts: TestDatabaseOptions = {}): Promise<DbHandle> {
  if (testDbKind() === 'pglite') {
    if (opts.migrate === false) return openDatabase({ dataDir: MEMORY_DATA_DIR, migrate: false });
    const migrationsDir = opts.migrationsDir ?? defaultMigrationsDir();
    // The migration runner still runs (and finds nothing to do): the template is only a shortcut.
    return openPglite(MEMORY_DATA_DIR, migrationsDir, await migratedPgliteTemplate(migrationsDir));
  }
  const scratch = await createScratchPgDatabase();
  let handle: DbHandle;
  try {
    handle = await openDatabase({
      databaseUrl: scratch.url,
      migrate: opts.migrate,
      migrationsDir: opts.migrationsDir,
      poolSize: 5,
    });
  } catch (error) {
    await scratch.drop().catch(() => undefined);
    throw error;
  }
  const closeDb = handle.close;
  let closing: Promise<void> | undefined;
  return {
    ...handle,
    close: () =>
      (closing ??= (async () => {
        try {
          await closeDb();
        } finally {
          await scratch.drop();
        }
      })()),
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `ACCRETE_TEST_DB=postgres but cannot connect to ${redact(url)} (set ACCRETE_TEST_PG_URL): ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// PGlite's initdb takes ~8 s (more on a busy 2-core box) while loading a data-dir dump takes ~1.5 s,
// and node --test runs each file in its own process: so the migrated empty database is dumped once
// per (PGlite version, migrations) into the temp dir and every test database starts from it.
const templates = new Map<string, Promise<Blob>>();

function migratedPgliteTemplate(migrationsDir: string): Promise<Blob> {
  const hash = createHash('sha256').update(`pglite ${pgliteVersion()}\n`);
  for (const m of readMigrations(migrationsDir)) hash.update(`${m.name} ${m.checksum}\n`);
  const key = hash.digest('hex').slice(0, 24);
  let template = templates.get(key);
  if (!template) {
    template = buildTemplate(migrationsDir, join(tmpdir(), `accrete-pglite-template-${key}.tar`));
    templates.set(key, template);
    template.catch(() => templates.delete(key));
  }
  return template;
}

/** The installed PGlite version (its package.json is not in its exports map, so found by path). */
function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const { name, version } = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (name === '@electric-sql/pglite' && version) return version;
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

async function buildTemplate(migrationsDir: string, file: string): Promise<Blob> {
  if (existsSync(file)) {
    try {
      return new Blob([readFileSync(file)]);
    } catch {
      // unreadable: rebuild below
    }
  }
  const db = await PGlite.create();
  try {
    await applyMigrations(pgliteTarget(db), migrationsDir);
    const dump = await db.dumpDataDir('none');
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file); // atomic: concurrent test processes never read a half-written template
    return dump;
  } finally {
    await db.close();
  }
}
