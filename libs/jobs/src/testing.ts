// Test helpers for code that runs training jobs (entry `@accrete/jobs/testing`, never imported by production code).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCsv } from '@accrete/primitives';
import type { Config } from '@accrete/config';
import type { JobStep, JobStepHook } from './execute-job.js';

export interface StepBarrier {
  /** Pass as the runner's `onStep`. */
  hook: JobStepHook;
  /** Resolves with the job id when the first job reaches the step (it then waits there). */
  reached: Promise<string>;
  /** Lets every held job go on. */
  release(): void;
}

/** Holds jobs at `step` until released, so a test can cancel or stop a job that is certainly running. */
export function stepBarrier(step: JobStep = 'prepared'): StepBarrier {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let reach!: (jobId: string) => void;
  const reached = new Promise<string>((r) => (reach = r));
  const hook: JobStepHook = async (jobId, at) => {
    if (at !== step) return;
    reach(jobId);
    await released;
  };
  return { hook, reached, release };
}

/** Short timings so a dead worker is noticed in seconds; the stale limit stays well above event-loop stalls of a
 *  loaded 2-core machine (a live worker must never look dead). */
export const WORKER_TEST_TUNING = [
  '--poll-seconds',
  '0.5',
  '--stale-ms',
  '15000',
  '--sweep-ms',
  '1500',
  '--supervise-seconds',
  '2',
];

/** A node process a test spawned (an API or a worker): what teardown and failure messages need of it. */
export interface SpawnedNode {
  name: string;
  child: ChildProcess;
  /** Its stdout and stderr lines so far. */
  out: string[];
  exited: Promise<number | null>;
}

export interface WorkerProcess extends SpawnedNode {
  /** The worker id it logs once ready; rejects (with its output) if it exits first. */
  workerId: Promise<string>;
  /**
   * Resolves once the worker has printed a line containing `text` (rejects if it exits first). Its log reaches the
   * test through a pipe, so on a busy machine a line can arrive after the database already shows what it reports.
   */
  printed(text: string): Promise<void>;
}

/**
 * Starts `apps/worker` as its own process (pg-boss jobs from `databaseUrl`, data in `dataDir`). `env` adds settings
 * (e.g. the shared object store); the test owns the process and kills it when done (see `stopAll`).
 */
export function spawnWorkerProcess(opts: {
  name: string;
  repo: string;
  databaseUrl: string;
  dataDir: string;
  config: Pick<Config, 'sharedDir' | 'rehearsalDir'>;
  env?: Record<string, string>;
}): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(opts.repo, 'apps/worker/src/main.ts'), ...WORKER_TEST_TUNING],
    {
      cwd: opts.repo,
      env: {
        ...process.env,
        ...opts.env,
        DATABASE_URL: opts.databaseUrl,
        ACCRETE_JOBS: 'pgboss',
        ACCRETE_DATA_DIR: opts.dataDir,
        ACCRETE_SHARED_DIR: opts.config.sharedDir,
        ACCRETE_REHEARSAL_DIR: opts.config.rehearsalDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const out: string[] = [];
  const waiting = new Set<() => void>();
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const workerId = new Promise<string>((resolve, reject) => {
    const onData = (b: Buffer) => {
      for (const line of b.toString().split('\n').filter(Boolean)) {
        out.push(line);
        const m = /ready \(worker id (\S+)\)/.exec(line);
        if (m) resolve(m[1]!);
      }
      for (const check of [...waiting]) check();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) =>
      reject(new Error(`worker ${opts.name} exited (${code}) before ready:\n${out.join('\n')}`)),
    );
  });
  workerId.catch(() => undefined); // a test that never awaits it must not see an unhandled rejection
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!out.some((l) => l.includes(text))) return;
        waiting.delete(check);
        resolve();
      };
      waiting.add(check);
      check();
      void exited.then(() => {
        check();
        if (waiting.delete(check)) reject(new Error(`worker ${opts.name} exited without printing "${text}"`));
      });
    });
  return { name: opts.name, child, out, workerId, exited, printed };
}

/** SIGKILLs every process still running and waits for all to exit (test teardown). */
export async function stopAll(procs: SpawnedNode[]): Promise<void> {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
}

/** The first n even and n odd class_index rows of an imagenet-sample directory, linked into dir with their
 *  index.csv: a rehearsal set that keeps jobs (and the base scoring) to seconds. */
export async function rehearsalSlice(dir: string, sample: string, n: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const text = await readFile(join(sample, 'index.csv'), 'utf8');
  const [header, ...rows] = parseCsv(text).filter((r) => r.length > 1);
  const pick = [
    ...rows.filter((r) => Number(r[1]) % 2 === 0).slice(0, n),
    ...rows.filter((r) => Number(r[1]) % 2 === 1).slice(0, n),
  ];
  for (const r of pick) await symlink(join(sample, r[0]!), join(dir, r[0]!));
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  await writeFile(join(dir, 'index.csv'), [header!, ...pick].map((r) => r.map(q).join(',')).join('\n') + '\n');
  return dir;
}
