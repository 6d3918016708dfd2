// Scale-out on real PostgreSQL + pg-boss: worker processes (apps/worker) pull jobs from the queue; each job runs
// exactly once; a worker killed mid-job (SIGKILL) has its job taken over by another worker; SIGTERM exits cleanly.
// Runs only with ACCRETE_TEST_DB=postgres (pg-boss needs PostgreSQL).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import PgBoss from 'pg-boss';
import { ConfigError } from '@accrete/config';
import { skipUnlessPostgres } from '@accrete/db/testing';
import { createJobRunner, type JobRunner } from '../src/runner.js';
import { stepBarrier, stopAll, type WorkerProcess } from '../src/testing.js';
import { createBaseModel, createFlowerDataset, createJob, waitForJob, type TestEnv } from './fixtures.js';
import { nodeDataDir, spawnWorker as spawnWorkerNode, startScaleOut } from './scale-out.js';

const skip = skipUnlessPostgres();
let env: TestEnv;
let submitter: JobRunner;
const workers: WorkerProcess[] = [];

function spawnWorker(name: string, dataDir: string): WorkerProcess {
  const w = spawnWorkerNode(env, name, dataDir);
  workers.push(w);
  return w;
}

/** Resolves once any worker has printed a line containing `text` (see WorkerProcess.printed). */
const printed = (text: string) => Promise.any(workers.map((w) => w.printed(text)));

const ready = (w: WorkerProcess): Promise<string> => w.workerId;

before(async () => {
  if (skip) return;
  ({ env, submitter } = await startScaleOut());
});

after(async () => {
  await stopAll(workers);
  await submitter?.stop();
  await env?.close();
});

/** Workers A and B on the shared data dir, started once for the tests that need them, whichever runs first. */
let pair: Promise<{ a: WorkerProcess; b: WorkerProcess; idA: string; idB: string }> | undefined;
const workersAB = () =>
  (pair ??= (async () => {
    const a = spawnWorker('A', env.config.dataDir);
    const b = spawnWorker('B', env.config.dataDir);
    const [idA, idB] = await Promise.all([ready(a), ready(b)]);
    return { a, b, idA, idB };
  })());

test(
  'a job delivered through pg-boss and cancelled while it runs ends CANCELLED, nothing published',
  { skip },
  async () => {
    // Runs before workers A and B exist, so this process's runner gets the delivery; the step barrier holds the job
    // while it is RUNNING so the cancel certainly reaches a running job.
    const barrier = stepBarrier('prepared');
    const held = createJobRunner(
      { prisma: env.prisma, config: env.config, storage: env.storage },
      { mode: 'pgboss', work: true, sweepMs: 0, pollingIntervalSeconds: 0.5, onStep: barrier.hook },
    );
    await held.start();
    try {
      const base = await createBaseModel(env.prisma, 'to-cancel');
      const ds = await createFlowerDataset(env, 'to-cancel', { sunflowers: [3, 1] });
      const job = await createJob(env.prisma, {
        parentVersionId: base.versionId,
        datasetVersionId: ds.datasetVersionId,
        newClasses: ['sunflowers'],
      });
      await submitter.submit(job.jobId);
      assert.equal(await barrier.reached, job.jobId);
      assert.equal((await env.prisma.trainingJob.findUniqueOrThrow({ where: { id: job.jobId } })).status, 'RUNNING');
      await submitter.cancel(job.jobId); // another process's runner: the cancel travels through the row
      barrier.release();
      const done = await waitForJob(env.prisma, job.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 120_000);
      assert.equal(done.status, 'CANCELLED');
      assert.equal(
        (await env.prisma.modelVersion.findUniqueOrThrow({ where: { id: job.versionId } })).status,
        'CANCELLED',
      );
      assert.equal(await env.prisma.versionClass.count({ where: { versionId: job.versionId } }), 0);
    } finally {
      barrier.release();
      await held.stop();
    }
  },
);

test('a pg-boss schema written by a newer pg-boss is refused with a message naming the setting', { skip }, async () => {
  const schema = 'pgboss_newer';
  const other = new PgBoss({ connectionString: env.db.url, schema, supervise: false, schedule: false });
  await other.start(); // pg-boss itself lays out the schema …
  await other.stop();
  // … which a later pg-boss migrates forward; this build's pg-boss cannot read that layout.
  await env.prisma.$executeRawUnsafe(`UPDATE "${schema}".version SET version = version + 2`);
  const [{ version }] = await env.prisma.$queryRawUnsafe<{ version: number }[]>(
    `SELECT version FROM "${schema}".version`,
  );
  const runner = createJobRunner(
    { prisma: env.prisma, config: { ...env.config, pgbossSchema: schema }, storage: env.storage },
    { mode: 'pgboss', work: false },
  );
  await assert.rejects(runner.start(), (e: Error) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.match(e.message, new RegExp(`"${schema}" has version ${version}.*ACCRETE_PGBOSS_SCHEMA`));
    return true;
  });
  const [after] = await env.prisma.$queryRawUnsafe<{ version: number }[]>(`SELECT version FROM "${schema}".version`);
  assert.equal(after!.version, version, 'left as it was');
});

test('two worker processes share the queue and run every job exactly once', { skip }, async (t) => {
  const t0 = Date.now();
  const { a, b, idA, idB } = await workersAB();
  t.diagnostic(`workers ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const ds = await createFlowerDataset(env, 'scale-out', { dandelion: [4, 2], roses: [4, 2] });
  const jobs: Awaited<ReturnType<typeof createJob>>[] = [];
  for (let i = 0; i < 4; i++) {
    const base = await createBaseModel(env.prisma, `scale-${i}`);
    jobs.push(
      await createJob(env.prisma, {
        parentVersionId: base.versionId,
        datasetVersionId: ds.datasetVersionId,
        newClasses: [i % 2 ? 'roses' : 'dandelion'],
      }),
    );
  }
  for (const j of jobs) await submitter.submit(j.jobId);
  for (const j of jobs) await submitter.submit(j.jobId); // a duplicate delivery must not run a job twice

  const rows: Awaited<ReturnType<typeof waitForJob>>[] = [];
  for (const j of jobs) rows.push(await waitForJob(env.prisma, j.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 240_000));
  for (const [i, r] of rows.entries()) await printed(`job ${r.id}: version ${jobs[i]!.versionId} READY`);
  const logs = [...a.out, ...b.out].join('\n');
  for (const [i, r] of rows.entries()) {
    assert.equal(r.status, 'SUCCEEDED', `${r.status} ${r.error ?? ''}\n${logs}`);
    assert.equal(r.attempts, 1, `claimed once\n${logs}`);
    assert.ok([idA, idB].includes(r.workerId!), `ran on one of the workers: ${r.workerId}`);
    const readyLines = logs.split('\n').filter((l) => l.includes(`job ${r.id}: version ${jobs[i]!.versionId} READY`));
    assert.equal(readyLines.length, 1, `published once: ${readyLines.join(' | ')}`);
    assert.equal(await env.prisma.versionClass.count({ where: { versionId: jobs[i]!.versionId } }), 1001);
  }
  const first = Math.min(...rows.map((r) => r.queuedAt.getTime()));
  t.diagnostic(
    rows
      .map(
        (r) =>
          `job on ${r.workerId === idA ? 'A' : 'B'}: waited ${((r.startedAt!.getTime() - first) / 1000).toFixed(1)} s, ran ${((r.finishedAt!.getTime() - r.startedAt!.getTime()) / 1000).toFixed(1)} s`,
      )
      .join('; '),
  );
  // Jobs take seconds and workers poll every 0.5 s: both workers take part.
  assert.equal(
    new Set(rows.map((r) => r.workerId)).size,
    2,
    `jobs per worker: ${rows.map((r) => r.workerId).join(', ')}`,
  );
});

test(
  'a worker killed mid-job: another worker takes the job over and completes it; SIGTERM exits cleanly',
  { skip },
  async () => {
    const { a, b, idA } = await workersAB();
    // B leaves gracefully; A is paused so the job goes to C, a worker with a cold bottleneck cache (slow job).
    b.child.kill('SIGTERM');
    assert.equal(await b.exited, 0, b.out.join('\n'));
    const coldDir = await nodeDataDir(env, 'cold-data');
    await symlink(env.config.paths.images, join(coldDir, 'images'));
    await symlink(env.config.paths.artifacts, join(coldDir, 'artifacts'));
    const c = spawnWorker('C', coldDir);
    const idC = await ready(c);
    a.child.kill('SIGSTOP');
    try {
      const base = await createBaseModel(env.prisma, 'killed');
      const ds = await createFlowerDataset(env, 'killed-flowers', { tulips: [12, 4] });
      const job = await createJob(env.prisma, {
        parentVersionId: base.versionId,
        datasetVersionId: ds.datasetVersionId,
        newClasses: ['tulips'],
        options: { augmentations: 8 },
      });
      await submitter.submit(job.jobId);
      const running = await waitForJob(env.prisma, job.jobId, ['RUNNING', 'SUCCEEDED', 'FAILED'], 120_000);
      assert.equal(running.status, 'RUNNING');
      assert.equal(running.workerId, idC);
      c.child.kill('SIGKILL');
      await c.exited;
      a.child.kill('SIGCONT');
      const done = await waitForJob(env.prisma, job.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 180_000);
      assert.equal(done.status, 'SUCCEEDED', `${done.status} ${done.error ?? ''}\n${a.out.join('\n')}`);
      assert.equal(done.workerId, idA);
      assert.equal(done.attempts, 2);
      assert.equal((await env.prisma.modelVersion.findUniqueOrThrow({ where: { id: job.versionId } })).status, 'READY');
    } finally {
      a.child.kill('SIGCONT');
    }
    a.child.kill('SIGTERM');
    assert.equal(await a.exited, 0, a.out.join('\n'));
  },
);
