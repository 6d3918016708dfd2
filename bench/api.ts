// API latency on loopback against the real server (PGlite in memory by default, real backbone, real runner), run
// as `npm start` runs it (NODE_ENV=production):
//  - predict p50/p99, warm (target p50 ≤ 30 ms): sequential requests with imageBase64 of 50 varied photos;
//  - p99 of a paginated list query (a version's classes with their class nodes, random pages) at 50 concurrent
//    clients, each sending its next request as soon as the last is answered (target ≤ 50 ms, 0 errors). Every page
//    is read once first (a server that has been up a while), each client's first `ramp` requests are not timed,
//    and the load is repeated `repeat` times on the same server: the run with the median p99 is reported, with
//    every run's p99.
// The clients run in a child process (bench/api-load.mjs); the server's own CPU time per request, the client's,
// the server's event-loop delay and GC pauses are reported too, because on a shared 2-core machine wall-clock
// latencies also measure the neighbours. Prints and saves bench/results/api.json.
// Run: node --import tsx bench/api.ts [--predicts 300] [--clients 50] [--perClient 200] [--ramp 5] [--repeat 5]
//      [--db pglite|postgres] [--out file] [--profile out.cpuprofile]  (CPU profile of the server during the list loads)
//      [--during-job [--port 4791]]: instead, the same two loads against the real API process while a cold flowers
//      training job runs, over the whole job (bench/api-during-job.ts; saves bench/results/api-during-job.json)
import './production-env.js';
import 'reflect-metadata';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir, cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@accrete/config';
import { openDatabase, MEMORY_DATA_DIR } from '@accrete/db';
import { createTestDatabase } from '@accrete/db/testing';
import { createApiToken } from '@accrete/auth';
import { disposeSharedBackbones } from '@accrete/jobs';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the bench measures the real API, started in this process
import { startApi } from '../apps/api/src/app.js';
type LoadJob =
  | { kind: 'predict'; url: string; token: string; images: string[]; count: number }
  | { kind: 'list'; url: string; token: string; versionId: string; clients: number; perClient: number; ramp: number };
interface LoadResult {
  ms: number[];
  infer: number[];
  requests: number;
  errors: number;
  wallS: number;
  clientCpuMs: number;
  firstError?: string;
}

const { values } = parseArgs({
  options: {
    predicts: { type: 'string', default: '300' },
    clients: { type: 'string', default: '50' },
    perClient: { type: 'string', default: '200' },
    db: { type: 'string', default: 'pglite' },
    shared: { type: 'string', default: process.env.ACCRETE_SHARED_DIR ?? '../shared' },
    out: { type: 'string', default: 'bench/results/api.json' },
    profile: { type: 'string' },
    ramp: { type: 'string', default: '5' },
    repeat: { type: 'string', default: '5' },
    'during-job': { type: 'boolean', default: false },
    port: { type: 'string', default: '4791' },
  },
});
if (values['during-job']) {
  const { benchDuringJob } = await import('./api-during-job.js');
  const r = await benchDuringJob({
    shared: resolve(values.shared!),
    port: Number(values.port),
    clients: Number(values.clients),
  });
  const out = values.out === 'bench/results/api.json' ? 'bench/results/api-during-job.json' : values.out!;
  console.log(JSON.stringify(r, null, 2));
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(r, null, 2) + '\n');
  process.exit(0);
}
const shared = resolve(values.shared!);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const round = (x: number) => Math.round(x * 100) / 100;
/** Runs a load in a child process; also returns this (server) process's CPU time spent meanwhile. */
const load = (job: LoadJob) =>
  new Promise<LoadResult & { serverCpuMs: number }>((res, rej) => {
    const child = fork(fileURLToPath(new URL('./api-load.mjs', import.meta.url)), [], { execArgv: [] });
    let cpu0 = process.cpuUsage();
    child.once('message', (m: LoadResult & { warm?: boolean }) => {
      const cpu = process.cpuUsage(cpu0);
      res({ ...m, serverCpuMs: (cpu.user + cpu.system) / 1000 });
    });
    child.once('error', rej);
    child.once('exit', (code) => code !== 0 && rej(new Error(`load generator exited ${code}`)));
    child.send(job);
    cpu0 = process.cpuUsage();
  });

const dataDir = await mkdtemp(join(tmpdir(), 'accrete-bench-api-'));
const config = loadConfig({
  ...process.env,
  ACCRETE_DATA_DIR: dataDir,
  ACCRETE_SHARED_DIR: shared,
  ACCRETE_OPEN_READS: 'false',
});
if (values.db === 'postgres') process.env.ACCRETE_TEST_DB = 'postgres'; // a scratch database on ACCRETE_TEST_PG_URL's server
const db = values.db === 'postgres' ? await createTestDatabase() : await openDatabase({ dataDir: MEMORY_DATA_DIR });
// no background scoring of the base version in the training process while latency and RSS are measured
const app = await startApi({ config, db, port: 0, evaluateBase: false, log: () => undefined });
const { token } = await createApiToken(db.prisma, { name: 'bench', role: 'READER' });
const url = `${app.server.url}/graphql`;

const sampleDir = join(shared, 'datasets/imagenet-sample');
const files = (await readdir(sampleDir))
  .filter((f) => f.endsWith('.jpg'))
  .sort()
  .slice(0, 50);
const images = await Promise.all(files.map(async (f) => (await readFile(join(sampleDir, f))).toString('base64')));
const v1 = await db.prisma.modelVersion.findFirstOrThrow({ where: { number: 1 } });
const predict = await load({ kind: 'predict', url, token, images, count: Number(values.predicts) });
const { Session } = await import('node:inspector/promises');
const session = values.profile ? new Session() : null;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
// server-side view of the tail: event-loop stalls and GC pauses while the list load runs
const { monitorEventLoopDelay, PerformanceObserver } = await import('node:perf_hooks');
const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };

/** One list load (a fresh client process) with the server's event-loop delay and GC pauses meanwhile. */
async function listRun() {
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  const gcPauses: number[] = [];
  const gcByKind: Record<string, number> = {};
  const gcObserver = new PerformanceObserver((items) => {
    for (const e of items.getEntries()) {
      gcPauses.push(e.duration);
      const kind = GC_KINDS[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other';
      gcByKind[kind] = round((gcByKind[kind] ?? 0) + e.duration);
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  loopDelay.enable();
  const r = await load({
    kind: 'list',
    url,
    token,
    versionId: v1.id,
    clients: Number(values.clients),
    perClient: Number(values.perClient),
    ramp: Number(values.ramp),
  });
  loopDelay.disable();
  gcObserver.disconnect();
  if (r.errors) console.error(`list: ${r.errors} errors, e.g. ${r.firstError}`);
  return {
    requests: r.requests,
    timed: r.ms.length,
    errors: r.errors,
    p50Ms: round(pct(r.ms, 50)),
    p90Ms: round(pct(r.ms, 90)),
    p99Ms: round(pct(r.ms, 99)),
    maxMs: round(Math.max(...r.ms)),
    throughputRps: round(r.requests / r.wallS),
    serverCpuMsPerRequest: round(r.serverCpuMs / (r.requests + 50)),
    clientCpuMsPerRequest: round(r.clientCpuMs / r.requests),
    eventLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6),
    eventLoopDelayMaxMs: round(loopDelay.max / 1e6),
    gcPauses: gcPauses.length,
    gcPauseTotalMs: round(gcPauses.reduce((a, b) => a + b, 0)),
    gcPauseMaxMs: round(Math.max(0, ...gcPauses)),
    gcPauseMsByKind: gcByKind,
  };
}
const runs: Awaited<ReturnType<typeof listRun>>[] = [];
for (let i = 0; i < Number(values.repeat); i++) runs.push(await listRun());
if (session) {
  const { profile } = await session.post('Profiler.stop');
  await writeFile(values.profile!, JSON.stringify(profile));
}
if (predict.errors) console.error(`predict: ${predict.errors} errors, e.g. ${predict.firstError}`);
// the run with the median p99 stands for the bench; every run's figures are kept
const median = [...runs].sort((a, b) => a.p99Ms - b.p99Ms)[Math.floor(runs.length / 2)];

const result = {
  at: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg1m: round(loadavg()[0]) },
  db: db.kind,
  backend: (await app.backbone()).backend,
  predict: {
    requests: predict.ms.length,
    errors: predict.errors,
    p50Ms: round(pct(predict.ms, 50)),
    p90Ms: round(pct(predict.ms, 90)),
    p99Ms: round(pct(predict.ms, 99)),
    serverInferenceP50Ms: round(pct(predict.infer, 50)),
    serverCpuMsPerRequest: round(predict.serverCpuMs / (predict.ms.length + predict.errors + 20)),
    targetP50Ms: 30,
  },
  list: {
    clients: Number(values.clients),
    rampPerClient: Number(values.ramp),
    runs: runs.length,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    medianRun: median,
    p99MsByRun: runs.map((r) => r.p99Ms),
    targetP99Ms: 50,
  },
};
console.log(JSON.stringify(result, null, 2));
await mkdir(dirname(values.out!), { recursive: true });
await writeFile(values.out!, JSON.stringify(result, null, 2) + '\n');
console.log(`saved ${values.out}`);
await app.close();
await disposeSharedBackbones();
await db.close();
await rm(dataDir, { recursive: true, force: true });
