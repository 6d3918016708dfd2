// Wires the API process: storage → base-model seed → job runner → HTTP server. main.ts adds config, database
// and signals; tests and the bench call startApi with their own database.
import type { Config } from '@accrete/config';
import { withReadRetry, type DbHandle, type ModelVersion } from '@accrete/db';
import { openStorage, type LocalStorage } from '@accrete/storage';
import {
  backboneSpec,
  createJobRunner,
  evaluateBaseVersion,
  getSharedBackbone,
  loadedSharedBackbone,
  sweepLeftovers,
  type JobRunner,
  type JobStepHook,
} from '@accrete/jobs';
import { loadClassifier, type Backbone } from '@accrete/trainer';
import { ClassifierCache, seedBaseModel } from '@accrete/registry';
import { FirstSignIn, createApiToken } from '@accrete/auth';
import { startApiServer, type ApiServer } from './server.js';
import type { Services } from './context.js';
import type { QueryLimits } from './limits.js';

export interface ApiApp {
  server: ApiServer;
  runner: JobRunner;
  services: Services;
  /** The backbone predictions use: loaded on the first prediction (or this call), once per process. */
  backbone(): Promise<Backbone>;
  /** Dashboard link that signs the first ADMIN in, while the install has no token yet (printed at start). */
  firstSignInUrl: string | null;
  close(): Promise<void>;
}

export interface StartApiOptions {
  config: Config;
  db: DbHandle;
  /** Listen port (default config.apiPort; tests pass 0). */
  port?: number;
  log?: (m: string) => void;
  limits?: QueryLimits;
  /** Replace the Prisma client the resolvers use (e.g. one extended to count queries); seeding still uses db.prisma. */
  prisma?: DbHandle['prisma'];
  /** Score the base version on the retention photos after seeding, in the background (default true). */
  evaluateBase?: boolean;
  /** Awaited at each step of a training job this process runs (tests hold a job there while it runs). */
  onJobStep?: JobStepHook;
}

/** The base version predicts with the backbone's own head; grown versions with their exported head. */
export function classifierLoader(getBackbone: () => Promise<Backbone>, storage?: LocalStorage) {
  return async (v: ModelVersion) => {
    const backbone = await getBackbone();
    if (!v.parentId) return loadClassifier({ backbone });
    if (!v.artifactUri) throw new Error(`version ${v.number} has no artifact`);
    // With a shared object store the version may have been trained on another node: fetch it into this one's cache.
    const dir =
      storage?.remote && v.artifactSha256
        ? await storage.ensureArtifact(v.id, v.artifactSha256)
        : v.artifactUri.startsWith('file://')
          ? new URL(v.artifactUri).pathname
          : v.artifactUri;
    return loadClassifier({ artifactDir: dir, backbone });
  };
}

/** Removes what a killed process left (see sweepLeftovers); a shared data dir (PostgreSQL) keeps the last hour's. */
export async function cleanLeftovers(
  prisma: DbHandle['prisma'],
  config: Config,
  log: (m: string) => void,
): Promise<void> {
  const r = await sweepLeftovers(prisma, config.paths, { graceMs: config.databaseUrl ? 3_600_000 : 0 });
  const n = r.scratchDirs + r.tempFiles + r.uploadDirs + r.orphanImages;
  if (n > 0)
    log(
      `storage: removed leftovers: ${r.scratchDirs} artifact scratch dirs, ${r.tempFiles} temp files, ${r.uploadDirs} upload dirs, ${r.orphanImages} orphan image files`,
    );
}

export async function startApi(opts: StartApiOptions): Promise<ApiApp> {
  const { config, db } = opts;
  const log = opts.log ?? ((m: string) => console.log(m));
  const storage = openStorage(config.paths, config.storage);
  await storage.ensure();
  await cleanLeftovers(db.prisma, config, log);
  const runner = createJobRunner(
    { prisma: db.prisma, config, storage, log },
    { mode: config.jobs, work: config.runWorker, onStep: opts.onJobStep },
  );
  // Seeding needs to know the backbone (id, labels, sizes), not to hold it: the training process loads it and
  // describes it, so this process loads tfjs and the model only on its first prediction (idle RSS stays small).
  log(`api: reading the base model (${config.baseModel}) in the training process…`);
  const info = await runner.trainer.describe(backboneSpec(config));
  log('api: checking the taxonomy and the base model in the registry…');
  const seeded = await seedBaseModel(db.prisma, {
    backbone: info,
    modelName: config.baseModelName,
    source: config.baseModel,
    log,
  });
  await runner.start(); // resumes or fails jobs a previous process left unfinished
  // once per registry, in the background (and in the training process): the API serves meanwhile, and v1's page
  // shows the figures when they land
  let stopping = false;
  const evaluatingBase =
    opts.evaluateBase === false
      ? Promise.resolve()
      : evaluateBaseVersion(
          { prisma: db.prisma, config, log, score: (spec) => runner.trainer.scoreBase(spec) },
          seeded.version.id,
        ).then(
          () => undefined,
          (e: unknown) => void (stopping || log(`seed: the base version could not be scored: ${(e as Error).message}`)),
        );
  // a read whose connection was lost mid-way (terminated backend, restarted server) is retried once on a fresh one
  const prisma = withReadRetry(opts.prisma ?? db.prisma, (op) => log(`db: ${op} retried after a lost connection`));
  const backbone = () => getSharedBackbone(config, log);
  const firstSignIn = new FirstSignIn();
  const code = await firstSignIn.open(db.prisma);
  const services: Services = {
    prisma,
    config,
    storage,
    runner,
    firstSignIn,
    classifiers: new ClassifierCache(config.modelCacheSize, classifierLoader(backbone, storage)),
    log,
  };
  const server = await startApiServer({
    services,
    port: opts.port,
    dbKind: db.kind,
    backend: () => loadedSharedBackbone(config)?.backend,
    limits: opts.limits,
  });
  if (db.lock) {
    // tools/create-token.ts of the same user, while this process holds the PGlite database: the token is made here,
    // in the only process whose writes count
    db.lock.setInfo('url', server.url);
    db.lock.handle('createApiToken', async (r) => {
      const { token, apiToken } = await createApiToken(db.prisma, {
        name: String(r.name ?? ''),
        role: String(r.role ?? '') as 'READER',
        expiresAt: typeof r.expiresAt === 'string' ? new Date(r.expiresAt) : null,
      });
      log(`api: token "${apiToken.name}" (${apiToken.role}) created for tools/create-token.ts`);
      return { token, id: apiToken.id, name: apiToken.name, role: apiToken.role };
    });
  }
  let closing: Promise<void> | undefined;
  return {
    server,
    runner,
    services,
    backbone,
    firstSignInUrl: code ? `http://${config.host}:${config.dashboardPort}/sign-in#code=${code}` : null,
    close: () =>
      (closing ??= (async () => {
        stopping = true;
        await server.close();
        log('api: http closed');
        await runner.stop(); // also ends the training process, and with it a base scoring still running
        await evaluatingBase;
        log('api: runner stopped');
        await services.classifiers.clear();
      })()),
  };
}
