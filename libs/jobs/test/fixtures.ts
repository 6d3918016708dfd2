// Test setup for the jobs lib: a real migrated database, real local storage, the real shared base model and
// real flower photos. Rows are inserted directly with Prisma (minimal registry state a job needs).
import { mkdir, mkdtemp, readFile, rm, symlink, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { loadConfig, type Config } from '@accrete/config';
import { type DbHandle, type PrismaClient } from '@accrete/db';
import { createTestDatabase } from '@accrete/db/testing';
import { openStorage, type LocalStorage } from '@accrete/storage';
import { parseCsv } from '@accrete/primitives';
import { rehearsalSlice } from '../src/testing.js';

export const REPO = resolve(import.meta.dirname, '../../..');
export const SHARED = resolve(REPO, '../shared');
export const FLOWERS = join(SHARED, 'datasets/flowers');
export const IMAGENET_SAMPLE = join(SHARED, 'datasets/imagenet-sample');
/** Stable across runs so bottlenecks and the ONNX form of the backbone are computed once per machine. */
export const STABLE_CACHE = join(tmpdir(), 'accrete-jobs-test-cache');

export interface TestEnv {
  db: DbHandle;
  prisma: PrismaClient;
  config: Config;
  storage: LocalStorage;
  root: string;
  close(): Promise<void>;
}

/**
 * A fresh database + data dir. The data dir's bottleneck and backbone caches are symlinks to a stable temp dir,
 * and the rehearsal dir is a small slice of imagenet-sample (with its index.csv), so jobs take seconds.
 */
export async function createTestEnv(
  opts: {
    rehearsalPerParity?: number;
    /** an empty bottleneck cache of its own (extraction really runs) */ freshBottlenecks?: boolean;
    /** extra settings, e.g. ACCRETE_STORAGE_URL and the S3 endpoint of a shared object store */ env?: Record<
      string,
      string
    >;
  } = {},
): Promise<TestEnv> {
  const root = await mkdtemp(join(tmpdir(), 'accrete-jobs-'));
  const dataDir = join(root, 'data');
  await mkdir(join(STABLE_CACHE, 'bottlenecks'), { recursive: true });
  await mkdir(join(STABLE_CACHE, 'backbones'), { recursive: true });
  await mkdir(join(dataDir, 'cache'), { recursive: true });
  if (!opts.freshBottlenecks) await symlink(join(STABLE_CACHE, 'bottlenecks'), join(dataDir, 'bottlenecks'));
  await symlink(join(STABLE_CACHE, 'backbones'), join(dataDir, 'cache', 'backbones'));
  const rehearsalDir = await rehearsalSlice(join(root, 'rehearsal'), IMAGENET_SAMPLE, opts.rehearsalPerParity ?? 12);
  const db = await createTestDatabase();
  const config = loadConfig(
    {
      ACCRETE_DATA_DIR: dataDir,
      ACCRETE_SHARED_DIR: SHARED,
      ACCRETE_REHEARSAL_DIR: rehearsalDir,
      ACCRETE_TRAINER_NICE: process.env.ACCRETE_TRAINER_NICE,
      ...(db.kind === 'postgres' ? { DATABASE_URL: db.url } : {}),
      ...opts.env,
    },
    REPO,
  );
  const storage = openStorage(config.paths, config.storage);
  await storage.ensure();
  return {
    db,
    prisma: db.prisma,
    config,
    storage,
    root,
    close: async () => {
      await db.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface BaseModel {
  modelId: string;
  versionId: string;
  /** ImageNet class node id per base output unit */
  unitNodes: string[];
}

/** Backbone row + ImageNet ClassNodes (from imagenet-sample/index.csv) — once per database. */
async function ensureTaxonomy(prisma: PrismaClient): Promise<{ backboneId: string; unitNodes: string[] }> {
  const existing = await prisma.backbone.findUnique({ where: { name: 'mobilenet-v1-0.75' } });
  const text = await readFile(join(IMAGENET_SAMPLE, 'index.csv'), 'utf8');
  const rows = parseCsv(text)
    .filter((r) => r.length > 1)
    .slice(1);
  const wnids = rows
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((r) => ({ wnid: r[2]!, name: r[3]!.split(',')[0]!.trim() }));
  if (!existing) {
    await prisma.classNode.createMany({
      data: wnids.map((w) => ({ wnid: w.wnid, name: w.name, origin: 'IMAGENET' as const })),
    });
  }
  const nodes = await prisma.classNode.findMany({
    where: { wnid: { in: wnids.map((w) => w.wnid) } },
    select: { id: true, wnid: true },
  });
  const byWnid = new Map(nodes.map((n) => [n.wnid, n.id]));
  const backbone =
    existing ??
    (await prisma.backbone.create({
      data: {
        name: 'mobilenet-v1-0.75',
        source: join(SHARED, 'models/mobilenet_v1_0.75_224'),
        inputSize: 224,
        bottleneckDim: 768,
        bottleneckLayer: 'global_average_pooling2d_1',
        headLayer: 'conv_preds',
        sha256: 'test',
      },
    }));
  return { backboneId: backbone.id, unitNodes: wnids.map((w) => byWnid.get(w.wnid)!) };
}

/** A model with an imported base version v1 (READY, 1000 VersionClass rows). */
export async function createBaseModel(prisma: PrismaClient, name: string): Promise<BaseModel> {
  const { backboneId, unitNodes } = await ensureTaxonomy(prisma);
  const model = await prisma.model.create({ data: { name, backboneId } });
  const v1 = await prisma.modelVersion.create({
    data: { modelId: model.id, number: 1, status: 'READY', classCount: unitNodes.length, readyAt: new Date() },
  });
  await prisma.versionClass.createMany({
    data: unitNodes.map((classNodeId, outputUnit) => ({ versionId: v1.id, outputUnit, classNodeId })),
  });
  return { modelId: model.id, versionId: v1.id, unitNodes };
}

export interface DatasetSpec {
  /** label → [train count, val count], photos taken in name order from flowers/{train,val}/<label> */
  [label: string]: [number, number];
}

/** A dataset version of real flower photos stored in the content-addressed image store. */
export async function createFlowerDataset(
  env: TestEnv,
  name: string,
  spec: DatasetSpec,
  offset = 0,
  /** folder → the dataset label its photos get (default: the folder's name) */
  labelOf: Record<string, string> = {},
): Promise<{ datasetVersionId: string; files: string[] }> {
  const { prisma, storage } = env;
  const dataset = await prisma.dataset.create({ data: { name } });
  const files: string[] = [];
  const counts: Record<string, { train: number; val: number }> = {};
  const rows: { imageId: string; label: string; split: 'TRAIN' | 'VAL' }[] = [];
  for (const [folder, [nTrain, nVal]] of Object.entries(spec)) {
    const label = labelOf[folder] ?? folder;
    for (const [split, n, sub] of [
      ['TRAIN', nTrain, 'train'],
      ['VAL', nVal, 'val'],
    ] as const) {
      const dir = join(FLOWERS, sub, folder);
      const names = (await readdir(dir))
        .filter((f) => f.endsWith('.jpg'))
        .sort()
        .slice(offset, offset + n);
      for (const f of names) {
        const bytes = await readFile(join(dir, f));
        const { sha256, key } = await storage.putImage(bytes);
        const meta = await sharp(bytes).metadata();
        const image = await prisma.image.upsert({
          where: { sha256 },
          create: {
            sha256,
            width: meta.width!,
            height: meta.height!,
            format: meta.format!,
            bytes: bytes.length,
            storageKey: key,
          },
          update: {},
        });
        await prisma.datasetImage.create({
          data: { datasetId: dataset.id, imageId: image.id, label, split, sourcePath: join(sub, folder, f) },
        });
        rows.push({ imageId: image.id, label, split });
        files.push(storage.imagePath(key));
        const c = (counts[label] ??= { train: 0, val: 0 });
        if (split === 'TRAIN') c.train++;
        else c.val++;
      }
    }
  }
  const dv = await prisma.datasetVersion.create({
    data: { datasetId: dataset.id, number: 1, imageCount: rows.length, classCounts: counts, images: { create: rows } },
  });
  return { datasetVersionId: dv.id, files };
}

/** The rows the registry writes when a version is requested: ModelVersion PENDING + TrainingJob QUEUED. */
export async function createJob(
  prisma: PrismaClient,
  args: {
    parentVersionId: string;
    datasetVersionId: string;
    newClasses: string[];
    merges?: { label: string; outputUnit: number }[];
    strategy?: string;
    options?: Record<string, unknown>;
    labelDecisions?: Record<string, { descendants?: number[]; winsOver?: number[] }>;
    /** label → the new class's name (default: the label) */
    names?: Record<string, string>;
  },
): Promise<{ jobId: string; versionId: string; newNodeIds: string[] }> {
  const parent = await prisma.modelVersion.findUniqueOrThrow({ where: { id: args.parentVersionId } });
  const newNodes: { id: string }[] = [];
  for (const label of args.newClasses) {
    const name = args.names?.[label] ?? label;
    newNodes.push(
      (await prisma.classNode.findFirst({ where: { name, origin: 'USER' } })) ??
        (await prisma.classNode.create({ data: { name, origin: 'USER' } })),
    );
  }
  const merges = [];
  for (const m of args.merges ?? []) {
    const vc = await prisma.versionClass.findUniqueOrThrow({
      where: { versionId_outputUnit: { versionId: parent.id, outputUnit: m.outputUnit } },
    });
    merges.push({ label: m.label, classNodeId: vc.classNodeId, outputUnit: m.outputUnit });
  }
  const params = {
    datasetVersionId: args.datasetVersionId,
    newClasses: args.newClasses.map((label, i) => ({ label, classNodeId: newNodes[i]!.id })),
    merges,
    ...(args.labelDecisions ? { labelDecisions: args.labelDecisions } : {}),
    options: { augmentations: 1, epochs: 30, seed: 1, retentionKnob: 0.5, ...args.options },
  };
  const strategy = args.strategy ?? 'calibrated';
  const last = await prisma.modelVersion.aggregate({ where: { modelId: parent.modelId }, _max: { number: true } });
  const version = await prisma.modelVersion.create({
    data: {
      modelId: parent.modelId,
      number: (last._max.number ?? 0) + 1,
      parentId: parent.id,
      status: 'PENDING',
      strategy,
      params,
      datasetVersionId: args.datasetVersionId,
    },
  });
  const job = await prisma.trainingJob.create({
    data: { versionId: version.id, parentVersionId: parent.id, strategy, params },
  });
  return { jobId: job.id, versionId: version.id, newNodeIds: newNodes.map((n) => n.id) };
}

/** Polls a job row until it reaches one of the given statuses (or the test times out). */
export async function waitForJob(prisma: PrismaClient, jobId: string, statuses: string[], timeoutMs = 300_000) {
  const t0 = Date.now();
  for (;;) {
    const row = await prisma.trainingJob.findUniqueOrThrow({ where: { id: jobId } });
    if (statuses.includes(row.status)) return row;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`job ${jobId} still ${row.status} (${row.phase}) after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
