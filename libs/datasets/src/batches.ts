// Batched reads: rows for many ids in one query each (the API's per-request DataLoaders are built on these).
import type { Dataset, DatasetVersion, Image, PrismaClient } from '@accrete/db';

const inIds = (ids: readonly string[]) => ({ id: { in: [...ids] } });

export function datasetsById(prisma: PrismaClient, ids: readonly string[]): Promise<Dataset[]> {
  return prisma.dataset.findMany({ where: inIds(ids) });
}

export function datasetVersionsById(prisma: PrismaClient, ids: readonly string[]): Promise<DatasetVersion[]> {
  return prisma.datasetVersion.findMany({ where: inIds(ids) });
}

export function imagesById(prisma: PrismaClient, ids: readonly string[]): Promise<Image[]> {
  return prisma.image.findMany({ where: inIds(ids) });
}

/** Rejected files per import, one grouped count: [importId, count] for each import that has any. */
export async function rejectionCountsOfImports(
  prisma: PrismaClient,
  importIds: readonly string[],
): Promise<[string, number][]> {
  const rows = await prisma.importRejection.groupBy({
    by: ['importId'],
    where: { importId: { in: [...importIds] } },
    _count: { _all: true },
  });
  return rows.map((r) => [r.importId, r._count._all]);
}

/** One stored image by id (null: none). */
export function getImage(prisma: PrismaClient, id: string): Promise<Image | null> {
  return prisma.image.findUnique({ where: { id } });
}
