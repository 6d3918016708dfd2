// bench/api.ts --during-job: the API's latency while a COLD training job runs. The real API process (as `npm start`
// runs it, fresh data dir: empty caches) imports the flowers folder and grows the base model by its 5 classes; from
// the job's start to READY, two load generators (child processes, bench/api-load.mjs) keep asking: predict
// (sequential, imageBase64 of 50 imagenet-sample photos) and the paginated list query at 50 concurrent clients, the
// same clients and keep-alive sockets from before the job starts to READY (each list client's first 5 requests untimed).
// Reports p50/p99/max of both over the whole job, errors and connection resets (counted apart), the job's phases
// and the peak RSS of the API and of its training process; the API's CPU per request, its event-loop thread apart
// (bench/flowers-job.ts cpuMsOf), and a list request's share estimated by taking out the predictions at their
// no-job cost.
import { fork } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cpuMsOf,
  importFlowers,
  jobReport,
  rssOf,
  startApiProcess,
  startFlowersJob,
  type JobRow,
} from './flowers-job.js';

interface LoadResult {
  ms: number[];
  at: number[];
  infer: number[];
  requests: number;
  errors: number;
  resets: number;
  wallS: number;
  firstError?: string;
}
type LoadJob =
  | { kind: 'predict'; url: string; token: string; images: string[]; count: number; warmup?: number }
  | {
      kind: 'list';
      url: string;
      token: string;
      versionId: string;
      clients: number;
      perClient: number;
      ramp: number;
      warmup?: number;
    };
type SteadyLoadJob =
  | (Omit<Extract<LoadJob, { kind: 'predict' }>, 'count'> & { count?: never })
  | (Omit<Extract<LoadJob, { kind: 'list' }>, 'perClient'> & { perClient?: never });

const runLoad = (job: LoadJob) =>
  new Promise<LoadResult>((res, rej) => {
    const child = fork(fileURLToPath(new URL('./api-load.mjs', import.meta.url)), [], { execArgv: [] });
    child.once('message', (m: LoadResult) => res(m));
    child.once('error', rej);
    child.once('exit', (code) => code !== 0 && rej(new Error(`load generator exited ${code}`)));
    child.send(job);
  });

/**
 * A load generator that keeps the same clients and keep-alive sockets asking from its 'ready' (warm-up and ramp done)
 * until stop(): clients that stay connected through a whole job. (Forking a new generator every few hundred requests,
 * as this bench did before, timed a fork and 50 fresh connections every ~0.4 s: a stampede no steady client makes.)
 */
function steadyLoad(job: SteadyLoadJob) {
  const child = fork(fileURLToPath(new URL('./api-load.mjs', import.meta.url)), [], { execArgv: [] });
  const failed = new Promise<never>((_, rej) => {
    child.once('error', rej);
    child.once('exit', (code) => code !== 0 && rej(new Error(`load generator exited ${code}`)));
  });
  const ready = Promise.race([
    failed,
    new Promise<void>((res) => child.once('message', (m) => m === 'ready' && res())),
  ]);
  const result = Promise.race([
    failed,
    new Promise<LoadResult>((res) => child.on('message', (m) => typeof m === 'object' && res(m as LoadResult))),
  ]);
  child.send({ ...job, untilStop: true });
  return {
    ready,
    stop: () => {
      child.send('stop');
      return result;
    },
  };
}

const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : null;
const r2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

export async function benchDuringJob(opts: { shared: string; port: number; clients: number }) {
  const probeDir = await mkdtemp(join(tmpdir(), 'accrete-bench-probe-'));
  const probeFile = join(probeDir, 'loop.jsonl');
  const api = await startApiProcess({ shared: opts.shared, port: opts.port, loopProbeFile: probeFile });
  try {
    const url = `${api.url}/graphql`;
    const sampleDir = join(opts.shared, 'datasets/imagenet-sample');
    const files = (await readdir(sampleDir))
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .slice(0, 50);
    const images = await Promise.all(files.map(async (f) => (await readFile(join(sampleDir, f))).toString('base64')));
    const ds = await importFlowers(api, opts.shared);
    // warm both paths before the job (a server that has been up a while): first prediction loads the backbone
    await runLoad({ kind: 'predict', url, token: api.token, images, count: 1, warmup: 20 });
    // what one prediction costs the API with no job running (the same 25-request run as during the job, warm):
    // the during-job CPU per request mixes ~2 % predictions, each costing ~100× a list request
    const pid = api.proc.pid!;
    const [idle0, idleMain0] = [await cpuMsOf(pid), await cpuMsOf(pid, pid)];
    const idlePredict = await runLoad({ kind: 'predict', url, token: api.token, images, count: 25, warmup: 0 });
    const [idle1, idleMain1] = [await cpuMsOf(pid), await cpuMsOf(pid, pid)];
    await runLoad({
      kind: 'list',
      url,
      token: api.token,
      versionId: ds.baseVersionId,
      clients: 1,
      perClient: 1,
      ramp: 0,
    });

    const apiWarmRssMiB = (await rssOf(pid))?.rssMiB ?? null;
    const loadBefore = +loadavg()[0].toFixed(2);
    const predictLoad = steadyLoad({ kind: 'predict', url, token: api.token, images, warmup: 0 });
    const listLoad = steadyLoad({
      kind: 'list',
      url,
      token: api.token,
      versionId: ds.baseVersionId,
      clients: opts.clients,
      ramp: 5,
      warmup: 0,
    });
    await Promise.all([predictLoad.ready, listLoad.ready]);
    const t0 = performance.now();
    const apiCpu0 = await cpuMsOf(pid);
    const apiMain0 = await cpuMsOf(pid, pid);
    const job = await startFlowersJob(api, ds);
    const jobStartedAt = Date.now();
    let apiPeakMiB = 0;
    let row: JobRow;
    for (;;) {
      row = (await api.gql(`query($id: ID!) { trainingJob(id: $id) { status phase error } }`, { id: job.jobId }))
        .trainingJob;
      apiPeakMiB = Math.max(apiPeakMiB, (await rssOf(api.proc.pid!))?.rssMiB ?? 0);
      if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(row.status)) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const jobEndedAt = Date.now();
    const jobSeconds = (performance.now() - t0) / 1000;
    // only requests sent while the job ran count (the generators were ready just before it started)
    const during = (r: LoadResult): LoadResult => {
      const keep = r.at.map((t) => t >= jobStartedAt && t <= jobEndedAt);
      return { ...r, ms: r.ms.filter((_, i) => keep[i]), at: r.at.filter((_, i) => keep[i]) };
    };
    const predict = [during(await predictLoad.stop())];
    const list = [during(await listLoad.stop())];
    // the API's own CPU time per request over the job (the figure the busy machine does not distort)
    const apiCpu1 = await cpuMsOf(pid);
    const apiMain1 = await cpuMsOf(pid, pid);
    const trainerCpuMs = api.trainerPid() ? await cpuMsOf(api.trainerPid()!) : null;
    const loop = await loopReport(probeFile, jobStartedAt, Date.now());
    if (row.status !== 'SUCCEEDED') throw new Error(`job ${row.status}: ${row.error}`);
    const sum = (rs: LoadResult[]) => {
      const ms = rs.flatMap((r) => r.ms);
      return {
        requests: rs.reduce((n, r) => n + r.ms.length, 0),
        errors: rs.reduce((n, r) => n + r.errors, 0),
        connectionResets: rs.reduce((n, r) => n + r.resets, 0),
        firstError: rs.find((r) => r.firstError)?.firstError ?? null,
        p50Ms: r2(pct(ms, 50)),
        p99Ms: r2(pct(ms, 99)),
        maxMs: r2(ms.length ? ms.reduce((a, b) => Math.max(a, b), 0) : null),
      };
    };
    const report = await jobReport(api, job.versionId);
    return {
      bench: 'api-during-job',
      date: new Date().toISOString(),
      job: {
        cold: true,
        seconds: r2(jobSeconds),
        phases: report.jobTimings,
        loadavg1mBefore: loadBefore,
        loadavg1mAfter: +loadavg()[0].toFixed(2),
      },
      predict: { ...sum(predict), targetP99Ms: 100 },
      list: { clients: opts.clients, ...sum(list), targetP99Ms: 100 },
      apiCpu: apiCpuReport({
        total: delta(apiCpu0, apiCpu1),
        main: delta(apiMain0, apiMain1),
        predicts: predict.reduce((n, r) => n + r.ms.length, 0),
        lists: list.reduce((n, r) => n + r.ms.length, 0),
        idlePredict: { total: delta(idle0, idle1), main: delta(idleMain0, idleMain1), n: idlePredict.requests },
      }),
      trainingProcessCpuMs: trainerCpuMs,
      apiEventLoop: loop,
      apiWarmRssMiB,
      apiPeakRssMiB: apiPeakMiB,
      trainingProcessPeakRssMiB: api.trainerPid() ? (await rssOf(api.trainerPid()!))?.peakMiB : null,
    };
  } finally {
    await api.stop();
    await rm(api.dataDir, { recursive: true, force: true });
    await rm(probeDir, { recursive: true, force: true });
  }
}

const delta = (a: number | null, b: number | null) => (a !== null && b !== null ? b - a : null);

/**
 * The API's CPU over the job, per request: all threads, and the main thread (the event loop: what every request
 * waits on) apart from the others (the ONNX inference thread, sharp's decodes, GC helpers, libuv). The list figure
 * subtracts the predictions at their no-job cost (measured on the same server just before the job): an estimate,
 * since a prediction costs more while the trainer shares the cores.
 */
function apiCpuReport(m: {
  total: number | null;
  main: number | null;
  predicts: number;
  lists: number;
  idlePredict: { total: number | null; main: number | null; n: number };
}) {
  if (m.total === null || m.main === null) return null;
  const perIdlePredict = m.idlePredict.total !== null ? m.idlePredict.total / m.idlePredict.n : null;
  const mainPerIdlePredict = m.idlePredict.main !== null ? m.idlePredict.main / m.idlePredict.n : null;
  return {
    totalMs: r2(m.total),
    msPerRequest: r2(m.total / (m.predicts + m.lists)),
    mainThreadMs: r2(m.main),
    otherThreadsMs: r2(m.total - m.main),
    mainThreadMsPerRequest: r2(m.main / (m.predicts + m.lists)),
    predictMsNoJob: r2(perIdlePredict),
    predictMainThreadMsNoJob: r2(mainPerIdlePredict),
    listMsPerRequestEst:
      perIdlePredict !== null ? r2((m.total - perIdlePredict * m.predicts) / Math.max(1, m.lists)) : null,
    listMainThreadMsPerRequestEst:
      mainPerIdlePredict !== null ? r2((m.main - mainPerIdlePredict * m.predicts) / Math.max(1, m.lists)) : null,
  };
}

/** The API's event-loop delay over the job, from bench/loop-probe.mjs's per-second lines: max, worst seconds, GC. */
async function loopReport(file: string, from: number, to: number) {
  const lines = (await readFile(file, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map(
      (l) =>
        JSON.parse(l) as { t: number; maxMs: number; p99Ms: number; gcMs: number; gcMaxMs: number; heapMiB?: number },
    )
    .filter((l) => l.t > from && l.t <= to + 1000);
  if (!lines.length) return null;
  const worst = [...lines].sort((a, b) => b.maxMs - a.maxMs).slice(0, 5);
  return {
    seconds: lines.length,
    delayMaxMs: worst[0]!.maxMs,
    // the seconds with the longest stalls, at their offset from the job's start
    worstSeconds: worst.map((l) => ({ atS: Math.round((l.t - from) / 1000), maxMs: l.maxMs, gcMaxMs: l.gcMaxMs })),
    secondsWithDelayOver100Ms: lines.filter((l) => l.maxMs > 100).length,
    medianSecondP99Ms: [...lines].sort((a, b) => a.p99Ms - b.p99Ms)[Math.floor(lines.length / 2)]!.p99Ms,
    gcMs: r2(lines.reduce((n, l) => n + l.gcMs, 0)),
    gcPauseMaxMs: Math.max(...lines.map((l) => l.gcMaxMs)),
    heapUsedMaxMiB: Math.max(...lines.map((l) => l.heapMiB ?? 0)),
  };
}
