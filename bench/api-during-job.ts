// bench/api.ts --during-job: the API's latency while a COLD training job runs. The real API process (as `npm start`
// runs it, fresh data dir: empty caches) imports the flowers folder and grows the base model by its 5 classes; from
// the job's start to READY, two load generators (child processes, bench/api-load.mjs) keep asking: predict
// (sequential, imageBase64 of 50 imagenet-sample photos) and the paginated list query at 50 concurrent clients.
// Reports p50/p99/max of both over the whole job, errors and connection resets (counted apart), the job's phases
// and the peak RSS of the API and of its training process.
import { fork } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
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

const runLoad = (job: LoadJob) =>
  new Promise<LoadResult>((res, rej) => {
    const child = fork(fileURLToPath(new URL('./api-load.mjs', import.meta.url)), [], { execArgv: [] });
    child.once('message', (m: LoadResult) => res(m));
    child.once('error', rej);
    child.once('exit', (code) => code !== 0 && rej(new Error(`load generator exited ${code}`)));
    child.send(job);
  });

const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : null;
const r2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

export async function benchDuringJob(opts: { shared: string; port: number; clients: number }) {
  const api = await startApiProcess({ shared: opts.shared, port: opts.port });
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
    await runLoad({
      kind: 'list',
      url,
      token: api.token,
      versionId: ds.baseVersionId,
      clients: 1,
      perClient: 1,
      ramp: 0,
    });

    const loadBefore = +loadavg()[0].toFixed(2);
    const t0 = performance.now();
    const apiCpu0 = await cpuMsOf(api.proc.pid!);
    const job = await startFlowersJob(api, ds);
    let done = false;
    let apiPeakMiB = 0;
    const predict: LoadResult[] = [];
    const list: LoadResult[] = [];
    const loops = [
      (async () => {
        while (!done)
          predict.push(await runLoad({ kind: 'predict', url, token: api.token, images, count: 25, warmup: 0 }));
      })(),
      (async () => {
        while (!done)
          list.push(
            await runLoad({
              kind: 'list',
              url,
              token: api.token,
              versionId: ds.baseVersionId,
              clients: opts.clients,
              perClient: 10,
              ramp: 0,
              warmup: 0,
            }),
          );
      })(),
    ];
    let row: JobRow;
    for (;;) {
      row = (await api.gql(`query($id: ID!) { trainingJob(id: $id) { status phase error } }`, { id: job.jobId }))
        .trainingJob;
      apiPeakMiB = Math.max(apiPeakMiB, (await rssOf(api.proc.pid!))?.rssMiB ?? 0);
      if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(row.status)) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    done = true;
    await Promise.all(loops);
    // the API's own CPU time per request over the job (the figure the busy machine does not distort)
    const apiCpu1 = await cpuMsOf(api.proc.pid!);
    const trainerCpuMs = api.trainerPid() ? await cpuMsOf(api.trainerPid()!) : null;
    const jobSeconds = (performance.now() - t0) / 1000;
    if (row.status !== 'SUCCEEDED') throw new Error(`job ${row.status}: ${row.error}`);
    const sum = (rs: LoadResult[]) => {
      const ms = rs.flatMap((r) => r.ms);
      return {
        requests: rs.reduce((n, r) => n + r.requests, 0),
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
      apiCpu: {
        totalMs: apiCpu0 !== null && apiCpu1 !== null ? r2(apiCpu1 - apiCpu0) : null,
        msPerRequest:
          apiCpu0 !== null && apiCpu1 !== null
            ? r2((apiCpu1 - apiCpu0) / [...predict, ...list].reduce((n, r) => n + r.requests, 0))
            : null,
      },
      trainingProcessCpuMs: trainerCpuMs,
      apiPeakRssMiB: apiPeakMiB,
      trainingProcessPeakRssMiB: api.trainerPid() ? (await rssOf(api.trainerPid()!))?.peakMiB : null,
    };
  } finally {
    await api.stop();
    await rm(api.dataDir, { recursive: true, force: true });
  }
}
