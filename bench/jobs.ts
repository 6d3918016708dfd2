// A training job end to end through the in-process runner (PGlite in memory, real base model, real flower photos,
// the full imagenet-sample as rehearsal pool + retention probe): cold bottleneck cache first, then the same request
// again on a warm cache. Prints and saves job seconds, the trainer's phase timings, the retention figures and the
// longest event-loop stall (a stall longer than the stale-heartbeat limit would make a live worker look dead).
// Run: node --import tsx bench/jobs.ts [--per-class 40] [--val-per-class 10] [--classes 5] [--augmentations 3]
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../libs/config/src/index.js';
import { openDatabase, MEMORY_DATA_DIR } from '../libs/db/src/index.js';
import { LocalStorage } from '../libs/storage/src/index.js';
import { createJobRunner, disposeSharedBackbones, getSharedBackbone, RETENTION_EVALUATION, VAL_EVALUATION } from '../libs/jobs/src/index.js';
import { createBaseModel, createFlowerDataset, createJob, waitForJob, type TestEnv } from '../libs/jobs/test/fixtures.js';

const { values } = parseArgs({
  options: {
    'per-class': { type: 'string', default: '40' },
    'val-per-class': { type: 'string', default: '10' },
    classes: { type: 'string', default: '5' },
    augmentations: { type: 'string', default: '3' },
    strategy: { type: 'string', default: 'calibrated' },
    shared: { type: 'string', default: process.env.ACCRETE_SHARED_DIR ?? '../shared' },
    out: { type: 'string', default: 'bench/results/jobs.json' },
  },
});
const shared = resolve(values.shared!);
const perClass = Number(values['per-class']);
const valPerClass = Number(values['val-per-class']);
const labels = ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips'].slice(0, Number(values.classes));
const augmentations = Number(values.augmentations);

const root = await mkdtemp(join(tmpdir(), 'accrete-bench-jobs-'));
const logs: string[] = [];
const config = loadConfig({ ACCRETE_DATA_DIR: join(root, 'data'), ACCRETE_SHARED_DIR: shared }, process.cwd());
const db = await openDatabase({ dataDir: MEMORY_DATA_DIR });
const storage = new LocalStorage(config.paths);
await storage.ensure();
const env = { db, prisma: db.prisma, config, storage, root, close: async () => {} } as TestEnv;

const tLoad = performance.now();
const backbone = await getSharedBackbone(config, (m) => logs.push(m));
const backboneLoadSeconds = (performance.now() - tLoad) / 1000;

const runner = createJobRunner({ prisma: db.prisma, config, storage, log: (m) => logs.push(m) }, { mode: 'inprocess', work: true, sweepMs: 0 });
await runner.start();
const base = await createBaseModel(db.prisma, 'bench');
const spec = Object.fromEntries(labels.map((l) => [l, [perClass, valPerClass] as [number, number]]));
const ds = await createFlowerDataset(env, 'bench-flowers', spec);
const daisy = labels.includes('daisy');

async function runOnce(name: string) {
  let writes = 0;
  // Longest event-loop stall during the job: heartbeats and progress writes cannot happen inside one.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const job = await createJob(db.prisma, {
    parentVersionId: base.versionId,
    datasetVersionId: ds.datasetVersionId,
    newClasses: labels.filter((l) => l !== 'daisy'),
    merges: daisy ? [{ label: 'daisy', outputUnit: 985 }] : [],
    strategy: values.strategy,
    options: { augmentations },
  });
  const t0 = performance.now();
  await runner.submit(job.jobId);
  // sample the row like the API does, to count distinct progress states seen
  let last = '';
  for (;;) {
    const row = await db.prisma.trainingJob.findUniqueOrThrow({ where: { id: job.jobId } });
    const key = `${row.phase}|${row.progress.toFixed(3)}`;
    if (key !== last) {
      writes++;
      last = key;
    }
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(row.status)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  loop.disable();
  const row = await waitForJob(db.prisma, job.jobId, ['SUCCEEDED', 'FAILED', 'CANCELLED']);
  if (row.status !== 'SUCCEEDED') throw new Error(`${name}: job ${row.status}: ${row.error}`);
  const evals = await db.prisma.evaluation.findMany({ where: { versionId: job.versionId } });
  const val = evals.find((e) => e.name === VAL_EVALUATION)!.metrics as Record<string, any>;
  const retention = evals.find((e) => e.name === RETENTION_EVALUATION)?.metrics as Record<string, number> | undefined;
  return {
    seconds: +seconds.toFixed(2),
    jobTimings: Object.fromEntries(Object.entries(val.jobTimings as Record<string, number>).map(([k, v]) => [k, +v.toFixed(2)])),
    trainerTimings: Object.fromEntries(Object.entries(val.timings as Record<string, number>).map(([k, v]) => [k, +v.toFixed(2)])),
    progressStatesSeen: writes,
    maxEventLoopStallMs: Math.round(loop.max / 1e6),
    lossPoints: (row.lossCurve as unknown[]).length,
    valTop1: val.top1 ?? val.overall?.top1,
    retention,
  };
}

const cold = await runOnce('cold');
const warm = await runOnce('warm');
await runner.stop();
await disposeSharedBackbones();
await db.close();
await rm(root, { recursive: true, force: true });

const result = {
  bench: 'jobs',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model.split(' ').slice(0, 2).join(' '), node: process.version },
  backend: backbone.backend,
  backboneLoadSeconds: +backboneLoadSeconds.toFixed(2),
  request: { classes: labels, trainPerClass: perClass, valPerClass, augmentations, strategy: values.strategy, rehearsalDir: config.rehearsalDir },
  cold,
  warm,
  loadAverageAtEnd: loadavg().map((x) => +x.toFixed(2)),
};
console.log(JSON.stringify(result, null, 2));
await mkdir(resolve(values.out!, '..'), { recursive: true });
await writeFile(values.out!, JSON.stringify(result, null, 2) + '\n');
