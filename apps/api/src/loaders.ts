// DataLoaders, one set per request: every relation field batches into one query per type per tick (no N+1).
import DataLoader from 'dataloader';
import type { PrismaClient } from '@accrete/db';
import { notFound } from '@accrete/errors';
import { versionsById } from '@accrete/registry';
import { classAncestorsMany, classNodesById } from '@accrete/taxonomy-store';
import type { ClassNode } from '@accrete/db';

type Row = { id: string };

function byId<T extends Row>(fetch: (ids: string[]) => Promise<T[]>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await fetch([...ids]);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

function groupBy<T>(fetch: (ids: string[]) => Promise<T[]>, key: keyof T) {
  return new DataLoader<string, T[]>(async (ids) => {
    const rows = await fetch([...ids]);
    const map = new Map<string, T[]>();
    for (const r of rows) {
      const k = r[key] as unknown as string;
      (map.get(k) ?? map.set(k, []).get(k)!).push(r);
    }
    return ids.map((id) => map.get(id) ?? []);
  });
}

/** Row counts per key; `fetch` returns one [key, count] pair per key that has rows (a grouped count). */
function countBy(fetch: (ids: string[]) => Promise<[string | null, number][]>) {
  return new DataLoader<string, number>(async (ids) => {
    const map = new Map(await fetch([...ids]));
    return ids.map((id) => map.get(id) ?? 0);
  });
}

const inIds = (ids: string[]) => ({ where: { id: { in: ids } } });

/** How each loader is made for a request's Prisma client. */
const FACTORIES = {
  model: (prisma: PrismaClient) => byId((ids) => prisma.model.findMany(inIds(ids))),
  backbone: (prisma: PrismaClient) => byId((ids) => prisma.backbone.findMany(inIds(ids))),
  version: (prisma: PrismaClient) => byId(async (ids) => [...(await versionsById(prisma, ids)).values()]),
  // class nodes come through the process cache (taxonomy edits drop it)
  classNode: (prisma: PrismaClient) => byId(async (ids) => [...(await classNodesById(prisma, ids)).values()]),
  dataset: (prisma: PrismaClient) => byId((ids) => prisma.dataset.findMany(inIds(ids))),
  datasetVersion: (prisma: PrismaClient) => byId((ids) => prisma.datasetVersion.findMany(inIds(ids))),
  image: (prisma: PrismaClient) => byId((ids) => prisma.image.findMany(inIds(ids))),
  job: (prisma: PrismaClient) => byId((ids) => prisma.trainingJob.findMany(inIds(ids))),
  alias: (prisma: PrismaClient) => byId((ids) => prisma.alias.findMany(inIds(ids))),
  childrenOfVersion: (prisma: PrismaClient) =>
    groupBy(
      (ids) => prisma.modelVersion.findMany({ where: { parentId: { in: ids } }, orderBy: { number: 'asc' } }),
      'parentId',
    ),
  evaluationsOfVersion: (prisma: PrismaClient) =>
    groupBy(
      (ids) => prisma.evaluation.findMany({ where: { versionId: { in: ids } }, orderBy: { name: 'asc' } }),
      'versionId',
    ),
  jobsOfVersion: (prisma: PrismaClient) =>
    groupBy(
      (ids) => prisma.trainingJob.findMany({ where: { versionId: { in: ids } }, orderBy: { queuedAt: 'desc' } }),
      'versionId',
    ),
  aliasesOfVersion: (prisma: PrismaClient) =>
    groupBy(
      (ids) => prisma.alias.findMany({ where: { versionId: { in: ids } }, orderBy: { name: 'asc' } }),
      'versionId',
    ),
  aliasesOfModel: (prisma: PrismaClient) =>
    groupBy((ids) => prisma.alias.findMany({ where: { modelId: { in: ids } }, orderBy: { name: 'asc' } }), 'modelId'),
  aliasNamesOfClass: (prisma: PrismaClient) =>
    groupBy(
      (ids) => prisma.classAlias.findMany({ where: { classNodeId: { in: ids } }, orderBy: { name: 'asc' } }),
      'classNodeId',
    ),
  // root-first ancestors of each class: one walk of the class-node cache (or one recursive query) per batch
  ancestorsOfClass: (prisma: PrismaClient) =>
    new DataLoader<string, ClassNode[]>(async (ids) => {
      const found = await classAncestorsMany(prisma, [...ids]);
      return ids.map((id) => found.get(id) ?? notFound('class', id));
    }),
  childCountOfClass: (prisma: PrismaClient) =>
    countBy(async (ids) =>
      (
        await prisma.classNode.groupBy({ by: ['parentId'], where: { parentId: { in: ids } }, _count: { _all: true } })
      ).map((r) => [r.parentId, r._count._all]),
    ),
  rejectionCountOfImport: (prisma: PrismaClient) =>
    countBy(async (ids) =>
      (
        await prisma.importRejection.groupBy({
          by: ['importId'],
          where: { importId: { in: ids } },
          _count: { _all: true },
        })
      ).map((r) => [r.importId, r._count._all]),
    ),
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
