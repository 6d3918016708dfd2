// Fixtures of the pg-boss scale-out tests (pgboss, s3-scale-out): worker nodes as real processes beside this one,
// which only submits.
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createJobRunner, type JobRunner } from '../src/runner.js';
import { spawnWorkerProcess, type WorkerProcess } from '../src/testing.js';
import { REPO, STABLE_CACHE, createTestEnv, type TestEnv } from './fixtures.js';

/**
 * A test env (see createTestEnv; `env` adds settings such as the object store's) and this process's pg-boss runner,
 * started (it creates the queue). The runner only submits: the spawned workers run the jobs.
 */
export async function startScaleOut(opts: { env?: Record<string, string> } = {}): Promise<{
  env: TestEnv;
  submitter: JobRunner;
}> {
  const env = await createTestEnv(opts);
  const submitter = createJobRunner(
    { prisma: env.prisma, config: env.config, storage: env.storage },
    { mode: 'pgboss', work: false, pgboss: { superviseIntervalSeconds: 2, retryDelaySeconds: 1 } },
  );
  await submitter.start();
  return { env, submitter };
}

/** Another node's data dir under the test's root: empty but for the converted-backbone cache (a pure function of
 *  the read-only base model, so sharing it saves each node the conversion and proves nothing less). */
export async function nodeDataDir(env: TestEnv, name: string): Promise<string> {
  const dir = join(env.root, name);
  await mkdir(join(dir, 'cache'), { recursive: true });
  await symlink(join(STABLE_CACHE, 'backbones'), join(dir, 'cache', 'backbones'));
  return dir;
}

/** apps/worker as a process on the test's database and settings (plus `extraEnv`, e.g. the object store's). */
export function spawnWorker(
  env: TestEnv,
  name: string,
  dataDir: string,
  extraEnv?: Record<string, string>,
): WorkerProcess {
  return spawnWorkerProcess({
    name,
    repo: REPO,
    databaseUrl: env.db.url!,
    dataDir,
    config: env.config,
    env: extraEnv,
  });
}
