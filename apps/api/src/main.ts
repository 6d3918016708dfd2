// The API process: loadConfig → openDatabase (migrates) → storage → seed → JobRunner → HTTP on host:apiPort.
// SIGINT/SIGTERM stop taking requests, let the runner re-queue a running job, close the database.
import 'reflect-metadata';
import { ConfigError, configWarnings, loadConfig, type Config } from '@accrete/config';
import { DatabaseLockedError, isDatabaseSetupError, openDatabase, type DbHandle } from '@accrete/db';
import { disposeSharedBackbones, installProcessGuards } from '@accrete/jobs';
import { startApi } from './app.js';

const log = (m: string) => console.log(`${new Date().toISOString()} ${m}`);
/** A mistake of the operator (a bad setting, the database already open elsewhere): its message, no stack trace. */
const refuse = (message: string): never => {
  console.error(`api: ${message}`);
  process.exit(2);
};
const config: Config = (() => {
  try {
    return loadConfig();
  } catch (e) {
    throw e instanceof ConfigError ? refuse(e.message) : e;
  }
})();
installProcessGuards(log, 'api');
for (const w of configWarnings(config)) log(`api: warning: ${w}`);
log(
  `api: opening the database (${config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.paths.db}`}) and applying pending migrations…`,
);
const db: DbHandle = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: config.paths.db,
  migrate: true,
  program: 'api',
}).catch((e: unknown) => {
  // an operator's mistake (database down or missing, a migration this build does not know): one line, no stack
  if (isDatabaseSetupError(e)) return refuse(e.message);
  if (!(e instanceof DatabaseLockedError)) throw e;
  return refuse(
    `${e.message}.\nIs Accrete already running on this data directory (ACCRETE_DATA_DIR)? Stop it first, or use another data directory.`,
  );
});
log(
  `db: ${db.kind}${db.kind === 'pglite' ? ` at ${config.paths.db}` : ''}; migrations applied now: ${db.appliedMigrations.length ? db.appliedMigrations.join(', ') : 'none (up to date)'}`,
);
const app = await startApi({ config, db, log });
log(`api: ready at ${app.server.url}/graphql (health: ${app.server.url}/health, jobs ${config.jobs})`);
// Start-up (migrations, seeding the taxonomy, warming caches) leaves tens of MiB of garbage that a quiet server
// would otherwise carry until the heap grows enough to collect it: one full collection now, when tools/start.mjs
// exposes it (--expose-gc), so the idle footprint is what the server keeps.
(globalThis as { gc?: () => void }).gc?.();
if (app.firstSignInUrl) {
  // no token exists yet: the only way in for the first admin (the code works once; once a token exists, starts
  // print nothing)
  console.log(
    `\n  First start: sign in to the dashboard as ADMIN with this one-time link:\n\n    ${app.firstSignInUrl}\n`,
  );
}

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`api: ${signal}, shutting down`);
  const force = setTimeout(() => {
    log('api: shutdown timed out, exiting');
    process.exit(1);
  }, 30_000);
  force.unref();
  try {
    await app.close();
    log('api: server and job runner stopped');
    await disposeSharedBackbones();
    await db.close();
    log('api: stopped');
    process.exit(0);
  } catch (e) {
    log(`api: shutdown failed: ${(e as Error).stack ?? e}`);
    process.exit(1);
  }
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
