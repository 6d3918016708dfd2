// Starts the real API (real database, real backbone, real job runner) on a free port for a test file.
import 'reflect-metadata';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '@accrete/config';
import { type DbHandle, type PrismaClient } from '@accrete/db';
import { createTestDatabase } from '@accrete/db/testing';
import { createApiToken, setTokenCacheTiming, tokenChecksSettled } from '@accrete/auth';
import { classNodeCacheSettled, setClassNodeCacheTiming, setTaxonomyCacheTiming } from '@accrete/taxonomy-store';
import { disposeSharedBackbones } from '@accrete/jobs';
import { startApi, type ApiApp, type StartApiOptions } from '../src/app.js';
import { CSRF_HEADER } from '../src/upload.js';

import { REPO, SHARED } from './paths.js';
export { REPO, SHARED, FLOWERS, PANDA } from './paths.js';

export interface GqlResult<T = any> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown }; path?: string[] }[];
}

export interface TestApi {
  app: ApiApp;
  url: string;
  config: Config;
  db: DbHandle;
  importRoot: string;
  tokens: { admin: string; editor: string; reader: string };
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResult<T>>;
  upload(
    files: { name: string; data: Uint8Array }[],
    fields?: Record<string, string>,
    opts?: { token?: string | null; csrf?: boolean },
  ): Promise<{ status: number; body: any }>;
  /** Prisma operations run by the resolvers since the last reset. */
  queries: { count: number; reset(): void };
  /** Runs fn with no timed background work (token re-checks, class-node revalidation, taxonomy
   *  snapshot reloads) able to start, so that
   *  `queries` counts only what the requests themselves ask. */
  withoutBackgroundQueries<T>(fn: () => Promise<T>): Promise<T>;
  /** Resolves when the API's class-node cache has finished a background revalidation (rows another process edited). */
  classNodesSettled(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestApi(
  env: Record<string, string> = {},
  opts: Pick<StartApiOptions, 'onJobStep'> = {},
): Promise<TestApi> {
  const dataDir = await mkdtemp(join(tmpdir(), 'accrete-api-test-'));
  const importRoot = join(dataDir, 'imports');
  await mkdir(importRoot, { recursive: true });
  const config = loadConfig(
    {
      ACCRETE_DATA_DIR: dataDir,
      ACCRETE_SHARED_DIR: SHARED,
      ACCRETE_IMPORT_ROOTS: importRoot,
      ACCRETE_OPEN_READS: 'false',
      ACCRETE_TRAINER_NICE: process.env.ACCRETE_TRAINER_NICE,
      ...env,
    },
    REPO,
  );
  const db = await createTestDatabase();
  const queries = {
    count: 0,
    reset() {
      this.count = 0;
    },
  };
  // count what the resolvers ask of the database (the N+1 test reads this)
  const counted = db.prisma.$extends({
    query: {
      async $allOperations({ args, query }) {
        queries.count++;
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
  const app = await startApi({
    evaluateBase: false,
    ...opts,
    config,
    db,
    port: 0,
    prisma: counted,
    log: process.env.ACCRETE_TEST_LOG ? console.log : () => undefined,
  });
  const mk = async (role: 'ADMIN' | 'EDITOR' | 'READER') =>
    (await createApiToken(db.prisma, { name: `test-${role.toLowerCase()}`, role })).token;
  const tokens = { admin: await mk('ADMIN'), editor: await mk('EDITOR'), reader: await mk('READER') };
  const url = app.server.url;
  return {
    app,
    url,
    config,
    db,
    importRoot,
    tokens,
    queries,
    async withoutBackgroundQueries(fn) {
      const tokenTiming = setTokenCacheTiming({ ttlMs: Infinity });
      const nodeTiming = setClassNodeCacheTiming({ ttlMs: Infinity });
      const snapshotTiming = setTaxonomyCacheTiming({ ttlMs: Infinity });
      try {
        await Promise.all([tokenChecksSettled(counted), classNodeCacheSettled(counted)]);
        return await fn();
      } finally {
        setTokenCacheTiming(tokenTiming);
        setClassNodeCacheTiming(nodeTiming);
        setTaxonomyCacheTiming(snapshotTiming);
      }
    },
    classNodesSettled: () => classNodeCacheSettled(counted),
    async gql(query, variables = {}, token = tokens.admin) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return res.json();
    },
    async upload(files, fields = {}, opts = {}) {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      for (const f of files) form.append('file', new Blob([new Uint8Array(f.data)]), f.name);
      const token = opts.token === undefined ? tokens.editor : opts.token;
      const res = await fetch(`${url}/upload`, {
        method: 'POST',
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(opts.csrf === false ? {} : { [CSRF_HEADER]: '1' }),
        },
        body: form,
      });
      return { status: res.status, body: await res.json() };
    },
    async close() {
      await app.close();
      await disposeSharedBackbones();
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Throws with the GraphQL errors when a response has any; returns data. */
export function ok<T>(r: GqlResult<T>): T {
  if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors, null, 1)}`);
  return r.data as T;
}

export function codeOf(r: GqlResult): string | undefined {
  return r.errors?.[0]?.extensions?.code;
}
