// The start-up runner and the Prisma CLI (`node tools/prisma.mjs`, offline schema engine) must agree
// about what is applied: same _prisma_migrations rows, same checksums. PostgreSQL only (the CLI
// cannot open PGlite).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { openDatabase } from './database.js';
import { defaultMigrationsDir, readMigrations } from './migrations.js';
import { createScratchPgDatabase, testDbKind } from './test-database.js';

const run = promisify(execFile);
const repoRoot = dirname(dirname(defaultMigrationsDir()));
const drops: Array<() => Promise<void>> = [];
after(async () => {
  for (const drop of drops) await drop().catch(() => undefined);
});

async function prisma(databaseUrl: string, ...args: string[]) {
  const { stdout } = await run(process.execPath, [join(repoRoot, 'tools', 'prisma.mjs'), ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    timeout: 120_000,
  });
  return stdout;
}

describe(
  'Prisma CLI interop',
  { skip: testDbKind() !== 'postgres' && 'PostgreSQL only (ACCRETE_TEST_DB=postgres)' },
  () => {
    test('`prisma migrate status` finds a runner-migrated database up to date', async () => {
      const scratch = await createScratchPgDatabase();
      drops.push(scratch.drop);
      await (await openDatabase({ databaseUrl: scratch.url })).close();
      assert.match(await prisma(scratch.url, 'migrate', 'status'), /Database schema is up to date!/);
    });

    test('the runner accepts a database migrated by `prisma migrate deploy`', async () => {
      const scratch = await createScratchPgDatabase();
      drops.push(scratch.drop);
      const out = await prisma(scratch.url, 'migrate', 'deploy');
      for (const m of readMigrations(defaultMigrationsDir()))
        assert.ok(out.includes(m.name), `deploy applied ${m.name}`);
      const db = await openDatabase({ databaseUrl: scratch.url });
      try {
        assert.deepEqual(db.appliedMigrations, [], 'nothing left to apply, checksums agree');
      } finally {
        await db.close();
      }
    });
  },
);
