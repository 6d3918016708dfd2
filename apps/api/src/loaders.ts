// DataLoaders, one set per request: every relation field batches into one query per type per tick (no N+1).
import DataLoader from 'dataloader';
import type { PrismaClient } from '@accrete/db';
import { classNodesById, versionsById } from '@accrete/registry';

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

export function createLoaders(prisma: PrismaClient) {
  const inIds = (ids: string[]) => ({ where: { id: { in: ids } } });
  return {
    model: byId((ids) => prisma.model.findMany(inIds(ids))),
    backbone: byId((ids) => prisma.backbone.findMany(inIds(ids))),
    version: byId(async (ids) => [...(await versionsById(prisma, ids)).values()]),
    // class nodes come through the process cache (taxonomy edits drop it)
    classNode: byId(async (ids) => [...(await classNodesById(prisma, ids)).values()]),
    dataset: byId((ids) => prisma.dataset.findMany(inIds(ids))),
    datasetVersion: byId((ids) => prisma.datasetVersion.findMany(inIds(ids))),
    image: byId((ids) => prisma.image.findMany(inIds(ids))),
    job: byId((ids) => prisma.trainingJob.findMany(inIds(ids))),
    alias: byId((ids) => prisma.alias.findMany(inIds(ids))),
    childrenOfVersion: groupBy((ids) => prisma.modelVersion.findMany({ where: { parentId: { in: ids } }, orderBy: { number: 'asc' } }), 'parentId'),
    evaluationsOfVersion: groupBy((ids) => prisma.evaluation.findMany({ where: { versionId: { in: ids } }, orderBy: { name: 'asc' } }), 'versionId'),
    jobsOfVersion: groupBy((ids) => prisma.trainingJob.findMany({ where: { versionId: { in: ids } }, orderBy: { queuedAt: 'desc' } }), 'versionId'),
    aliasesOfVersion: groupBy((ids) => prisma.alias.findMany({ where: { versionId: { in: ids } }, orderBy: { name: 'asc' } }), 'versionId'),
    aliasesOfModel: groupBy((ids) => prisma.alias.findMany({ where: { modelId: { in: ids } }, orderBy: { name: 'asc' } }), 'modelId'),
    aliasNamesOfClass: groupBy((ids) => prisma.classAlias.findMany({ where: { classNodeId: { in: ids } }, orderBy: { name: 'asc' } }), 'classNodeId'),
    rejectionCountOfImport: new DataLoader<string, number>(async (ids) => {
      const rows = await prisma.importRejection.groupBy({ by: ['importId'], where: { importId: { in: [...ids] } }, _count: { _all: true } });
      const map = new Map(rows.map((r) => [r.importId, r._count._all]));
      return ids.map((id) => map.get(id) ?? 0);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
