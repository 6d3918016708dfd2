// Job row state machine on a real database: claims are exclusive, orphans are recovered, queued cancels are immediate.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { claimJob } from '../src/job-row.js';
import { pidScope, recoverJobs } from '../src/recovery.js';
import { createJobRunner } from '../src/runner.js';
import { createBaseModel, createFlowerDataset, createJob, createTestEnv, type TestEnv } from './fixtures.js';

let env: TestEnv;
let base: { versionId: string };
let datasetVersionId: string;

before(async () => {
  env = await createTestEnv();
  base = await createBaseModel(env.prisma, 'claims');
  ({ datasetVersionId } = await createFlowerDataset(env, 'claims-flowers', { dandelion: [1, 0] }));
});
after(async () => env?.close());

const newJob = () =>
  createJob(env.prisma, { parentVersionId: base.versionId, datasetVersionId, newClasses: ['dandelion'] });

test('of many concurrent claims on one queued job exactly one wins', async () => {
  const { jobId, versionId } = await newJob();
  const staleBefore = new Date(Date.now() - 60_000);
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) => claimJob(env.prisma, jobId, `w${i}:1:x`, { staleBefore })),
  );
  assert.equal(results.filter((r) => r.kind === 'claimed').length, 1);
  const row = await env.prisma.trainingJob.findUniqueOrThrow({ where: { id: jobId } });
  assert.equal(row.status, 'RUNNING');
  assert.equal(row.attempts, 1);
  assert.equal((await env.prisma.modelVersion.findUniqueOrThrow({ where: { id: versionId } })).status, 'TRAINING');
  // A live holder (fresh heartbeat) keeps it; once its heartbeat is stale another worker may take over.
  assert.equal((await claimJob(env.prisma, jobId, 'other:1:y', { staleBefore })).kind, 'busy');
  await env.prisma.trainingJob.update({ where: { id: jobId }, data: { heartbeatAt: new Date(Date.now() - 120_000) } });
  const taken = await claimJob(env.prisma, jobId, 'other:1:y', { staleBefore });
  assert.deepEqual(taken, { kind: 'claimed', attempt: 2 });
});

test('a stale job that used up its attempts fails as "interrupted" instead of running again', async () => {
  const { jobId, versionId } = await newJob();
  await env.prisma.trainingJob.update({
    where: { id: jobId },
    data: { status: 'RUNNING', workerId: 'gone:1:z', attempts: 3, heartbeatAt: new Date(Date.now() - 600_000) },
  });
  const r = await claimJob(env.prisma, jobId, 'w:1:x', { staleBefore: new Date(Date.now() - 60_000) });
  assert.equal(r.kind, 'interrupted');
  const job = await env.prisma.trainingJob.findUniqueOrThrow({ where: { id: jobId } });
  const version = await env.prisma.modelVersion.findUniqueOrThrow({ where: { id: versionId } });
  assert.equal(job.status, 'FAILED');
  assert.equal(job.error, 'interrupted');
  assert.equal(version.status, 'FAILED');
  assert.equal(version.error, 'interrupted');
});

test('recovery re-queues orphans, fails exhausted ones, keeps live ones, and cancels queued cancel requests', async () => {
  const orphan = await newJob();
  const exhausted = await newJob();
  const live = await newJob();
  const cancelled = await newJob();
  const old = new Date(Date.now() - 600_000);
  await env.prisma.trainingJob.update({
    where: { id: orphan.jobId },
    data: { status: 'RUNNING', workerId: 'gone:1:a', attempts: 1, heartbeatAt: old },
  });
  await env.prisma.trainingJob.update({
    where: { id: exhausted.jobId },
    data: { status: 'RUNNING', workerId: 'gone:1:b', attempts: 3, heartbeatAt: old },
  });
  await env.prisma.trainingJob.update({
    where: { id: live.jobId },
    data: { status: 'RUNNING', workerId: 'elsewhere:1:c', attempts: 1, heartbeatAt: new Date() },
  });
  await env.prisma.trainingJob.update({ where: { id: cancelled.jobId }, data: { cancelRequested: true } });
  const toSubmit = await recoverJobs(env.prisma, { workerId: 'me:1:m', staleAfterMs: 60_000 });
  const status = async (id: string) => (await env.prisma.trainingJob.findUniqueOrThrow({ where: { id } })).status;
  assert.equal(await status(orphan.jobId), 'QUEUED');
  assert.equal(await status(exhausted.jobId), 'FAILED');
  assert.equal(await status(live.jobId), 'RUNNING');
  assert.equal(await status(cancelled.jobId), 'CANCELLED');
  assert.ok(toSubmit.includes(orphan.jobId));
  assert.ok(!toSubmit.includes(live.jobId) && !toSubmit.includes(cancelled.jobId));
});

test('a fresh heartbeat is overruled only by a dead pid in this PID namespace, not by one in another', async (t) => {
  const scope = pidScope();
  if (!scope) return t.skip('no /proc PID namespace here: only stale heartbeats are recovered');
  const deadPid = spawnSync('true').pid; // exited: no process of this namespace has that pid now
  const [boot] = scope.split('.').slice(1);
  const local = await newJob();
  const foreign = await newJob();
  const rows = [
    [local.jobId, `vm:${deadPid}:aaaaaaaa:${scope}`],
    [foreign.jobId, `vm:${deadPid}:bbbbbbbb:1.${boot}`], // same boot, another namespace: its pid says nothing here
  ] as const;
  for (const [id, workerId] of rows) {
    await env.prisma.trainingJob.update({
      where: { id },
      data: { status: 'RUNNING', workerId, attempts: 1, heartbeatAt: new Date() },
    });
  }
  await recoverJobs(env.prisma, { workerId: 'me:1:m', staleAfterMs: 600_000 });
  const status = async (id: string) => (await env.prisma.trainingJob.findUniqueOrThrow({ where: { id } })).status;
  assert.equal(await status(local.jobId), 'QUEUED');
  assert.equal(await status(foreign.jobId), 'RUNNING');
  await env.prisma.trainingJob.update({ where: { id: foreign.jobId }, data: { status: 'CANCELLED' } });
});

test('cancelling a queued job ends it at once without running it', async () => {
  const runner = createJobRunner(
    { prisma: env.prisma, config: env.config, storage: env.storage },
    { mode: 'inprocess', work: false },
  );
  await runner.start();
  const { jobId, versionId } = await newJob();
  await runner.submit(jobId);
  await runner.cancel(jobId);
  const job = await env.prisma.trainingJob.findUniqueOrThrow({ where: { id: jobId } });
  assert.equal(job.status, 'CANCELLED');
  assert.equal(job.startedAt, null);
  assert.equal((await env.prisma.modelVersion.findUniqueOrThrow({ where: { id: versionId } })).status, 'CANCELLED');
  await runner.stop();
});
