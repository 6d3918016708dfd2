// Wires the API process: storage → base-model seed → job runner → HTTP server. main.ts adds config, database
// and signals; tests and the bench call startApi with their own database.
import type { Config } from '@accrete/config';
import type { DbHandle, ModelVersion } from '@accrete/db';
import { LocalStorage } from '@accrete/storage';
import { createJobRunner, getSharedBackbone, sweepLeftovers, type JobRunner } from '@accrete/jobs';
import { loadClassifier, type Backbone } from '@accrete/trainer';
import { ClassifierCache, seedBaseModel } from '@accrete/registry';
import { startApiServer, type ApiServer } from './server.js';
import type { Services } from './context.js';
import type { QueryLimits } from './limits.js';

export interface ApiApp { server: ApiServer; runner: JobRunner; services: Services; backbone: Backbone; close(): Promise<void> }

export interface StartApiOptions {
  config: Config;
  db: DbHandle;
  /** Listen port (default config.apiPort; tests pass 0). */
  port?: number;
  log?: (m: string) => void;
  limits?: QueryLimits;
  /** Replace the Prisma client the resolvers use (e.g. one extended to count queries); seeding still uses db.prisma. */
  prisma?: DbHandle['prisma'];
}

/** The base version predicts with the backbone's own head; grown versions with their exported head. */
export function classifierLoader(backbone: Backbone) {
  return async (v: ModelVersion) => {
    if (!v.parentId) return loadClassifier({ backbone });
    if (!v.artifactUri) throw new Error(`version ${v.number} has no artifact`);
    const dir = v.artifactUri.startsWith('file://') ? new URL(v.artifactUri).pathname : v.artifactUri;
    return loadClassifier({ artifactDir: dir, backbone });
  };
}

/** Removes what a killed process left (see sweepLeftovers); a shared data dir (PostgreSQL) keeps the last hour's. */
export async function cleanLeftovers(prisma: DbHandle['prisma'], config: Config, log: (m: string) => void): Promise<void> {
  const r = await sweepLeftovers(prisma, config.paths, { graceMs: config.databaseUrl ? 3_600_000 : 0 });
  const n = r.scratchDirs + r.tempFiles + r.uploadDirs + r.orphanImages;
  if (n > 0) log(`storage: removed leftovers: ${r.scratchDirs} artifact scratch dirs, ${r.tempFiles} temp files, ${r.uploadDirs} upload dirs, ${r.orphanImages} orphan image files`);
}

export async function startApi(opts: StartApiOptions): Promise<ApiApp> {
  const { config, db } = opts;
  const log = opts.log ?? ((m: string) => console.log(m));
  const storage = new LocalStorage(config.paths);
  await storage.ensure();
  await cleanLeftovers(db.prisma, config, log);
  const backbone = await getSharedBackbone(config, log);
  await seedBaseModel(db.prisma, { backbone, modelName: config.baseModelName, source: config.baseModel, log });
  const runner = createJobRunner({ prisma: db.prisma, config, storage, log }, { mode: config.jobs, work: config.runWorker });
  await runner.start(); // resumes or fails jobs a previous process left unfinished
  const prisma = opts.prisma ?? db.prisma;
  const services: Services = { prisma, config, storage, runner, classifiers: new ClassifierCache(config.modelCacheSize, classifierLoader(backbone)), log };
  const server = await startApiServer({ services, port: opts.port, dbKind: db.kind, backend: () => backbone.backend, limits: opts.limits });
  let closing: Promise<void> | undefined;
  return {
    server, runner, services, backbone,
    close: () => (closing ??= (async () => {
      await server.close();
      log('api: http closed');
      await runner.stop();
      log('api: runner stopped');
      await services.classifiers.clear();
    })()),
  };
}
