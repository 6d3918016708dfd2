// Every setting of Accrete in one validated place; apps and libs receive a Config, never read env themselves.
import { resolve, isAbsolute } from 'node:path';
import { z } from 'zod';

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

const EnvSchema = z.object({
  ACCRETE_DATA_DIR: z.string().default('.accrete'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgresql://')
    .optional(),
  ACCRETE_SHARED_DIR: z.string().default('../shared'),
  ACCRETE_BASE_MODEL: z.string().optional(),
  ACCRETE_BASE_MODEL_NAME: z.string().default('mobilenet-v1-0.75'),
  ACCRETE_REHEARSAL_DIR: z.string().optional(),
  ACCRETE_IMPORT_ROOTS: z.string().optional(),
  ACCRETE_HOST: z.string().default('127.0.0.1'),
  ACCRETE_API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  ACCRETE_DASHBOARD_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  ACCRETE_JOBS: z.enum(['inprocess', 'pgboss']).default('inprocess'),
  // pg-boss 12 (used before) wrote schema `pgboss` in a layout pg-boss 10 cannot read: see docs/operations.md.
  ACCRETE_PGBOSS_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'ACCRETE_PGBOSS_SCHEMA must be a lower-case PostgreSQL schema name')
    .default('pgboss_v10'),
  ACCRETE_RUN_WORKER: bool.default(true),
  ACCRETE_OPEN_READS: bool.optional(),
  ACCRETE_BACKEND: z.enum(['auto', 'tfjs-node-gpu', 'tfjs-node', 'onnx', 'wasm']).default('auto'),
  ACCRETE_MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  ACCRETE_MAX_UPLOAD_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(512 * 1024 * 1024),
  ACCRETE_ALLOWED_ORIGINS: z.string().optional(),
  ACCRETE_MAX_IMAGE_PIXELS: z.coerce.number().int().positive().default(40_000_000),
  ACCRETE_MODEL_CACHE_SIZE: z.coerce.number().int().positive().default(4),
  ACCRETE_TRAINER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  ACCRETE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  ACCRETE_STORAGE_URL: z
    .string()
    .regex(
      /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[\w!.*'()/-]*)?$/,
      'ACCRETE_STORAGE_URL must be s3://bucket or s3://bucket/prefix',
    )
    .optional(),
  ACCRETE_S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'ACCRETE_S3_ENDPOINT must be an http(s) URL' }).optional(),
  AWS_ENDPOINT_URL: z.url({ protocol: /^https?$/, error: 'AWS_ENDPOINT_URL must be an http(s) URL' }).optional(),
  ACCRETE_S3_FORCE_PATH_STYLE: bool.optional(),
  AWS_REGION: z.string().min(1).optional(),
  AWS_DEFAULT_REGION: z.string().min(1).optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_SESSION_TOKEN: z.string().min(1).optional(),
});

/** Where blobs (images, artifacts, bottlenecks, backbones) live. */
export type StorageConfig =
  | { kind: 'local' }
  | {
      kind: 's3';
      bucket: string;
      /** Key prefix inside the bucket, no leading/trailing slash. */
      prefix: string;
      region: string;
      /** MinIO/R2/Ceph endpoint; undefined means AWS. */
      endpoint: string | undefined;
      forcePathStyle: boolean;
      /** From AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; undefined lets the SDK's default chain find credentials. */
      credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string | undefined } | undefined;
    };

export interface Config {
  /** Root of local state: PGlite database, images, artifacts, bottleneck cache. */
  dataDir: string;
  /** PostgreSQL URL (scale-out); undefined means embedded PGlite under dataDir/db. */
  databaseUrl: string | undefined;
  sharedDir: string;
  /** Directory or URL of the base TF.js layers model (model.json + metadata.json labels). */
  baseModel: string;
  baseModelName: string;
  /** Unlabelled images used as rehearsal negatives (default: even class_index of imagenet-sample). */
  rehearsalDir: string;
  /** Server-side directories that importDataset may read from. */
  importRoots: string[];
  host: string;
  apiPort: number;
  dashboardPort: number;
  jobs: 'inprocess' | 'pgboss';
  /** PostgreSQL schema of the pg-boss queue (a new name when the pg-boss major version changes). */
  pgbossSchema: string;
  /** Whether the API process also runs training jobs (embedded default: yes). */
  runWorker: boolean;
  /** Reads without a token (embedded default: open; PostgreSQL: closed unless set). */
  openReads: boolean;
  backend: 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'onnx' | 'wasm';
  maxUploadBytes: number;
  /** Largest whole POST /upload request (all files together), streamed to disk. */
  maxUploadRequestBytes: number;
  /** Browser origins allowed to open the WebSocket (the dashboard's by default). */
  allowedOrigins: string[];
  maxImagePixels: number;
  modelCacheSize: number;
  /** CPU priority (nice, 0–19) of the training child process: above 0 the API's thread wins the cores during a job. */
  trainerNice: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Local directory (embedded default) or an S3-compatible bucket shared by every node (ACCRETE_STORAGE_URL). */
  storage: StorageConfig;
  /** blobCache: this node's read-through copies of blobs from a remote store. */
  paths: { db: string; images: string; artifacts: string; bottlenecks: string; uploads: string; blobCache: string };
}

export class ConfigError extends Error {}

/** Builds the Config from an env-like record; relative paths resolve against cwd (the repo root). */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const isUrl = (p: string) => /^https?:\/\//.test(p);
  const dataDir = abs(e.ACCRETE_DATA_DIR);
  const sharedDir = abs(e.ACCRETE_SHARED_DIR);
  const baseModel = e.ACCRETE_BASE_MODEL ?? resolve(sharedDir, 'models/mobilenet_v1_0.75_224');
  if (e.ACCRETE_JOBS === 'pgboss' && !e.DATABASE_URL) {
    throw new ConfigError(
      'invalid configuration:\n  ACCRETE_JOBS=pgboss needs DATABASE_URL (pg-boss queues live in PostgreSQL)',
    );
  }
  if (!!e.AWS_ACCESS_KEY_ID !== !!e.AWS_SECRET_ACCESS_KEY) {
    throw new ConfigError('invalid configuration:\n  AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together');
  }
  return {
    dataDir,
    databaseUrl: e.DATABASE_URL,
    sharedDir,
    baseModel: isUrl(baseModel) ? baseModel : abs(baseModel),
    baseModelName: e.ACCRETE_BASE_MODEL_NAME,
    rehearsalDir: abs(e.ACCRETE_REHEARSAL_DIR ?? resolve(sharedDir, 'datasets/imagenet-sample')),
    importRoots: (e.ACCRETE_IMPORT_ROOTS ?? `${resolve(sharedDir, 'datasets')}:${resolve(dataDir, 'imports')}`)
      .split(':')
      .filter(Boolean)
      .map(abs),
    host: e.ACCRETE_HOST,
    apiPort: e.ACCRETE_API_PORT,
    dashboardPort: e.ACCRETE_DASHBOARD_PORT,
    jobs: e.ACCRETE_JOBS,
    pgbossSchema: e.ACCRETE_PGBOSS_SCHEMA,
    runWorker: e.ACCRETE_RUN_WORKER,
    openReads: e.ACCRETE_OPEN_READS ?? !e.DATABASE_URL,
    backend: e.ACCRETE_BACKEND,
    maxUploadBytes: e.ACCRETE_MAX_UPLOAD_BYTES,
    maxUploadRequestBytes: e.ACCRETE_MAX_UPLOAD_REQUEST_BYTES,
    allowedOrigins: (
      e.ACCRETE_ALLOWED_ORIGINS ??
      `http://127.0.0.1:${e.ACCRETE_DASHBOARD_PORT},http://localhost:${e.ACCRETE_DASHBOARD_PORT},http://${e.ACCRETE_HOST}:${e.ACCRETE_DASHBOARD_PORT}`
    )
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    maxImagePixels: e.ACCRETE_MAX_IMAGE_PIXELS,
    modelCacheSize: e.ACCRETE_MODEL_CACHE_SIZE,
    trainerNice: e.ACCRETE_TRAINER_NICE,
    logLevel: e.ACCRETE_LOG_LEVEL,
    storage: storageConfig(e),
    paths: {
      db: resolve(dataDir, 'db'),
      images: resolve(dataDir, 'images'),
      artifacts: resolve(dataDir, 'artifacts'),
      bottlenecks: resolve(dataDir, 'bottlenecks'),
      uploads: resolve(dataDir, 'uploads'),
      blobCache: resolve(dataDir, 'blob-cache'),
    },
  };
}

function storageConfig(e: z.infer<typeof EnvSchema>): StorageConfig {
  if (!e.ACCRETE_STORAGE_URL) return { kind: 'local' };
  const [bucket, ...rest] = e.ACCRETE_STORAGE_URL.slice('s3://'.length).split('/');
  const endpoint = e.ACCRETE_S3_ENDPOINT ?? e.AWS_ENDPOINT_URL;
  return {
    kind: 's3',
    bucket: bucket!,
    prefix: rest.filter(Boolean).join('/'),
    region: e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? 'us-east-1',
    endpoint,
    // Self-hosted servers (MinIO, s3rver) rarely have wildcard DNS for virtual-host buckets.
    forcePathStyle: e.ACCRETE_S3_FORCE_PATH_STYLE ?? endpoint !== undefined,
    credentials:
      e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY
        ? {
            accessKeyId: e.AWS_ACCESS_KEY_ID,
            secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
            sessionToken: e.AWS_SESSION_TOKEN,
          }
        : undefined,
  };
}

/**
 * Valid but risky combinations, for the start-up log. Queued jobs with local storage work on one machine only:
 * a worker elsewhere finds none of the images (its job fails "image file(s) missing from storage").
 */
export function configWarnings(c: Config): string[] {
  const out: string[] = [];
  if (c.jobs === 'pgboss' && c.storage.kind === 'local')
    out.push(
      `ACCRETE_JOBS=pgboss with local storage: every API and worker process must see this data dir (${c.dataDir}); ` +
        'for machines that share only PostgreSQL, set ACCRETE_STORAGE_URL=s3://bucket/prefix (docs/operations.md)',
    );
  return out;
}
