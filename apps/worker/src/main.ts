// Accrete training worker (scale-out): pulls training jobs from the pg-boss queue in PostgreSQL and runs them
// (the same job code as the embedded default: database work here, the compute half in a training child process).
// Start any number of these, each with its own data dir (a cache): they share only PostgreSQL (DATABASE_URL) and,
// when ACCRETE_STORAGE_URL is set, the object store (docs/operations.md):
//   DATABASE_URL=postgresql://… ACCRETE_JOBS=pgboss node --import tsx apps/worker/src/main.ts [tuning flags]
// Start order does not matter: like the API, a worker applies pending migrations at start under PostgreSQL's
// migration advisory lock (the API's and `prisma migrate deploy`'s), so whichever process comes first migrates and
// the others wait for it, then find the schema current.
// Tuning flags (defaults suit production; tests shorten them):
//   --poll-seconds N        how often an idle worker asks pg-boss for a job (2)
//   --stale-ms N            a RUNNING job whose heartbeat is older is taken over (45000)
//   --sweep-ms N            how often to look for orphaned jobs (30000)
//   --supervise-seconds N   how often pg-boss re-offers deliveries whose worker died before acknowledging (120)
// SIGTERM/SIGINT: stop fetching, give the running job back to the queue, exit 0.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, configWarnings, ConfigError } from '@accrete/config';
import { isDatabaseSetupError, openDatabase } from '@accrete/db';
import { openStorage } from '@accrete/storage';
import { createJobRunner, installProcessGuards, sweepLeftovers } from '@accrete/jobs';

export interface Worker {
  workerId: string;
  stop(): Promise<void>;
}

export async function main(
  argv: string[] = process.argv.slice(2),
  env: Record<string, string | undefined> = process.env,
  log: (m: string) => void = (m) => console.log(`[worker ${process.pid}] ${m}`),
): Promise<Worker> {
  const config = loadConfig(env);
  if (!config.databaseUrl || config.jobs !== 'pgboss') {
    throw new ConfigError('the worker needs DATABASE_URL and ACCRETE_JOBS=pgboss (in-process jobs run inside the API)');
  }
  const flags = parseFlags(argv);
  for (const w of configWarnings(config)) log(`warning: ${w}`);
  log('opening the database and applying pending migrations (waits while another process is migrating)…');
  const db = await openDatabase({ databaseUrl: config.databaseUrl, migrate: true });
  log(`migrations applied now: ${db.appliedMigrations.length ? db.appliedMigrations.join(', ') : 'none (up to date)'}`);
  try {
    const storage = openStorage(config.paths, config.storage);
    await storage.ensure();
    const swept = await sweepLeftovers(db.prisma, config.paths, { graceMs: 3_600_000 }); // the data dir may be shared
    if (Object.values(swept).some((n) => n > 0)) log(`removed leftovers: ${JSON.stringify(swept)}`);
    const runner = createJobRunner(
      { prisma: db.prisma, config, storage, log },
      {
        mode: 'pgboss',
        work: true,
        pollingIntervalSeconds: flags['poll-seconds'],
        staleAfterMs: flags['stale-ms'],
        sweepMs: flags['sweep-ms'],
        pgboss: { superviseIntervalSeconds: flags['supervise-seconds'] },
      },
    );
    await runner.start();
    log(`ready (worker id ${runner.workerId})`);
    let stopping: Promise<void> | null = null;
    return {
      workerId: runner.workerId,
      stop: () =>
        (stopping ??= (async () => {
          log('stopping: the running job (if any) goes back to the queue');
          await runner.stop(); // also stops the training process
          await db.close();
          log('stopped');
        })()),
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

const NUMERIC = ['poll-seconds', 'stale-ms', 'sweep-ms', 'supervise-seconds'] as const;
type Flags = Partial<Record<(typeof NUMERIC)[number], number>>;

function parseFlags(argv: string[]): Flags {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(NUMERIC.map((k) => [k, { type: 'string' as const }])),
    strict: true,
  });
  const out: Flags = {};
  for (const k of NUMERIC) {
    const v = values[k];
    if (v === undefined) continue;
    const n = Number(v);
    if (typeof v !== 'string' || !Number.isFinite(n) || n < 0)
      throw new ConfigError(`--${k} must be a non-negative number, got "${v}"`);
    out[k] = n;
  }
  return out;
}

const isEntry = !!process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isEntry) {
  installProcessGuards((m) => console.error(`[worker ${process.pid}] ${m}`), 'worker');
  main().then(
    (worker) => {
      const shutdown = (sig: string) => {
        console.log(`[worker ${process.pid}] ${sig}`);
        worker.stop().then(
          () => process.exit(0),
          (e) => {
            console.error(e);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    },
    (err) => {
      // an operator's mistake (settings, an unreachable or newer database): the message alone, no stack trace
      const operator = err instanceof ConfigError || isDatabaseSetupError(err);
      console.error(operator ? `[worker ${process.pid}] ${(err as Error).message}` : err);
      process.exit(1);
    },
  );
}
