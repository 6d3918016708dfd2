// Start order: a worker started on an empty database (before any API, or at the same moment as one) migrates it
// under the migration lock it shares with the API and starts, instead of dying on a missing table (P2021).
// Waits are the workers' own output lines. Runs only with ACCRETE_TEST_DB=postgres (pg-boss needs PostgreSQL).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { defaultMigrationsDir, openDatabase, readMigrations } from '@accrete/db';
import { createScratchPgDatabase, skipUnlessPostgres } from '@accrete/db/testing';
import { spawnWorkerProcess, stopAll, type WorkerProcess } from '@accrete/jobs/testing';

const skip = skipUnlessPostgres();
const REPO = resolve(import.meta.dirname, '../../..');
const SHARED = resolve(REPO, '../shared');
const MIGRATIONS = readMigrations(defaultMigrationsDir()).map((m) => m.name);
const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

async function emptyDatabase(): Promise<string> {
  const scratch = await createScratchPgDatabase();
  cleanup.push(() => scratch.drop());
  return scratch.url;
}

async function startWorker(name: string, databaseUrl: string): Promise<WorkerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), `accrete-worker-${name}-`));
  const w = spawnWorkerProcess({
    name,
    repo: REPO,
    databaseUrl,
    dataDir,
    config: { sharedDir: SHARED, rehearsalDir: join(SHARED, 'datasets/imagenet-sample') },
  });
  cleanup.push(async () => {
    await stopAll([w]);
    await rm(dataDir, { recursive: true, force: true });
  });
  return w;
}

/** The migrations a worker says it applied ("migrations applied now: a, b" or "none (up to date)"). */
function appliedBy(w: WorkerProcess): string[] {
  const line = w.out.find((l) => l.includes('migrations applied now: '));
  assert.ok(line, w.out.join('\n'));
  const list = line.split('migrations applied now: ')[1]!;
  return list.startsWith('none') ? [] : list.split(', ');
}

const noStackTrace = (w: WorkerProcess) =>
  assert.ok(!w.out.some((l) => /^\s+at |PrismaClient|P2021/.test(l)), w.out.join('\n'));

async function appliedInDatabase(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name',
    );
    return rows.map((r) => r.migration_name);
  } finally {
    await client.end();
  }
}

test('a worker started on an empty database migrates it and becomes ready', { skip }, async () => {
  const url = await emptyDatabase();
  const w = await startWorker('first', url);
  await w.workerId;
  noStackTrace(w);
  assert.deepEqual(appliedBy(w), MIGRATIONS);
  assert.deepEqual(await appliedInDatabase(url), MIGRATIONS);
});

test('workers and the API migrator starting at once apply each migration once, and all start', { skip }, async () => {
  const url = await emptyDatabase();
  const workers = [await startWorker('a', url), await startWorker('b', url)];
  // what the API does at its start (apps/api main: openDatabase with migrate: true), at the same moment
  const api = await openDatabase({ databaseUrl: url, migrate: true, poolSize: 1 });
  cleanup.push(() => api.close());
  await Promise.all(workers.map((w) => w.workerId));
  workers.forEach(noStackTrace);
  const applied = [...api.appliedMigrations, ...workers.flatMap(appliedBy)].sort();
  assert.deepEqual(applied, MIGRATIONS, 'each migration applied by exactly one of them');
  assert.deepEqual(await appliedInDatabase(url), MIGRATIONS);
});
