// DataLoaders, one set per request: every relation field batches into one query per type per tick (no N+1).
// Each batch is a lib verb (registry, datasets, taxonomy-store): the API never queries the database itself.
import DataLoader from 'dataloader';
import type { ClassNode, PrismaClient } from '@accrete/db';
import { notFound } from '@accrete/errors';
import * as registry from '@accrete/registry';
import * as datasets from '@accrete/datasets';
import * as taxonomy from '@accrete/taxonomy-store';

type Row = { id: string };
type Ids = readonly string[];

function byId<T extends Row>(fetch: (ids: Ids) => Promise<Iterable<T>>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const map = new Map<string, T>();
    for (const r of await fetch(ids)) map.set(r.id, r);
    return ids.map((id) => map.get(id) ?? null);
  });
}

function groupBy<T>(fetch: (ids: Ids) => Promise<T[]>, key: keyof T) {
  return new DataLoader<string, T[]>(async (ids) => {
    const rows = await fetch(ids);
    const map = new Map<string, T[]>();
    for (const r of rows) {
      const k = r[key] as unknown as string;
      (map.get(k) ?? map.set(k, []).get(k)!).push(r);
    }
    return ids.map((id) => map.get(id) ?? []);
  });
}

/** Row counts per key; `fetch` returns one [key, count] pair per key that has rows (a grouped count). */
function countBy(fetch: (ids: Ids) => Promise<[string, number][]>) {
  return new DataLoader<string, number>(async (ids) => {
    const map = new Map(await fetch(ids));
    return ids.map((id) => map.get(id) ?? 0);
  });
}

/** How each loader is made for a request's Prisma client. */
const FACTORIES = {
  model: (prisma: PrismaClient) => byId((ids) => registry.modelsById(prisma, ids)),
  backbone: (prisma: PrismaClient) => byId((ids) => registry.backbonesById(prisma, ids)),
  version: (prisma: PrismaClient) => byId(async (ids) => (await registry.versionsById(prisma, ids)).values()),
  // class nodes come through the process cache (taxonomy edits drop it)
  classNode: (prisma: PrismaClient) => byId(async (ids) => (await taxonomy.classNodesById(prisma, ids)).values()),
  dataset: (prisma: PrismaClient) => byId((ids) => datasets.datasetsById(prisma, ids)),
  datasetVersion: (prisma: PrismaClient) => byId((ids) => datasets.datasetVersionsById(prisma, ids)),
  image: (prisma: PrismaClient) => byId((ids) => datasets.imagesById(prisma, ids)),
  job: (prisma: PrismaClient) => byId((ids) => registry.trainingJobsById(prisma, ids)),
  alias: (prisma: PrismaClient) => byId((ids) => registry.aliasesById(prisma, ids)),
  childrenOfVersion: (prisma: PrismaClient) => groupBy((ids) => registry.childVersionsOf(prisma, ids), 'parentId'),
  evaluationsOfVersion: (prisma: PrismaClient) =>
    groupBy((ids) => registry.evaluationsOfVersions(prisma, ids), 'versionId'),
  jobsOfVersion: (prisma: PrismaClient) => groupBy((ids) => registry.trainingJobsOfVersions(prisma, ids), 'versionId'),
  aliasesOfVersion: (prisma: PrismaClient) => groupBy((ids) => registry.aliasesOfVersions(prisma, ids), 'versionId'),
  aliasesOfModel: (prisma: PrismaClient) => groupBy((ids) => registry.aliasesOfModels(prisma, ids), 'modelId'),
  aliasNamesOfClass: (prisma: PrismaClient) => groupBy((ids) => taxonomy.classAliasesOf(prisma, ids), 'classNodeId'),
  // root-first ancestors of each class: one walk of the class-node cache (or one recursive query) per batch
  ancestorsOfClass: (prisma: PrismaClient) =>
    new DataLoader<string, ClassNode[]>(async (ids) => {
      const found = await taxonomy.classAncestorsMany(prisma, [...ids]);
      return ids.map((id) => found.get(id) ?? notFound('class', id));
    }),
  childCountOfClass: (prisma: PrismaClient) => countBy((ids) => taxonomy.childCountsOfClasses(prisma, ids)),
  rejectionCountOfImport: (prisma: PrismaClient) => countBy((ids) => datasets.rejectionCountsOfImports(prisma, ids)),
} satisfies Record<string, (prisma: PrismaClient) => DataLoader<string, unknown>>;
export type Loaders = { readonly [K in keyof typeof FACTORIES]: ReturnType<(typeof FACTORIES)[K]> };

/**
 * A request's loaders, each made on first use: a list query touches one or two of the eighteen, and making all
 * of them for every request was measurable garbage under load.
 */
class LazyLoaders {
  readonly made: Partial<Record<keyof Loaders, unknown>> = {};
  constructor(readonly prisma: PrismaClient) {}
}
for (const key of Object.keys(FACTORIES) as (keyof Loaders)[]) {
  Object.defineProperty(LazyLoaders.prototype, key, {
    get(this: LazyLoaders) {
      return (this.made[key] ??= FACTORIES[key](this.prisma));
    },
  });
}

export function createLoaders(prisma: PrismaClient): Loaders {
  return new LazyLoaders(prisma) as unknown as Loaders;
}
