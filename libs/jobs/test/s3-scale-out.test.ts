// Scale-out without a shared disk: two worker processes, each with its own empty data directory, share only
// PostgreSQL (pg-boss) and an S3 endpoint (a real s3rver started here). Images go to the bucket; a version trained
// on one worker is grown further on the other (which fetches its parent's artifact and images from the bucket);
// a worker SIGKILLed mid-job is replaced and the job completes exactly once; a node with an empty data dir predicts
// with the result. Runs only with ACCRETE_TEST_DB=postgres.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '@accrete/config';
import { skipUnlessPostgres } from '@accrete/db/testing';
import { openStorage } from '@accrete/storage';
import { startS3Server, type S3TestServer } from '@accrete/storage/testing';
import { loadClassifier } from '@accrete/trainer';
import type { JobRunner } from '../src/runner.js';
import { stopAll, type WorkerProcess } from '../src/testing.js';
import { disposeSharedBackbones, getSharedBackbone } from '../src/shared-backbone.js';
import { REPO, createBaseModel, createFlowerDataset, createJob, waitForJob, type TestEnv } from './fixtures.js';
import { nodeDataDir, spawnWorker as spawnWorkerNode, startScaleOut } from './scale-out.js';

const skip = skipUnlessPostgres();
let s3: S3TestServer;
let env: TestEnv;
let submitter: JobRunner;
let storageEnv: Record<string, string>;
const children: WorkerProcess[] = [];

function spawnWorker(dataDir: string): WorkerProcess & { id: Promise<string> } {
  const w = spawnWorkerNode(env, `worker ${children.length + 1}`, dataDir, storageEnv);
  children.push(w);
  return { ...w, id: w.workerId };
}

before(async () => {
  if (skip) return;
  s3 = await startS3Server();
  storageEnv = { ...s3.env, ACCRETE_STORAGE_URL: `s3://${s3.bucket}/scale-out` };
  ({ env, submitter } = await startScaleOut({ env: storageEnv }));
});

after(async () => {
  await stopAll(children);
  await submitter?.stop();
  await disposeSharedBackbones();
  await env?.close();
  await s3?.close();
});

test(
  "workers sharing only PostgreSQL and S3: v2 on A, v3 on B from A's artifact, v4 survives a SIGKILLed worker, a fresh node predicts",
  { skip },
  async (t) => {
    assert.equal(env.storage.remote?.kind, 's3');
    const ds = await createFlowerDataset(env, 's3-flowers', { dandelion: [4, 2], roses: [4, 2] });
    const a = spawnWorker(await nodeDataDir(env, 'node-a'));
    const idA = await a.id;

    const base = await createBaseModel(env.prisma, 's3-scale');
    const v2 = await createJob(env.prisma, {
      parentVersionId: base.versionId,
      datasetVersionId: ds.datasetVersionId,
      newClasses: ['dandelion'],
    });
    await submitter.submit(v2.jobId);
    const r2 = await waitForJob(env.prisma, v2.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 240_000);
    assert.equal(r2.status, 'SUCCEEDED', `${r2.error ?? ''}\n${a.out.join('\n')}`);
    assert.equal(r2.workerId, idA);

    // A leaves; B, with an empty data dir, must take its images and v2's artifact from the bucket.
    a.child.kill('SIGTERM');
    await children[0]!.exited;
    const dirB = await nodeDataDir(env, 'node-b');
    const b = spawnWorker(dirB);
    const idB = await b.id;
    const v3 = await createJob(env.prisma, {
      parentVersionId: v2.versionId,
      datasetVersionId: ds.datasetVersionId,
      newClasses: ['roses'],
    });
    await submitter.submit(v3.jobId);
    const r3 = await waitForJob(env.prisma, v3.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 240_000);
    assert.equal(r3.status, 'SUCCEEDED', `${r3.error ?? ''}\n${b.out.join('\n')}`);
    assert.equal(r3.workerId, idB);
    assert.equal(
      (await readdir(join(dirB, 'images'), { recursive: true })).filter((f) => f.length > 3).length,
      12,
      'B fetched the 12 images',
    );
    assert.ok((await readdir(join(dirB, 'artifacts'))).includes(v2.versionId), 'B fetched its parent artifact');
    const ran = (r: typeof r2) => ((r.finishedAt!.getTime() - r.startedAt!.getTime()) / 1000).toFixed(1);
    t.diagnostic(`v2 on A ran ${ran(r2)} s; v3 on B (cold: images and parent from S3) ran ${ran(r3)} s`);

    // C (empty data dir) takes v4 while B is paused, and is SIGKILLed mid-job: B takes the job over and publishes it once.
    const tulips = await createFlowerDataset(env, 's3-tulips', { tulips: [12, 4] });
    const c = spawnWorker(await nodeDataDir(env, 'node-c'));
    const idC = await c.id;
    b.child.kill('SIGSTOP');
    const v4 = await createJob(env.prisma, {
      parentVersionId: v3.versionId,
      datasetVersionId: tulips.datasetVersionId,
      newClasses: ['tulips'],
      options: { augmentations: 8 },
    });
    try {
      await submitter.submit(v4.jobId);
      const running = await waitForJob(env.prisma, v4.jobId, ['RUNNING', 'SUCCEEDED', 'FAILED'], 120_000);
      assert.equal(running.status, 'RUNNING', c.out.join('\n'));
      assert.equal(running.workerId, idC);
      c.child.kill('SIGKILL');
      await children[2]!.exited;
    } finally {
      b.child.kill('SIGCONT');
    }
    const r4 = await waitForJob(env.prisma, v4.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED'], 180_000);
    assert.equal(r4.status, 'SUCCEEDED', `${r4.error ?? ''}\n${b.out.join('\n')}`);
    assert.equal(r4.workerId, idB);
    assert.equal(r4.attempts, 2);
    // B's log reaches this process through a pipe: the row can say SUCCEEDED before B's line has arrived
    await b.printed(`version ${v4.versionId} READY`);
    const published = [...b.out, ...c.out].filter((l) => l.includes(`version ${v4.versionId} READY`));
    assert.equal(published.length, 1, `published once: ${published.join(' | ')}`);
    t.diagnostic(`v4 taken over by B after C was killed; B's attempt ran ${ran(r4)} s`);
    b.child.kill('SIGTERM');

    // A third node (an API process, say) with an empty data dir predicts with v4, fetched from the bucket.
    const dirC = await mkdtemp(join(env.root, 'node-api-'));
    const configC = loadConfig(
      { ...storageEnv, ACCRETE_DATA_DIR: dirC, ACCRETE_SHARED_DIR: env.config.sharedDir },
      REPO,
    );
    const storageC = openStorage(configC.paths, configC.storage);
    await storageC.ensure();
    const row = await env.prisma.modelVersion.findUniqueOrThrow({ where: { id: v4.versionId } });
    assert.equal(row.status, 'READY');
    const dir = await storageC.ensureArtifact(row.id, row.artifactSha256);
    const clf = await loadClassifier({ artifactDir: dir, backbone: await getSharedBackbone(env.config) });
    const image = await env.prisma.datasetImage.findFirstOrThrow({
      where: { label: 'tulips', split: 'TRAIN', dataset: { name: 's3-tulips' } },
      include: { image: true },
    });
    const top = await clf.predict(await storageC.readImage(image.image.storageKey), 3);
    assert.equal(top.length, 3);
    assert.ok(top.every((p) => typeof p.label === 'string' && p.probability >= 0 && p.probability <= 1));
    assert.ok(
      top.some((p) => p.label === 'tulips'),
      `tulips among the top 3 of a training image: ${JSON.stringify(top)}`,
    );
  },
);
