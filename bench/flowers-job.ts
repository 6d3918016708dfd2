// A real API process (as `npm start` runs it) on a fresh data dir, driven over HTTP like a user would: import the
// flowers folder, freeze a dataset version, grow the base model by its 5 classes (daisy merged) with the default
// options, wait for READY. Shared by bench/jobs.ts (how long) and bench/api.ts --during-job (what the API does meanwhile).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the bench starts the API exactly as tools/start.mjs does
import { API_ENTRY, API_NODE_FLAGS, apiEnv } from '../tools/api-process.mjs';

export const REPO = resolve(import.meta.dirname, '..');

export interface ApiProcess {
  url: string;
  token: string;
  dataDir: string;
  proc: ChildProcess;
  log: string[];
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** pid of the API's training child process, once it started. */
  trainerPid(): number | undefined;
  stop(): Promise<void>;
}

/** RSS and peak RSS (MiB) of a process from /proc (Linux). */
export async function rssOf(pid: number): Promise<{ rssMiB: number; peakMiB: number } | null> {
  try {
    const s = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN);
    return { rssMiB: Math.round(kb('VmRSS') / 1024), peakMiB: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return null;
  }
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat (Linux), or null. With `thread`:
 * that thread's only (/proc/<pid>/task/<tid>/stat; the main thread's tid is the pid: the event loop's CPU).
 */
export async function cpuMsOf(pid: number, thread?: number): Promise<number | null> {
  try {
    const stat = await readFile(
      thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`,
      'utf8',
    );
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

export async function startApiProcess(opts: {
  shared: string;
  port: number;
  dataDir?: string;
  /** Preload bench/loop-probe.mjs into the API: a line per second (event-loop delay, GC) appended to this file. */
  loopProbeFile?: string;
}): Promise<ApiProcess> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'accrete-bench-job-')));
  const env = {
    ...process.env,
    ACCRETE_DATA_DIR: dataDir,
    ACCRETE_SHARED_DIR: opts.shared,
    ACCRETE_API_PORT: String(opts.port),
    NODE_ENV: 'production',
    ...(opts.loopProbeFile ? { BENCH_LOOP_PROBE_FILE: opts.loopProbeFile } : {}),
  };
  // An editor token first (PGlite is single-process: before the API opens the database).
  const tok = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'tools/create-token.ts', '--name', 'bench', '--role', 'EDITOR'],
    { cwd: REPO, env, encoding: 'utf8' },
  );
  if (tok.status !== 0) throw new Error(`create-token failed: ${tok.stderr}`);
  const token = tok.stdout.trim();
  // The same command line and environment as tools/start.mjs starts the API with.
  // BENCH_API_NODE_ARGS: extra node flags for the API process only (e.g. `--cpu-prof --cpu-prof-dir=…`)
  const extra = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  if (opts.loopProbeFile) extra.push('--import', './bench/loop-probe.mjs');
  const proc = spawn(process.execPath, [...API_NODE_FLAGS, ...extra, ...API_ENTRY], {
    cwd: REPO,
    env: apiEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  let trainer: number | undefined;
  const onLine = (b: Buffer) => {
    for (const line of b.toString().split('\n').filter(Boolean)) {
      log.push(line);
      const m = /training process (\d+) started/.exec(line);
      if (m) trainer = Number(m[1]);
    }
  };
  proc.stdout!.on('data', onLine);
  proc.stderr!.on('data', onLine);
  const url = `http://127.0.0.1:${opts.port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`API exited: ${log.join('\n')}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 1200) throw new Error('API did not start in 10 min');
    await new Promise((r) => setTimeout(r, 500));
  }
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 500));
    return body.data;
  };
  return {
    url,
    token,
    dataDir,
    proc,
    log,
    gql,
    trainerPid: () => trainer,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

export interface FlowersDataset {
  datasetVersionId: string;
  baseVersionId: string;
  importSeconds: number;
  images: number;
}

/** importDataset of <shared>/datasets/flowers ({train,val}/<class>) + freezeDatasetVersion, timed. */
export async function importFlowers(api: ApiProcess, shared: string): Promise<FlowersDataset> {
  const base = await api.gql(
    `{ model(name: "${process.env.ACCRETE_BASE_MODEL_NAME ?? 'mobilenet-v1-0.75'}") { version(number: 1) { id } } }`,
  );
  const baseVersionId: string = base.model.version.id;
  const t0 = performance.now();
  const ds = (await api.gql(`mutation { createDataset(input: { name: "flowers" }) { id } }`)).createDataset.id;
  const imp = (
    await api.gql(`mutation($i: ImportDatasetInput!) { importDataset(input: $i) { accepted rejected } }`, {
      i: { datasetId: ds, path: join(shared, 'datasets/flowers') },
    })
  ).importDataset;
  const dv = (await api.gql(`mutation($d: ID!) { freezeDatasetVersion(datasetId: $d) { id } }`, { d: ds }))
    .freezeDatasetVersion;
  return {
    datasetVersionId: dv.id,
    baseVersionId,
    importSeconds: (performance.now() - t0) / 1000,
    images: imp.accepted,
  };
}

export const FLOWER_LABELS = ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips'];

/** createModelVersion with the default options (strategy, knob, augmentations): returns the job id. */
export async function startFlowersJob(
  api: ApiProcess,
  ds: FlowersDataset,
): Promise<{ jobId: string; versionId: string }> {
  const r = (
    await api.gql(
      `mutation($i: CreateModelVersionInput!) { createModelVersion(input: $i) { version { id } job { id } } }`,
      {
        i: {
          parentVersionId: ds.baseVersionId,
          datasetVersionId: ds.datasetVersionId,
          classes: FLOWER_LABELS.map((label) => ({ label })),
        },
      },
    )
  ).createModelVersion;
  return { jobId: r.job.id, versionId: r.version.id };
}

export interface JobRow {
  status: string;
  phase: string | null;
  error: string | null;
}

/** The job's timings and accuracy, from its version's evaluations. */
export async function jobReport(api: ApiProcess, versionId: string) {
  const v = (
    await api.gql(`query($id: ID!) { modelVersion(id: $id) { status classCount evaluations { name metrics } } }`, {
      id: versionId,
    })
  ).modelVersion;
  const val = v.evaluations.find((e: { name: string }) => e.name === 'val')?.metrics ?? {};
  const ret = v.evaluations.find((e: { name: string }) => e.name === 'imagenet-retention')?.metrics ?? null;
  const r2 = (o: Record<string, number> = {}) =>
    Object.fromEntries(Object.entries(o).map(([k, x]) => [k, Math.round(x * 100) / 100]));
  return {
    classCount: v.classCount,
    jobTimings: r2(val.jobTimings),
    trainerTimings: r2(val.timings),
    flowersValTop1: val.overall?.top1 ?? val.top1,
    imagenetOddTop1: ret?.top1,
    imagenetOddParentTop1: ret?.parentTop1,
    imagenetOddDropPoints: ret ? Math.round((ret.parentTop1 - ret.top1) * 1000) / 10 : null,
  };
}

/** Polls the job (as the dashboard does) until it ends; `onTick` runs every poll. */
export async function waitForJob(
  api: ApiProcess,
  jobId: string,
  onTick?: (row: JobRow) => void | Promise<void>,
): Promise<JobRow> {
  for (;;) {
    const row: JobRow = (
      await api.gql(`query($id: ID!) { trainingJob(id: $id) { status phase error } }`, { id: jobId })
    ).trainingJob;
    await onTick?.(row);
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(row.status)) return row;
    await new Promise((r) => setTimeout(r, 500));
  }
}
