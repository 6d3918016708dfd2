// createJobRunner: the two ways Accrete queues training jobs.
// - inprocess (embedded default): an in-memory FIFO, one job at a time, driven by the API process.
// - pgboss (scale-out): a pg-boss queue in the same PostgreSQL; any number of worker processes pull from it.
// Either way the process that runs the queue only does the job's database work; the compute half (extraction,
// fit, evaluation, export) runs in its training child process (trainer-process.ts).
// Either way the TrainingJob row is the source of truth: a job runs only after winning claimJob(), so a duplicate
// delivery or a stale worker can never run or publish the same job twice.
import type { Config } from '@accrete/config';
import type { PrismaClient } from '@accrete/db';
import type { LocalStorage } from '@accrete/storage';
import {
  DEFAULT_STALE_AFTER_MS,
  executeJob,
  type ExecuteOptions,
  type JobDeps,
  type JobOutcome,
  type JobStepHook,
} from './execute-job.js';
import { finishUnowned, MAX_ATTEMPTS } from './job-row.js';
import { JobAbort } from './job-monitor.js';
import { checkBossSchema, PgBossQueue, type PgBossTuning } from './pgboss-queue.js';
import { newWorkerId, recoverJobs } from './recovery.js';
import { TrainerProcess, type TrainerProcessOptions } from './trainer-process.js';

export interface JobRunner {
  readonly mode: 'inprocess' | 'pgboss';
  readonly workerId: string;
  /** Recovers: RUNNING jobs left by a dead process → re-queued (or FAILED "interrupted" after N attempts). */
  start(): Promise<void>;
  /** Stops taking jobs; a running job is re-queued (its attempt does not count). */
  stop(): Promise<void>;
  submit(jobId: string): Promise<void>;
  /** Sets cancelRequested; a queued job is cancelled at once, a running one aborts via its AbortSignal. */
  cancel(jobId: string): Promise<void>;
  /** Resolves when this process has nothing queued or running (tests, graceful shutdown). */
  idle(): Promise<void>;
  /** The child process that runs the compute half of jobs (its pid, compute start/end events). */
  readonly trainer: TrainerProcess;
}

export interface JobRunnerDeps {
  prisma: PrismaClient;
  config: Config;
  storage: LocalStorage;
  log?: (m: string) => void;
}

export interface JobRunnerOptions {
  mode: 'inprocess' | 'pgboss';
  /** Whether this process executes jobs (false: an API process that only submits to pg-boss). */
  work: boolean;
  staleAfterMs?: number;
  maxAttempts?: number;
  heartbeatMs?: number;
  progressIntervalMs?: number;
  /** How often a working runner looks for orphaned jobs (ms); 0 disables. */
  sweepMs?: number;
  /** pg-boss polling interval (seconds, >= 0.5). */
  pollingIntervalSeconds?: number;
  pgboss?: PgBossTuning;
  /** The training child process: idle time, kill timeout, nice value. */
  trainer?: Omit<TrainerProcessOptions, 'log'>;
  /** Called after each job this process ran (tests, metrics). */
  onJobDone?: (jobId: string, outcome: JobOutcome) => void;
  /** Awaited at each step of a job this process runs (tests hold a job there to cancel or stop it mid-run). */
  onStep?: JobStepHook;
}

export function createJobRunner(deps: JobRunnerDeps, opts: JobRunnerOptions): JobRunner {
  return new Runner(deps, opts);
}

class Runner implements JobRunner {
  readonly workerId = newWorkerId();
  readonly mode: 'inprocess' | 'pgboss';
  private readonly log: (m: string) => void;
  private readonly queue: string[] = [];
  private current: { jobId: string; controller: AbortController; done: Promise<void> } | null = null;
  private pumping: Promise<void> | null = null;
  private started = false;
  private stopping = false;
  private sweepTimer: NodeJS.Timeout | null = null;
  private boss: PgBossQueue | null = null;
  private idleWaiters: (() => void)[] = [];
  readonly trainer: TrainerProcess;

  constructor(
    private readonly deps: JobRunnerDeps,
    private readonly opts: JobRunnerOptions,
  ) {
    this.mode = opts.mode;
    this.log = deps.log ?? (() => {});
    this.trainer = new TrainerProcess({ nice: deps.config.trainerNice, ...opts.trainer, log: this.log });
    if (opts.mode === 'pgboss' && !deps.config.databaseUrl) {
      throw new Error('jobs mode pgboss needs DATABASE_URL (pg-boss queues live in PostgreSQL)');
    }
  }

  private get staleAfterMs() {
    return this.opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  }

  async start(): Promise<void> {
    if (this.started) return;
    if (this.mode === 'pgboss') await checkBossSchema(this.deps.prisma, this.deps.config.pgbossSchema);
    this.started = true;
    this.stopping = false;
    if (this.mode === 'pgboss') {
      this.boss = new PgBossQueue(
        this.deps.config.databaseUrl!,
        this.deps.config.pgbossSchema,
        this.log,
        this.opts.pgboss,
      );
      await this.boss.start();
    }
    if (!this.opts.work) return;
    await this.sweep(true);
    if (this.mode === 'pgboss') {
      this.boss!.pull((jobId) => this.runOne(jobId), { pollingIntervalSeconds: this.opts.pollingIntervalSeconds });
    }
    const sweepMs = this.opts.sweepMs ?? 30_000;
    if (sweepMs > 0) {
      this.sweepTimer = setInterval(
        () => void this.sweep(false).catch((e) => this.log(`jobs: sweep failed: ${(e as Error).message}`)),
        sweepMs,
      );
      this.sweepTimer.unref();
    }
    this.log(`jobs: ${this.mode} runner ${this.workerId} working`);
  }

  /** Re-queues orphans and (re)submits queued jobs; the claim makes duplicate submissions harmless. */
  private async sweep(atStart: boolean): Promise<void> {
    const ids = await recoverJobs(this.deps.prisma, {
      workerId: this.workerId,
      staleAfterMs: this.staleAfterMs,
      maxAttempts: this.opts.maxAttempts ?? MAX_ATTEMPTS,
      // Embedded PGlite is single-process: at start, whatever is RUNNING was left by a dead process.
      allRunningAreOrphans: atStart && this.mode === 'inprocess' && !this.deps.config.databaseUrl,
      log: this.log,
    });
    for (const id of ids) {
      if (this.mode === 'pgboss') await this.boss!.send(id);
      else this.enqueue(id);
    }
  }

  async submit(jobId: string): Promise<void> {
    if (this.mode === 'pgboss') {
      if (!this.boss) throw new Error('job runner not started');
      if (!(await this.boss.send(jobId))) this.log(`job ${jobId}: a delivery is already waiting`);
      return;
    }
    // In-process without a worker (work=false): the row stays QUEUED until a working process starts.
    if (this.opts.work && this.started && !this.stopping) this.enqueue(jobId);
  }

  async cancel(jobId: string): Promise<void> {
    const { prisma } = this.deps;
    await prisma.trainingJob.updateMany({
      where: { id: jobId, status: { in: ['QUEUED', 'RUNNING'] } },
      data: { cancelRequested: true },
    });
    // Nobody runs it yet: cancel right away (if a worker claimed it meanwhile, it sees cancelRequested instead).
    if (await finishUnowned(prisma, jobId, 'QUEUED', null, 'CANCELLED', null)) {
      const i = this.queue.indexOf(jobId);
      if (i >= 0) this.queue.splice(i, 1);
      this.log(`job ${jobId}: cancelled while queued`);
      return;
    }
    // Running here: abort now rather than at the next poll of the row.
    if (this.current?.jobId === jobId) this.current.controller.abort(new JobAbort('cancel'));
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    this.queue.length = 0;
    const stopFetching = this.boss?.stopPulling();
    this.current?.controller.abort(new JobAbort('shutdown'));
    await this.current?.done;
    await stopFetching;
    await this.pumping;
    await this.boss?.stop();
    this.boss = null;
    await this.trainer.close();
    this.started = false;
    this.notifyIdle();
  }

  idle(): Promise<void> {
    if (!this.current && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private enqueue(jobId: string): void {
    if (this.queue.includes(jobId) || this.current?.jobId === jobId) return;
    this.queue.push(jobId);
    if (!this.pumping) {
      this.pumping = this.pump().finally(() => {
        this.pumping = null;
        this.notifyIdle();
      });
    }
  }

  private async pump(): Promise<void> {
    while (this.queue.length && !this.stopping) {
      const jobId = this.queue.shift()!;
      await this.runOne(jobId);
    }
  }

  private async runOne(jobId: string): Promise<JobOutcome> {
    const controller = new AbortController();
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    this.current = { jobId, controller, done };
    const exec: ExecuteOptions = {
      workerId: this.workerId,
      trainer: this.trainer,
      signal: controller.signal,
      staleAfterMs: this.staleAfterMs,
      maxAttempts: this.opts.maxAttempts,
      heartbeatMs: this.opts.heartbeatMs,
      progressIntervalMs: this.opts.progressIntervalMs,
      onStep: this.opts.onStep,
    };
    let outcome: JobOutcome;
    try {
      outcome = await executeJob(this.deps as JobDeps, jobId, exec);
    } catch (err) {
      // executeJob records failures itself; this is a DB outage or similar while doing so.
      outcome = { status: 'FAILED', reason: (err as Error).message };
      this.log(`job ${jobId}: runner error: ${(err as Error).stack ?? err}`);
    } finally {
      this.current = null;
      finish();
    }
    if (outcome.status === 'REQUEUED' && this.mode === 'pgboss') {
      await this.boss?.send(jobId).catch((e) => this.log(`job ${jobId}: re-send failed: ${(e as Error).message}`));
    }
    if (outcome.status === 'SKIPPED') this.log(`job ${jobId}: skipped (${outcome.reason})`);
    this.opts.onJobDone?.(jobId, outcome);
    if (!this.pumping) this.notifyIdle();
    return outcome;
  }

  private notifyIdle(): void {
    if (this.current || (this.queue.length && !this.stopping)) return;
    const w = this.idleWaiters.splice(0);
    for (const r of w) r();
  }
}
