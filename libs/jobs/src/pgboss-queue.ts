// The pg-boss side of scale-out: one queue "training" in schema "pgboss" of the registry's PostgreSQL.
// pg-boss delivers job ids; the TrainingJob row claim decides who runs them. A worker that dies stops heart-beating,
// pg-boss fails the delivery after heartbeatSeconds and retries it on another worker, which can claim the row once
// its own heartbeat is stale.
import { PgBoss, type Job } from 'pg-boss';

export const QUEUE = 'training';
export const SCHEMA = 'pgboss';

interface Payload {
  jobId: string;
}

export interface PgBossTuning {
  /** Queue heartbeat (applied when this process creates the queue): a delivery silent this long is retried. */
  heartbeatSeconds?: number;
  retryDelaySeconds?: number;
  /** How often this instance checks for expired / heart-beat-less deliveries (pg-boss default 60). */
  superviseIntervalSeconds?: number;
}

export class PgBossQueue {
  private readonly boss: PgBoss;
  private workId: string | null = null;

  constructor(
    connectionString: string,
    private readonly log: (m: string) => void,
    private readonly tuning: PgBossTuning = {},
  ) {
    const every = tuning.superviseIntervalSeconds;
    this.boss = new PgBoss({
      connectionString,
      schema: SCHEMA,
      application_name: 'accrete-jobs',
      max: 4,
      ...(every ? { superviseIntervalSeconds: every, monitorIntervalSeconds: every } : {}),
    });
    this.boss.on('error', (e) => this.log(`pg-boss: ${(e as Error).message ?? e}`));
  }

  async start(): Promise<void> {
    await this.boss.start();
    const existing = await this.boss.getQueue(QUEUE);
    if (!existing) {
      await this.boss.createQueue(QUEUE, {
        // One active delivery per parent version (the registry already refuses a second job per parent).
        policy: 'singleton',
        retryLimit: 5,
        retryDelay: this.tuning.retryDelaySeconds ?? 15,
        // Dead workers are found by the missing heartbeat; long trainings must not expire.
        heartbeatSeconds: this.tuning.heartbeatSeconds ?? 60,
        expireInSeconds: 12 * 3600,
        deleteAfterSeconds: 7 * 24 * 3600,
      });
    }
  }

  /** Sends a delivery for the job (singletonKey = parent version, set by the caller through lookup). */
  async send(jobId: string, parentVersionId?: string): Promise<void> {
    const id = await this.boss.send(
      QUEUE,
      { jobId } satisfies Payload,
      parentVersionId ? { singletonKey: parentVersionId } : {},
    );
    if (!id) this.log(`pg-boss: delivery for job ${jobId} not created (one already pending)`);
  }

  /** Sends a delivery unless one is already waiting or active (used by recovery sweeps). */
  async ensureQueued(jobId: string, parentVersionId?: string): Promise<void> {
    const jobs = await this.boss.findJobs<Payload>(QUEUE, { data: { jobId }, limit: 50 });
    if (jobs.some((j) => j.state === 'created' || j.state === 'retry' || j.state === 'active')) return;
    await this.send(jobId, parentVersionId);
  }

  async work(
    run: (jobId: string, signal: AbortSignal) => Promise<unknown>,
    opts: { pollingIntervalSeconds?: number } = {},
  ): Promise<void> {
    this.workId = await this.boss.work<Payload>(
      QUEUE,
      { batchSize: 1, localConcurrency: 1, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2 },
      async (jobs: Job<Payload>[]) => {
        for (const job of jobs) await run(job.data.jobId, job.signal);
      },
    );
  }

  /** Stops fetching; resolves once the handler in flight has returned. */
  async stopWorking(): Promise<void> {
    if (this.workId) await this.boss.offWork(QUEUE, { wait: true });
    this.workId = null;
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 10_000 });
  }
}
