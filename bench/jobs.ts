// A whole training job as a user waits for it: the real API process (the command line `npm start` uses) on a fresh
// data dir (empty bottleneck and backbone caches), driven over HTTP: import the flowers folder (2934 train + 736
// val photos), freeze, grow the base model by its 5 classes (daisy merged) with the default options → READY.
// Cold = first job on the empty caches; warm = the same request again (bottlenecks cached, training process up).
// Reports seconds with the job's phase breakdown (prepare / load / grow = bottlenecks + fit + evaluate / retention /
// export / publish), the API's idle RSS before any job and its peak during the jobs, the training process's peak
// RSS, and the machine's load next to each figure (a shared 2-core machine: wall-clock figures include neighbours).
// With --storage s3 the API keeps images, artifacts, caches and backbones in an S3 protocol server (s3rver on
// 127.0.0.1, started here) instead of its data dir: the same job through the scale-out storage (issue 14's figure).
// Run: node --import tsx bench/jobs.ts [--port 4790] [--storage local|s3] [--out bench/results/jobs.json]
import { writeFile, mkdir, rm } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startS3Server, type S3TestServer } from '@accrete/storage/testing';
import {
  importFlowers,
  jobReport,
  rssOf,
  startApiProcess,
  startFlowersJob,
  waitForJob,
  type ApiProcess,
} from './flowers-job.js';

const { values } = parseArgs({
  options: {
    shared: { type: 'string', default: process.env.ACCRETE_SHARED_DIR ?? '../shared' },
    port: { type: 'string', default: '4790' },
    storage: { type: 'string', default: 'local' },
    out: { type: 'string' },
  },
});
if (values.storage !== 'local' && values.storage !== 's3') throw new Error('--storage is local or s3');
const out = values.out ?? (values.storage === 's3' ? 'bench/results/jobs-s3.json' : 'bench/results/jobs.json');
let s3: S3TestServer | undefined;
if (values.storage === 's3') {
  s3 = await startS3Server();
  // startApiProcess hands this process's env to the API
  Object.assign(process.env, s3.env, { ACCRETE_STORAGE_URL: `s3://${s3.bucket}/bench-jobs` });
}
const shared = resolve(values.shared!);
const load = () => +loadavg()[0].toFixed(2);

const t0 = performance.now();
const api: ApiProcess = await startApiProcess({ shared, port: Number(values.port) });
const apiStartSeconds = +((performance.now() - t0) / 1000).toFixed(2);
try {
  await new Promise((r) => setTimeout(r, 10_000)); // settle: idle means nothing in flight
  const idle = await rssOf(api.proc.pid!);
  const apiIdle = { rssMiB: idle?.rssMiB, loadavg1m: load() };
  console.error(`API idle RSS ${idle?.rssMiB} MiB (load ${apiIdle.loadavg1m})`);

  let apiPeakMiB = 0;
  const sample = async () => {
    apiPeakMiB = Math.max(apiPeakMiB, (await rssOf(api.proc.pid!))?.rssMiB ?? 0);
  };
  const ds = await importFlowers(api, shared);
  console.error(`imported ${ds.images} images in ${ds.importSeconds.toFixed(1)} s`);

  const run = async (name: string) => {
    const loadBefore = load();
    const t = performance.now();
    const job = await startFlowersJob(api, ds);
    const row = await waitForJob(api, job.jobId, sample);
    const seconds = +((performance.now() - t) / 1000).toFixed(2);
    if (row.status !== 'SUCCEEDED')
      throw new Error(`${name} job ${row.status}: ${row.error}\n${api.log.slice(-20).join('\n')}`);
    const report = await jobReport(api, job.versionId);
    const trainer = api.trainerPid();
    const r = {
      seconds,
      loadavg1mBefore: loadBefore,
      loadavg1mAfter: load(),
      ...report,
      trainingProcessPeakRssMiB: trainer ? (await rssOf(trainer))?.peakMiB : null,
    };
    console.error(`${name}: ${seconds} s ${JSON.stringify(r.jobTimings)} (load ${loadBefore} → ${r.loadavg1mAfter})`);
    return r;
  };
  const cold = await run('cold');
  const warm = await run('warm');
  const result = {
    bench: 'jobs',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model.split(' ').slice(0, 2).join(' '), node: process.version },
    storage: s3 ? `s3 (s3rver ${s3.endpoint})` : 'local directory',
    request: { dataset: 'flowers (train 2934 / val 736)', classes: 5, merged: ['daisy'], options: 'defaults' },
    apiStartSeconds,
    apiIdle,
    import: { images: ds.images, seconds: +ds.importSeconds.toFixed(2), loadavg1m: load() },
    cold,
    warm,
    apiPeakRssMiB: apiPeakMiB,
    target: { coldSeconds: 90, warmSeconds: 10, apiIdleRssMiB: 400, trainingPeakRssMiB: 1536 },
    log: api.log.filter((l) => /READY|training process|converted|FAILED/.test(l)).map((l) => l.slice(25)),
  };
  console.log(JSON.stringify(result, null, 2));
  await mkdir(resolve(out, '..'), { recursive: true });
  await writeFile(out, JSON.stringify(result, null, 2) + '\n');
} finally {
  await api.stop();
  await rm(api.dataDir, { recursive: true, force: true });
  await s3?.close();
}
