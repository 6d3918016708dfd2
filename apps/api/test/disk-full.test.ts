// A full disk under a running API: the data dir is a small tmpfs mounted by the test (needs root; skipped with a
// message otherwise). Training whose bottleneck cache cannot be written, a job whose export cannot be written and
// an upload that cannot be stored each fail cleanly (job FAILED with a reason naming the full disk, HTTP 507 with
// INSUFFICIENT_STORAGE), the process keeps serving, nothing half-written stays, and what a killed process would
// have left is removed when the API starts again on the same data dir.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi, type ApiApp } from '../src/app.js';
import { startTestApi, ok, FLOWERS, SHARED, type TestApi } from './harness.js';

const SIZE = '64m';
let mount: string | null = null;
let skip: string | null = null;
let rehearsalDir: string;
let api: TestApi;
let filler: string;

function mountTmpfs(): void {
  if (process.getuid?.() !== 0) {
    skip = 'disk-full tests skipped: mounting a small tmpfs needs root';
    return;
  }
  const dir = join(tmpdir(), `accrete-full-${process.pid}`);
  execFileSync('mkdir', ['-p', dir]);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE}`, 'tmpfs', dir], { stdio: 'pipe' });
    mount = dir;
  } catch (e) {
    skip = `disk-full tests skipped: cannot mount a tmpfs (${(e as Error).message.split('\n')[0]})`;
  }
}

/** Fills the disk so that `leave` bytes stay free. */
async function fillLeaving(leave: number): Promise<void> {
  await rm(filler, { force: true });
  const s = statfsSync(mount!);
  const free = s.bavail * s.bsize;
  await writeFile(filler, Buffer.alloc(Math.max(0, free - leave)));
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(p + '/', ...(await walk(p)));
    else out.push(p);
  }
  return out;
}

const tempLeftovers = async () =>
  (await walk(mount!)).filter((p) => p.endsWith('.tmp') || p.includes('/.tmp-') || /\/uploads\/req-/.test(p));

async function waitForJob(jobId: string): Promise<{ status: string; error: string | null }> {
  // the runner writes the row; a terminal status is what we wait for (bounded by the test timeout)
  for (;;) {
    const j = await api.db.prisma.trainingJob.findUniqueOrThrow({
      where: { id: jobId },
      select: { status: true, error: true },
    });
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.status)) return j;
    await new Promise((r) => setTimeout(r, 200));
  }
}

let dvId: string;
let v1: string;
const CMV = `mutation($i: CreateModelVersionInput!) { createModelVersion(input: $i) { version { id } job { id } } }`;
const grow = async (seed: number) => {
  const r = ok(
    await api.gql(CMV, {
      i: {
        parentVersionId: v1,
        datasetVersionId: dvId,
        classes: [{ label: 'tulips' }, { label: 'roses' }],
        options: { augmentations: 0, epochs: 5, seed },
      },
    }),
  );
  return waitForJob(r.createModelVersion.job.id);
};

before(async () => {
  mountTmpfs();
  if (skip) return;
  filler = join(mount!, 'filler');
  // a small rehearsal pool on the ordinary disk (the shared one would make each job minutes long)
  rehearsalDir = await mkdtemp(join(tmpdir(), 'accrete-full-rehearsal-'));
  for (const f of (await readdir(join(SHARED, 'datasets/imagenet-sample')))
    .filter((f) => f.endsWith('.jpg'))
    .slice(0, 6)) {
    await copyFile(join(SHARED, 'datasets/imagenet-sample', f), join(rehearsalDir, f));
  }
  api = await startTestApi({ ACCRETE_DATA_DIR: join(mount!, 'data'), ACCRETE_REHEARSAL_DIR: rehearsalDir });
  v1 = ok(await api.gql(`{ model(name: "${api.config.baseModelName}") { version(number: 1) { id } } }`)).model.version
    .id;
  const ds = ok(await api.gql(`mutation { createDataset(input: { name: "full" }) { id } }`)).createDataset.id;
  for (const label of ['tulips', 'roses']) {
    for (const split of ['train', 'val'] as const) {
      const dir = join(FLOWERS, split, label);
      const names = (await readdir(dir)).sort().slice(0, split === 'train' ? 4 : 2);
      const files = await Promise.all(names.map(async (n) => ({ name: n, data: await readFile(join(dir, n)) })));
      const r = await api.upload(files, { datasetId: ds, label, split: split.toUpperCase() });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
  }
  dvId = ok(await api.gql(`mutation($d: ID!) { freezeDatasetVersion(datasetId: $d) { id } }`, { d: ds }))
    .freezeDatasetVersion.id;
});

after(async () => {
  await api?.close();
  if (mount) {
    execFileSync('umount', ['-l', mount]);
    await rm(mount, { recursive: true, force: true });
  }
  if (rehearsalDir) await rm(rehearsalDir, { recursive: true, force: true });
});

test(
  'training on a full disk: the bottleneck cache write fails the job with a clear reason; the API keeps serving',
  { timeout: 10 * 60_000 },
  async (t) => {
    if (skip) return t.skip(skip);
    await fillLeaving(4096);
    const job = await grow(1);
    assert.equal(job.status, 'FAILED');
    assert.match(job.error ?? '', /disk is full/, job.error ?? '');
    assert.ok(!(job.error ?? '').includes(mount!), `the reason names no server path: ${job.error}`);
    assert.equal((await fetch(`${api.url}/health`)).status, 200);
    assert.deepEqual(await tempLeftovers(), []);
    const version = await api.db.prisma.modelVersion.findFirstOrThrow({
      where: { jobs: { some: {} } },
      orderBy: { number: 'desc' },
      select: { status: true, artifactUri: true },
    });
    assert.equal(version.status, 'FAILED');
    assert.equal(version.artifactUri, null);
  },
);

test(
  'export on a full disk: the job fails with a clear reason and leaves no artifact or scratch',
  { timeout: 10 * 60_000 },
  async (t) => {
    if (skip) return t.skip(skip);
    await rm(filler, { force: true });
    const warm = await grow(2); // computes and caches every bottleneck, writes one artifact
    assert.equal(warm.status, 'SUCCEEDED', warm.error ?? '');
    const artifacts = api.config.paths.artifacts;
    const before = await readdir(artifacts);
    let artifactBytes = 0;
    for (const f of await walk(join(artifacts, before[0]))) if (!f.endsWith('/')) artifactBytes += (await stat(f)).size;
    await fillLeaving(Math.floor(artifactBytes / 2)); // room for the (cached) bottlenecks' reads, not for a model
    const job = await grow(3);
    assert.equal(job.status, 'FAILED');
    assert.match(job.error ?? '', /disk is full/, job.error ?? '');
    assert.ok(!(job.error ?? '').includes(mount!), job.error ?? '');
    assert.deepEqual((await readdir(artifacts)).sort(), before.sort(), 'no new artifact dir, no scratch');
    assert.deepEqual(await tempLeftovers(), []);
    assert.equal((await fetch(`${api.url}/health`)).status, 200);
  },
);

test('upload on a full disk: 507 INSUFFICIENT_STORAGE, no rows, no files', async (t) => {
  if (skip) return t.skip(skip);
  await fillLeaving(64 * 1024);
  const ds = ok(await api.gql(`mutation { createDataset(input: { name: "full-upload" }) { id } }`)).createDataset.id;
  const dir = join(FLOWERS, 'train', 'daisy');
  const names = (await readdir(dir)).sort().slice(0, 4);
  const imagesBefore = await api.db.prisma.image.count();
  const filesBefore = (await walk(api.config.paths.images)).length;
  const r = await api.upload(
    await Promise.all(names.map(async (n) => ({ name: n, data: await readFile(join(dir, n)) }))),
    { datasetId: ds, label: 'daisy' },
  );
  assert.equal(r.status, 507, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'INSUFFICIENT_STORAGE');
  assert.ok(!JSON.stringify(r.body).includes(mount!), JSON.stringify(r.body));
  assert.equal(await api.db.prisma.image.count(), imagesBefore);
  assert.equal(await api.db.prisma.datasetImage.count({ where: { datasetId: ds } }), 0);
  assert.equal((await walk(api.config.paths.images)).length, filesBefore);
  assert.deepEqual(await tempLeftovers(), []);
  assert.equal((await fetch(`${api.url}/health`)).status, 200);
});

test('what a killed process leaves on the data dir is removed at the next start; live files stay', async (t) => {
  if (skip) return t.skip(skip);
  await rm(filler, { force: true });
  const { paths } = api.config;
  const live = await api.db.prisma.image.findMany({ select: { storageKey: true } });
  const sha = 'ab'.repeat(32);
  const planted = [
    join(paths.artifacts, `.tmp-deadbeef-${'0'.repeat(8)}`, 'model', 'model.json'),
    join(paths.bottlenecks, 'bb', 'ab', `${sha}.bn.123.x.tmp`),
    join(paths.images, 'ab', `${sha}.0000.tmp`),
    join(paths.images, 'ab', sha), // an orphan: stored, its row never inserted
    join(paths.uploads, 'req-killed', '0.part'),
    // a download from the shared object store cut off mid-way
    join(paths.blobCache, 'artifacts', 'ab', `${sha}.${'0'.repeat(8)}.tmp`),
  ];
  // a complete cached blob is this node's read-through copy: it stays
  const cachedBlob = join(paths.blobCache, 'artifacts', 'ab', sha);
  await mkdir(join(cachedBlob, '..'), { recursive: true });
  await writeFile(cachedBlob, 'x');
  for (const p of planted) {
    await mkdir(join(p, '..'), { recursive: true });
    await writeFile(p, p.endsWith('.tmp') ? '' : 'x');
  }
  await api.app.close();
  const logs: string[] = [];
  let again: ApiApp | null = null;
  try {
    again = await startApi({ config: api.config, db: api.db, port: 0, log: (m) => logs.push(m) });
    for (const p of planted) await assert.rejects(stat(p), `${p} should be gone`);
    for (const l of live) assert.ok((await stat(join(paths.images, l.storageKey))).size > 0, `${l.storageKey} kept`);
    assert.equal((await stat(cachedBlob)).size, 1, 'a cached blob is kept');
    assert.ok(
      logs.some((l) =>
        /removed leftovers: 1 artifact scratch dirs, 3 temp files, 1 upload dirs, 1 orphan image files/.test(l),
      ),
      logs.join('\n'),
    );
    assert.equal((await fetch(`${again.server.url}/health`)).status, 200);
  } finally {
    await again?.close();
  }
});
