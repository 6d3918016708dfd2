// In-process runner end to end on a real database with the real base model and real flower photos:
// grow v1 → v2 (+2 flower classes) → v3 (+1 class, 1 merge, keeps v2's classes); retention since the base along
// v2 → v3 → v4; a failing job; cancel; recovery.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createJobRunner, type JobRunner } from '../src/runner.js';
import { stepBarrier } from '../src/testing.js';
import { disposeSharedBackbones, getSharedBackbone, getSharedBottleneckCache } from '../src/shared-backbone.js';
import { RETENTION_EVALUATION, VAL_EVALUATION } from '../src/evaluation-names.js';
import { loadRehearsalSets } from '../src/rehearsal.js';
import type { RetentionMetrics } from '../src/retention.js';
import { extractBottlenecks, headLogits, topK } from '@accrete/trainer';
import {
  createBaseModel,
  createFlowerDataset,
  createJob,
  createTestEnv,
  waitForJob,
  type BaseModel,
  type TestEnv,
} from './fixtures.js';

let env: TestEnv;
let runner: JobRunner;
let base: BaseModel;
const logs: string[] = [];

before(async () => {
  env = await createTestEnv();
  base = await createBaseModel(env.prisma, 'flowers-model');
  runner = createJobRunner(
    { prisma: env.prisma, config: env.config, storage: env.storage, log: (m) => logs.push(m) },
    { mode: 'inprocess', work: true, heartbeatMs: 500, progressIntervalMs: 200, sweepMs: 0 },
  );
  await runner.start();
});
after(async () => {
  await runner?.stop();
  await disposeSharedBackbones();
  await env?.close();
});

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** v1 → v2 (+dandelion, +roses), grown once for the tests that need it, whichever of them runs first. */
let v2Job:
  | Promise<{ job: Awaited<ReturnType<typeof createJob>>; ds: Awaited<ReturnType<typeof createFlowerDataset>> }>
  | undefined;
const growV2 = () =>
  (v2Job ??= (async () => {
    const ds = await createFlowerDataset(env, 'two-flowers', { dandelion: [4, 2], roses: [4, 2] });
    const job = await createJob(env.prisma, {
      parentVersionId: base.versionId,
      datasetVersionId: ds.datasetVersionId,
      newClasses: ['dandelion', 'roses'],
    });
    await runner.submit(job.jobId);
    await waitForJob(env.prisma, job.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
    return { job, ds };
  })());

test('a job grows v1 into a READY v2 with 1002 classes, evaluations and an exported artifact', async (t) => {
  const { job, ds } = await growV2();
  const row = await env.prisma.trainingJob.findUniqueOrThrow({ where: { id: job.jobId } });
  assert.equal(row.status, 'SUCCEEDED', `job ended ${row.status}: ${row.error}\n${logs.join('\n')}`);
  assert.equal(row.progress, 1);
  assert.equal(row.attempts, 1);
  assert.ok(row.finishedAt && row.startedAt && row.finishedAt >= row.startedAt);

  const version = await env.prisma.modelVersion.findUniqueOrThrow({ where: { id: job.versionId } });
  assert.equal(version.status, 'READY');
  assert.equal(version.classCount, 1002);
  const classes = await env.prisma.versionClass.findMany({
    where: { versionId: job.versionId },
    orderBy: { outputUnit: 'asc' },
  });
  assert.equal(classes.length, 1002);
  assert.deepEqual(
    classes.slice(0, 1000).map((c) => c.classNodeId),
    base.unitNodes,
  );
  assert.deepEqual(
    classes.slice(1000).map((c) => [c.classNodeId, c.added]),
    job.newNodeIds.map((id) => [id, true]),
  );
  assert.equal(classes.filter((c) => c.added).length, 2);

  const evals = await env.prisma.evaluation.findMany({ where: { versionId: job.versionId } });
  assert.deepEqual(evals.map((e) => e.name).sort(), [RETENTION_EVALUATION, VAL_EVALUATION].sort());
  const retention = evals.find((e) => e.name === RETENTION_EVALUATION)!.metrics as Record<string, number> & {
    takenOver: { images: number; units: number[] } | null;
  };
  // the odd half of the rehearsal slice; photos of old classes the new ones took over (the trainer's default) apart
  const valReport = evals.find((e) => e.name === VAL_EVALUATION)!.metrics as { details: { takenOverUnits?: number[] } };
  assert.deepEqual(retention.takenOver?.units ?? [], valReport.details.takenOverUnits ?? []);
  assert.equal(retention.images + (retention.takenOver?.images ?? 0), 12);
  assert.ok(retention.parentTop1 > 0.5, `base model top-1 on imagenet-sample photos: ${retention.parentTop1}`);
  assert.ok(retention.top1 >= 0 && retention.top1 <= 1);
  assert.equal(evals.find((e) => e.name === VAL_EVALUATION)!.datasetVersionId, ds.datasetVersionId);

  const dir = env.storage.artifactDir(job.versionId);
  assert.equal(version.artifactUri, dir);
  for (const f of ['model.json', 'labels.json', 'manifest.json', 'taxonomy.json'])
    assert.ok(await exists(join(dir, f)), `${f} exported`);
  const manifest = await readFile(join(dir, 'manifest.json'));
  assert.equal(version.artifactSha256, createHash('sha256').update(manifest).digest('hex'));
  const labels = JSON.parse(await readFile(join(dir, 'labels.json'), 'utf8')) as string[];
  assert.equal(labels.length, 1002);
  assert.deepEqual(labels.slice(1000), ['dandelion', 'roses']);
  // nothing left in the scratch area
  assert.deepEqual(
    (await readdir(env.config.paths.artifacts)).filter((n) => n.startsWith('.tmp')),
    [],
  );
  t.diagnostic(logs.join('\n'));
});

test("repeated growth: v3 from v2 adds a class and merges daisy, keeping v2's classes and their photos", async () => {
  const { job: grown } = await growV2();
  assert.equal((await env.prisma.modelVersion.findUniqueOrThrow({ where: { id: grown.versionId } })).status, 'READY');
  const v2 = { versionId: grown.versionId, newNodeIds: grown.newNodeIds };
  const ds = await createFlowerDataset(env, 'tulips-daisy', { tulips: [4, 2], daisy: [3, 1] });
  const job = await createJob(env.prisma, {
    parentVersionId: v2.versionId,
    datasetVersionId: ds.datasetVersionId,
    newClasses: ['tulips'],
    merges: [{ label: 'daisy', outputUnit: 985 }],
  });
  await runner.submit(job.jobId);
  const row = await waitForJob(env.prisma, job.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
  assert.equal(row.status, 'SUCCEEDED', `job ended ${row.status}: ${row.error}`);
  const classes = await env.prisma.versionClass.findMany({
    where: { versionId: job.versionId },
    orderBy: { outputUnit: 'asc' },
  });
  assert.equal(classes.length, 1003);
  assert.deepEqual(
    classes.slice(1000, 1002).map((c) => [c.classNodeId, c.added]),
    v2.newNodeIds.map((id) => [id, false]),
  );
  assert.deepEqual([classes[1002]!.classNodeId, classes[1002]!.added], [job.newNodeIds[0], true]);
  const val = (
    await env.prisma.evaluation.findUniqueOrThrow({
      where: { versionId_name: { versionId: job.versionId, name: VAL_EVALUATION } },
    })
  ).metrics as { images: Record<string, { train: number; val: number }>; earlierClasses: Record<string, number> };
  // v2's photos are fed again under their units, next to the job's own photos.
  assert.deepEqual(val.earlierClasses, { dandelion: 1000, roses: 1001 });
  assert.deepEqual(val.images.dandelion, { train: 4, val: 2 });
  assert.deepEqual(val.images.tulips, { train: 4, val: 2 });
  assert.deepEqual(val.images.daisy, { train: 3, val: 1 });
  const labels = JSON.parse(
    await readFile(join(env.storage.artifactDir(job.versionId), 'labels.json'), 'utf8'),
  ) as string[];
  assert.deepEqual(labels.slice(1000), ['dandelion', 'roses', 'tulips']);
});

test('a new class is trained, exported and reported under its name, whatever its dataset label', async () => {
  // labels that differ only in case, and one with no letters, each named by the user (the registry checks names)
  const ds = await createFlowerDataset(env, 'odd-labels', { sunflowers: [4, 2], tulips: [4, 2], daisy: [4, 2] }, 0, {
    sunflowers: 'Bloom',
    tulips: 'bloom',
    daisy: '🌼',
  });
  const names = { Bloom: 'tall bloom', bloom: 'cup bloom', '🌼': 'white star' };
  const job = await createJob(env.prisma, {
    parentVersionId: base.versionId,
    datasetVersionId: ds.datasetVersionId,
    newClasses: ['Bloom', 'bloom', '🌼'],
    names,
    labelDecisions: { bloom: {} },
  });
  await runner.submit(job.jobId);
  const row = await waitForJob(env.prisma, job.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
  assert.equal(row.status, 'SUCCEEDED', `job ended ${row.status}: ${row.error}`);
  const labels = JSON.parse(
    await readFile(join(env.storage.artifactDir(job.versionId), 'labels.json'), 'utf8'),
  ) as string[];
  assert.deepEqual(labels.slice(1000), ['tall bloom', 'cup bloom', 'white star']);
  const val = (
    await env.prisma.evaluation.findUniqueOrThrow({
      where: { versionId_name: { versionId: job.versionId, name: VAL_EVALUATION } },
    })
  ).metrics as { newLabels: { label: string }[]; decisions: Record<string, { source: string }> };
  assert.deepEqual(
    val.newLabels.map((l) => l.label),
    ['tall bloom', 'cup bloom', 'white star'],
  );
  // the caller's decision for the label "bloom" reached the class it names
  assert.equal(val.decisions['cup bloom']?.source, 'given');
});

test("retention since the base spans the lineage: every growth's taken-over classes are left out", async () => {
  const { job: v2 } = await growV2();
  const retentionOf = async (versionId: string) =>
    (
      await env.prisma.evaluation.findUniqueOrThrow({
        where: { versionId_name: { versionId, name: RETENTION_EVALUATION } },
      })
    ).metrics as unknown as RetentionMetrics;
  const photos = (await loadRehearsalSets(env.config.rehearsalDir)).retention!;
  // v3 lets its new class take over the class of one retention photo; v4 (from v3) decides nothing
  const chosen = photos[0]!.classIndex;
  const growFrom = async (parentVersionId: string, label: string, decisions?: { winsOver: number[] }) => {
    const ds = await createFlowerDataset(env, `since-base-${label}`, { [label]: [4, 2] });
    const job = await createJob(env.prisma, {
      parentVersionId,
      datasetVersionId: ds.datasetVersionId,
      newClasses: [label],
      ...(decisions ? { labelDecisions: { [label]: decisions } } : {}),
    });
    await runner.submit(job.jobId);
    const row = await waitForJob(env.prisma, job.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
    assert.equal(row.status, 'SUCCEEDED', `job ended ${row.status}: ${row.error}`);
    return job;
  };
  const v3 = await growFrom(v2.versionId, 'tulips', { winsOver: [chosen] });
  const v4 = await growFrom(v3.versionId, 'sunflowers');

  const [r2, r3, r4] = await Promise.all([v2, v3, v4].map((j) => retentionOf(j.versionId)));
  // grown from the base, v2's figures since the base are its figures against its parent
  assert.deepEqual(
    [r2.sinceBase!.images, r2.sinceBase!.baseTop1, r2.sinceBase!.top1, r2.sinceBase!.takenOverUnits],
    [r2.images, r2.parentTop1, r2.top1, r2.takenOver?.units ?? []],
  );
  assert.ok(r3.takenOver!.units.includes(chosen), JSON.stringify(r3.takenOver));
  assert.ok(!(r4.takenOver?.units ?? []).includes(chosen), 'v4 itself took nothing of that class over');
  const union = [...new Set([r2, r3, r4].flatMap((r) => r.takenOver?.units ?? []))].sort((a, b) => a - b);
  const since = r4.sinceBase!;
  assert.deepEqual(since.takenOverUnits, union);
  // the base's answers, read here with the backbone's own head on the photos no growth took over
  const counted = photos.filter((p) => !union.includes(p.classIndex));
  const backbone = await getSharedBackbone(env.config);
  const { plain } = await extractBottlenecks(backbone, counted, { cache: getSharedBottleneckCache(env.config) });
  const baseRight = counted.filter(
    (p, i) => topK(headLogits(backbone.baseHead, plain[i]!), 0, backbone.baseHead.classes, 1)[0] === p.classIndex,
  ).length;
  assert.equal(since.images, counted.length);
  assert.ok(counted.length < photos.length, 'the chosen class is left out');
  assert.equal(since.baseTop1, baseRight / counted.length);
  assert.ok(Math.abs(since.dropPoints - 100 * (since.baseTop1 - since.top1)) < 1e-9);
});

test('a job whose image file is gone fails with the reason and leaves no classes, evaluations or artifact', async () => {
  const ds = await createFlowerDataset(env, 'broken', { sunflowers: [3, 1] });
  await rm(ds.files[1]!);
  const job = await createJob(env.prisma, {
    parentVersionId: base.versionId,
    datasetVersionId: ds.datasetVersionId,
    newClasses: ['sunflowers'],
  });
  await runner.submit(job.jobId);
  const row = await waitForJob(env.prisma, job.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
  assert.equal(row.status, 'FAILED');
  assert.match(row.error ?? '', /missing from storage/);
  const version = await env.prisma.modelVersion.findUniqueOrThrow({ where: { id: job.versionId } });
  assert.equal(version.status, 'FAILED');
  assert.equal(version.error, row.error);
  assert.equal(version.artifactUri, null);
  assert.equal(await env.prisma.versionClass.count({ where: { versionId: job.versionId } }), 0);
  assert.equal(await env.prisma.evaluation.count({ where: { versionId: job.versionId } }), 0);
  assert.equal(await exists(env.storage.artifactDir(job.versionId)), false);
});

test('cancelling a running job stops it: CANCELLED, nothing published', async () => {
  // The job is held at a step barrier while it runs, so the cancel certainly reaches a RUNNING job.
  const barrier = stepBarrier('prepared');
  const held = createJobRunner(
    { prisma: env.prisma, config: env.config, storage: env.storage },
    { mode: 'inprocess', work: true, sweepMs: 0, onStep: barrier.hook },
  );
  await held.start();
  try {
    const ds = await createFlowerDataset(env, 'to-cancel', { sunflowers: [3, 1] });
    const job = await createJob(env.prisma, {
      parentVersionId: base.versionId,
      datasetVersionId: ds.datasetVersionId,
      newClasses: ['sunflowers'],
    });
    await held.submit(job.jobId);
    assert.equal(await barrier.reached, job.jobId);
    assert.equal((await env.prisma.trainingJob.findUniqueOrThrow({ where: { id: job.jobId } })).status, 'RUNNING');
    await held.cancel(job.jobId);
    barrier.release();
    const row = await waitForJob(env.prisma, job.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
    assert.equal(row.status, 'CANCELLED', `ended ${row.status} ${row.error ?? ''}`);
    assert.ok(row.startedAt, 'it was running when cancelled');
    const version = await env.prisma.modelVersion.findUniqueOrThrow({ where: { id: job.versionId } });
    assert.equal(version.status, 'CANCELLED');
    assert.equal(await env.prisma.versionClass.count({ where: { versionId: job.versionId } }), 0);
    assert.equal(await exists(env.storage.artifactDir(job.versionId)), false);
  } finally {
    barrier.release();
    await held.stop();
  }
});

test('stopping the runner mid-job (graceful shutdown) gives the job back to the queue; the next start completes it', async () => {
  const barrier = stepBarrier('prepared');
  const first = createJobRunner(
    { prisma: env.prisma, config: env.config, storage: env.storage },
    { mode: 'inprocess', work: true, sweepMs: 0, onStep: barrier.hook },
  );
  await first.start();
  const ds = await createFlowerDataset(env, 'to-requeue', { tulips: [3, 1] });
  const job = await createJob(env.prisma, {
    parentVersionId: base.versionId,
    datasetVersionId: ds.datasetVersionId,
    newClasses: ['tulips'],
  });
  await first.submit(job.jobId);
  assert.equal(await barrier.reached, job.jobId);
  const stopping = first.stop(); // aborts the held job; it hands it back once released
  barrier.release();
  await stopping;
  const requeued = await env.prisma.trainingJob.findUniqueOrThrow({ where: { id: job.jobId } });
  assert.equal(requeued.status, 'QUEUED');
  assert.equal(requeued.attempts, 0, 'a graceful hand-back does not use up an attempt');
  assert.equal((await env.prisma.modelVersion.findUniqueOrThrow({ where: { id: job.versionId } })).status, 'PENDING');
  assert.equal(await exists(env.storage.artifactDir(job.versionId)), false);

  const second = createJobRunner(
    { prisma: env.prisma, config: env.config, storage: env.storage },
    { mode: 'inprocess', work: true, sweepMs: 0 },
  );
  await second.start(); // picks up QUEUED jobs
  try {
    const done = await waitForJob(env.prisma, job.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
    assert.equal(done.status, 'SUCCEEDED', `${done.status} ${done.error ?? ''}`);
    assert.equal(done.attempts, 1);
  } finally {
    await second.stop();
  }
});

test('restart recovery: a job left RUNNING by a dead process is re-queued and completed; one out of attempts fails', async () => {
  const ds = await createFlowerDataset(env, 'recovery', { dandelion: [4, 2], tulips: [4, 2] });
  const orphan = await createJob(env.prisma, {
    parentVersionId: base.versionId,
    datasetVersionId: ds.datasetVersionId,
    newClasses: ['dandelion'],
  });
  const worn = await createJob(env.prisma, {
    parentVersionId: base.versionId,
    datasetVersionId: ds.datasetVersionId,
    newClasses: ['tulips'],
  });
  const stale = new Date(Date.now() - 10 * 60_000);
  await env.prisma.trainingJob.update({
    where: { id: orphan.jobId },
    data: { status: 'RUNNING', workerId: 'dead-host:4242:aaaa', attempts: 1, heartbeatAt: stale, startedAt: stale },
  });
  await env.prisma.trainingJob.update({
    where: { id: worn.jobId },
    data: { status: 'RUNNING', workerId: 'dead-host:4243:bbbb', attempts: 3, heartbeatAt: stale, startedAt: stale },
  });
  await env.prisma.modelVersion.updateMany({
    where: { id: { in: [orphan.versionId, worn.versionId] } },
    data: { status: 'TRAINING' },
  });

  // A new process starts: its runner recovers on start (the shared runner is idle: none of its jobs is RUNNING).
  const restarted = createJobRunner(
    { prisma: env.prisma, config: env.config, storage: env.storage },
    { mode: 'inprocess', work: true, sweepMs: 0 },
  );
  await runner.idle();
  await restarted.start();
  try {
    const ok = await waitForJob(env.prisma, orphan.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
    assert.equal(ok.status, 'SUCCEEDED', `${ok.status} ${ok.error ?? ''}`);
    assert.equal(ok.attempts, 2);
    assert.equal(ok.workerId, restarted.workerId);
    assert.equal(
      (await env.prisma.modelVersion.findUniqueOrThrow({ where: { id: orphan.versionId } })).status,
      'READY',
    );
    const failed = await env.prisma.trainingJob.findUniqueOrThrow({ where: { id: worn.jobId } });
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.error, 'interrupted');
    assert.equal((await env.prisma.modelVersion.findUniqueOrThrow({ where: { id: worn.versionId } })).status, 'FAILED');
  } finally {
    await restarted.stop();
  }
});
