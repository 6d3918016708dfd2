// The start-up migration runner, on PGlite by default and on PostgreSQL with ACCRETE_TEST_DB=postgres.
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openDatabase, type DbHandle, type OpenDatabaseOptions } from './database.js';
import { defaultMigrationsDir, MigrationError, readMigrations } from './migrations.js';
import { createScratchPgDatabase, createTestDatabase, testDbKind } from './test-database.js';

const kind = testDbKind();
const scratchDirs: string[] = [];
const drops: Array<() => Promise<void>> = [];
after(async () => {
  for (const drop of drops) await drop().catch(() => undefined);
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `accrete-db-${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}

/** Where a fresh, never-migrated database lives: a PGlite directory or a new PostgreSQL database. */
async function freshTarget(): Promise<Pick<OpenDatabaseOptions, 'dataDir' | 'databaseUrl'>> {
  if (kind === 'pglite') return { dataDir: join(tempDir('data'), 'pgdata') };
  const scratch = await createScratchPgDatabase();
  drops.push(scratch.drop);
  return { databaseUrl: scratch.url };
}

/** A copy of the repo's migrations that a test may break or edit. */
function copyOfMigrations(): string {
  const dir = join(tempDir('migrations'), 'migrations');
  cpSync(defaultMigrationsDir(), dir, { recursive: true });
  return dir;
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

const migrationRows = (db: DbHandle) =>
  db.prisma.$queryRawUnsafe<MigrationRow[]>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
  );

const tableExists = async (db: DbHandle, table: string) => {
  const [row] = await db.prisma.$queryRawUnsafe<Array<{ t: string | null }>>(
    `SELECT to_regclass($1)::text AS t`,
    `"${table}"`,
  );
  return row?.t != null;
};

describe(`migration runner (${kind})`, () => {
  test('applies every migration once, records it like Prisma; reopening applies nothing and keeps data', async () => {
    const target = await freshTarget();
    const expected = readMigrations(defaultMigrationsDir());
    assert.ok(expected.length >= 1);

    const first = await openDatabase(target);
    try {
      assert.equal(first.kind, kind);
      assert.deepEqual(
        first.appliedMigrations,
        expected.map((m) => m.name),
      );
      const rows = await migrationRows(first);
      assert.deepEqual(
        rows.map((r) => [
          r.migration_name,
          r.checksum,
          r.finished_at instanceof Date,
          r.rolled_back_at,
          r.applied_steps_count,
        ]),
        expected.map((m) => [m.name, m.checksum, true, null, 1]),
      );
      await first.prisma.backbone.create({
        data: {
          name: 'mobilenet',
          source: 'dir',
          inputSize: 224,
          bottleneckDim: 768,
          bottleneckLayer: 'b',
          headLayer: 'h',
          sha256: 'x',
        },
      });
    } finally {
      await first.close();
    }

    const second = await openDatabase(target);
    try {
      assert.deepEqual(second.appliedMigrations, []);
      assert.equal((await migrationRows(second)).length, expected.length);
      const backbones = await second.prisma.backbone.findMany();
      assert.deepEqual(
        backbones.map((b) => b.name),
        ['mobilenet'],
      );
    } finally {
      await second.close();
    }
  });

  test('a failing migration is rolled back entirely and reported by name with the SQL error', async () => {
    const target = await freshTarget();
    const dir = copyOfMigrations();
    const good = readMigrations(dir).map((m) => m.name);
    const broken = '99990101000000_broken';
    mkdirSync(join(dir, broken));
    writeFileSync(
      join(dir, broken, 'migration.sql'),
      `CREATE TABLE "Partial" ("id" INTEGER PRIMARY KEY);\nINSERT INTO "Partial" VALUES (1);\nUPDATE "Backbone" SET "name" = 'x';\nSELECT * FROM "no_such_table";\n`,
    );

    await assert.rejects(openDatabase({ ...target, migrationsDir: dir }), (error: unknown) => {
      assert.ok(error instanceof MigrationError);
      assert.equal(error.migrationName, broken);
      assert.match(error.message, new RegExp(`Migration ${broken} failed and was rolled back`));
      assert.match(error.message, /relation "no_such_table" does not exist/);
      assert.match(error.message, /at line 4/);
      return true;
    });

    // The earlier migrations committed on their own; nothing of the broken one is left.
    const db = await openDatabase({ ...target, migrate: false });
    try {
      assert.deepEqual(
        (await migrationRows(db)).map((r) => r.migration_name),
        good,
      );
      assert.equal(await tableExists(db, 'Partial'), false);
      assert.equal(await tableExists(db, 'Backbone'), true);
    } finally {
      await db.close();
    }

    // Once fixed, the next start applies just that migration.
    writeFileSync(join(dir, broken, 'migration.sql'), `CREATE TABLE "Partial" ("id" INTEGER PRIMARY KEY);\n`);
    const fixed = await openDatabase({ ...target, migrationsDir: dir });
    try {
      assert.deepEqual(fixed.appliedMigrations, [broken]);
      assert.equal(await tableExists(fixed, 'Partial'), true);
    } finally {
      await fixed.close();
    }
  });

  test('an applied migration whose file changed, or one the build does not know, stops the start', async () => {
    const target = await freshTarget();
    const dir = copyOfMigrations();
    const extra = '99990101000000_extra';
    mkdirSync(join(dir, extra));
    writeFileSync(join(dir, extra, 'migration.sql'), `CREATE TABLE "Extra" ("id" INTEGER);\n`);
    await (await openDatabase({ ...target, migrationsDir: dir })).close();

    const [first] = readMigrations(dir);
    appendFileSync(join(dir, first!.name, 'migration.sql'), '\n-- edited after the fact\n');
    await assert.rejects(
      openDatabase({ ...target, migrationsDir: dir }),
      new RegExp(`Migration ${first!.name} was modified after it was applied`),
    );

    await assert.rejects(openDatabase(target), new RegExp(`does not know: ${extra}`));
  });

  test(
    'concurrent starts on PostgreSQL apply each migration once',
    { skip: kind !== 'postgres' && 'PostgreSQL only' },
    async () => {
      const target = await freshTarget();
      const expected = readMigrations(defaultMigrationsDir()).map((m) => m.name);
      const handles = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ ...target, poolSize: 2 })));
      try {
        const appliedBy = handles.map((h) => h.appliedMigrations);
        assert.deepEqual(appliedBy.flat().sort(), expected, 'each migration applied by exactly one opener');
        assert.deepEqual(
          (await migrationRows(handles[0]!)).map((r) => r.migration_name),
          expected,
        );
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
    },
  );

  test('createTestDatabase gives a fresh migrated database of the configured kind', async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    try {
      assert.equal(a.kind, kind);
      const names = readMigrations(defaultMigrationsDir()).map((m) => m.name);
      assert.deepEqual(
        (await migrationRows(a)).map((r) => r.migration_name),
        names,
      );
      await a.prisma.dataset.create({ data: { name: 'flowers' } });
      assert.equal(await b.prisma.dataset.count(), 0, 'test databases are independent');
    } finally {
      await a.close();
      await b.close();
    }
    if (kind === 'postgres') {
      const admin = await openDatabase({
        databaseUrl: process.env.ACCRETE_TEST_PG_URL || 'postgresql://postgres@127.0.0.1:5432/postgres',
        migrate: false,
      });
      try {
        const dbName = new URL(a.url!).pathname.slice(1);
        const rows = await admin.prisma.$queryRawUnsafe<unknown[]>(
          'SELECT 1 FROM pg_database WHERE datname = $1',
          dbName,
        );
        assert.equal(rows.length, 0, 'close() drops the test database');
      } finally {
        await admin.close();
      }
    }
  });
});
