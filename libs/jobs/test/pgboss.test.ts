// Scale-out on real PostgreSQL + pg-boss: worker processes (apps/worker) pull jobs from the queue; each job runs
// exactly once; a worker killed mid-job (SIGKILL) has its job taken over by another worker; SIGTERM exits cleanly.
// Runs only with ACCRETE_TEST_DB=postgres (pg-boss needs PostgreSQL).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import PgBoss from 'pg-boss';
import { ConfigError } from '@accrete/config';
import { testDbKind } from '@accrete/db/testing';
import { createJobRunner, type JobRunner } from '../src/runner.js';
import { stepBarrier } from '../src/testing.js';
import {
  REPO,
  STABLE_CACHE,
  createBaseModel,
  createFlowerDataset,
  createJob,
  createTestEnv,
  waitForJob,
  type TestEnv,
} from './fixtures.js';

const skip = testDbKind() !== 'postgres' ? 'needs ACCRETE_TEST_DB=postgres' : false;
// Short timings so a dead worker is noticed in seconds; the stale limit stays well above event-loop stalls of a
// loaded 2-core machine (a live worker must never look dead).
const TUNING = ['--poll-seconds', '0.5', '--stale-ms', '15000', '--sweep-ms', '1500', '--supervise-seconds', '2'];

interface WorkerProc {
  name: string;
  child: ChildProcess;
  out: string[];
  workerId: Promise<string>;
  exited: Promise<number | null>;
}

let env: TestEnv;
let submitter: JobRunner;
const workers: WorkerProc[] = [];
const onOutput = new Set<() => void>();

/**
 * Resolves once a worker has printed a line containing `text`. A worker's log reaches us through a pipe, so on a
 * busy machine it can arrive after the database already shows what the line reports.
 */
function printed(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!workers.some((w) => w.out.some((l) => l.includes(text)))) return;
      onOutput.delete(check);
      resolve();
    };
    onOutput.add(check);
    check();
    for (const w of workers)
      void w.exited.then(() => {
        check();
        if (onOutput.delete(check)) reject(new Error(`worker ${w.name} exited without printing "${text}"`));
      });
  });
}

function spawnWorker(name: string, dataDir: string): WorkerProc {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'apps/worker/src/main.ts'), ...TUNING], {
    cwd: REPO,
    env: {
      ...process.env,
      DATABASE_URL: env.db.url,
      ACCRETE_JOBS: 'pgboss',
      ACCRETE_DATA_DIR: dataDir,
      ACCRETE_SHARED_DIR: env.config.sharedDir,
      ACCRETE_REHEARSAL_DIR: env.config.rehearsalDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  let resolveId!: (id: string) => void;
  const workerId = new Promise<string>((r) => (resolveId = r));
  const onData = (b: Buffer) => {
    for (const line of b.toString().split('\n').filter(Boolean)) {
      out.push(line);
      const m = /ready \(worker id (\S+)\)/.exec(line);
      if (m) resolveId(m[1]!);
    }
    for (const check of [...onOutput]) check();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const w = { name, child, out, workerId, exited };
  workers.push(w);
  return w;
}

async function ready(w: WorkerProc): Promise<string> {
  return Promise.race([
    w.workerId,
    w.exited.then((code) => {
      throw new Error(`worker ${w.name} exited (${code}) before ready:\n${w.out.join('\n')}`);
    }),
  ]);
}

before(async () => {
  if (skip) return;
  env = await createTestEnv();
  submitter = createJobRunner(
    { prisma: env.prisma, config: env.config, storage: env.storage },
    {
      mode: 'pgboss',
      work: false,
      pgboss: { superviseIntervalSeconds: 2, retryDelaySeconds: 1 },
    },
  );
  await submitter.start(); // creates the queue
});

after(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await submitter?.stop();
  await env?.close();
});

/** Workers A and B on the shared data dir, started once for the tests that need them, whichever runs first. */
let pair: Promise<{ a: WorkerProc; b: WorkerProc; idA: string; idB: string }> | undefined;
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
    const coldDir = join(env.root, 'cold-data');
    await mkdir(join(coldDir, 'cache'), { recursive: true });
    await symlink(env.config.paths.images, join(coldDir, 'images'));
    await symlink(env.config.paths.artifacts, join(coldDir, 'artifacts'));
    await symlink(join(STABLE_CACHE, 'backbones'), join(coldDir, 'cache', 'backbones'));
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
