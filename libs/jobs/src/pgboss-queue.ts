// The pg-boss side of scale-out: one queue "training" in schema config.pgbossSchema of the registry's PostgreSQL
// (pg-boss 10, which supports the Node.js the README names). A delivery only wakes a worker: the TrainingJob row decides who runs a
// job (claimJob) and says whether its worker is alive (heartbeatAt). So a worker acknowledges a delivery as soon as
// it has fetched it and then runs the job; pg-boss expiry never has to outlast a training, and a dead worker's job
// is found by the stale row heartbeat (recoverJobs on every live worker's sweep) and sent again.
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import PgBoss from 'pg-boss';
import { ConfigError } from '@accrete/config';
import type { PrismaClient } from '@accrete/db';

export const QUEUE = 'training';

/** The schema version this pg-boss writes; a schema left by a newer pg-boss is refused rather than misread. */
const BOSS_SCHEMA_VERSION: number = (createRequire(import.meta.url)('pg-boss/version.json') as { schema: number })
  .schema;

interface Payload {
  jobId: string;
}

export interface PgBossTuning {
  retryDelaySeconds?: number;
  /** How often this instance expires unacknowledged deliveries (pg-boss maintenance, default 120). */
  superviseIntervalSeconds?: number;
}

/**
 * Refuses a pg-boss schema written by a newer pg-boss, before pg-boss starts its timers on it (pg-boss migrates an
 * older one forward itself, and would misread a newer one). Reads pg-boss's `version` table.
 */
export async function checkBossSchema(prisma: PrismaClient, schema: string): Promise<void> {
  const [table] = await prisma.$queryRaw<
    { t: string | null }[]
  >`SELECT to_regclass(${`"${schema}".version`})::text AS t`;
  if (!table?.t) return; // not there yet: pg-boss creates it
  // `schema` is a validated identifier (config: ACCRETE_PGBOSS_SCHEMA).
  const [row] = await prisma.$queryRawUnsafe<{ version: number }[]>(`SELECT version FROM "${schema}".version`);
  const found = Number(row?.version);
  if (found > BOSS_SCHEMA_VERSION) {
    throw new ConfigError(
      `the pg-boss schema "${schema}" has version ${found}, this build's pg-boss uses ${BOSS_SCHEMA_VERSION}` +
        ' (a newer pg-boss created it): set ACCRETE_PGBOSS_SCHEMA to a new schema name (docs/operations.md)',
    );
  }
}

/**
 * Runs `step` again when PostgreSQL broke a deadlock by aborting it (40P01). Processes starting together on a fresh
 * database all create the queue, and pg-boss's create_queue (idempotent: ON CONFLICT DO NOTHING) adds a foreign key
 * that two of them can deadlock on; the one aborted finds the queue made when it tries again.
 */
export async function retryOnDeadlock(step: () => Promise<void>, log: (m: string) => void, attempts = 5) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (e) {
      if ((e as { code?: string }).code !== '40P01' || attempt >= attempts) throw e;
      log(`pg-boss: deadlock while creating the queue with another process starting (attempt ${attempt}), again`);
    }
  }
}

export class PgBossQueue {
  private readonly boss: PgBoss;
  private pulling: Promise<void> | null = null;
  private pullStop: AbortController | null = null;

  constructor(
    connectionString: string,
    private readonly schema: string,
    private readonly log: (m: string) => void,
    private readonly tuning: PgBossTuning = {},
  ) {
    const every = tuning.superviseIntervalSeconds;
    this.boss = new PgBoss({
      connectionString,
      schema,
      application_name: 'accrete-jobs',
      max: 4,
      ...(every ? { maintenanceIntervalSeconds: every } : {}),
    });
    this.boss.on('error', (e) => this.log(`pg-boss: ${(e as Error).message ?? e}`));
  }

  async start(): Promise<void> {
    await this.boss.start();
    await retryOnDeadlock(async () => {
      if (await this.boss.getQueue(QUEUE)) return;
      await this.boss.createQueue(QUEUE, {
        name: QUEUE,
        // At most one waiting delivery per job (singletonKey = job id): re-sends by recovery sweeps coalesce.
        policy: 'short',
        retryLimit: 5,
        retryDelay: this.tuning.retryDelaySeconds ?? 15,
        // Only a worker that died between fetch and acknowledge leaves a delivery active; it is offered again then.
        expireInSeconds: 120,
        retentionDays: 7,
      });
    }, this.log);
  }

  /** Offers the job to the workers, unless a delivery of it is already waiting (then it returns false). */
  async send(jobId: string): Promise<boolean> {
    const id = await this.boss.send(QUEUE, { jobId } satisfies Payload, { singletonKey: jobId });
    return id !== null;
  }

  /**
   * Pulls one delivery at a time and awaits `run` before fetching the next, so a worker never holds two jobs.
   * Idle, it asks again every `pollingIntervalSeconds`.
   */
  pull(run: (jobId: string) => Promise<unknown>, opts: { pollingIntervalSeconds?: number } = {}): void {
    if (this.pulling) return;
    const stop = (this.pullStop = new AbortController());
    const idleMs = Math.max(0.5, opts.pollingIntervalSeconds ?? 2) * 1000;
    this.pulling = (async () => {
      while (!stop.signal.aborted) {
        const jobId = await this.fetchOne().catch((e) => {
          this.log(`pg-boss: fetch failed: ${(e as Error).message}`);
          return null;
        });
        if (jobId === null) {
          await sleep(idleMs, undefined, { signal: stop.signal }).catch(() => undefined);
          continue;
        }
        if (stop.signal.aborted) {
          // Fetched while stopping: hand it to another worker instead of starting it here.
          await this.send(jobId).catch((e) => this.log(`pg-boss: re-send of ${jobId} failed: ${e}`));
          break;
        }
        await run(jobId).catch((e) => this.log(`job ${jobId}: ${(e as Error).message}`));
      }
    })();
  }

  /** Fetches and acknowledges one delivery; null when none is waiting. */
  private async fetchOne(): Promise<string | null> {
    const [job] = await this.boss.fetch<Payload>(QUEUE, { batchSize: 1 });
    if (!job) return null;
    // Acknowledged before the run: from here on the TrainingJob row (claim + heartbeat) is the job's only state.
    await this.boss.complete(QUEUE, job.id);
    return job.data.jobId;
  }

  /** Stops fetching; resolves once the job in flight (if any) has returned. */
  async stopPulling(): Promise<void> {
    this.pullStop?.abort();
    await this.pulling;
    this.pulling = this.pullStop = null;
  }

  async stop(): Promise<void> {
    await this.stopPulling();
    await this.boss.stop({ graceful: true, timeout: 10_000 });
  }
}
