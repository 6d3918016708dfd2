// Batched reads: per class, its aliases and its number of children, one query for many classes (the API's
// per-request DataLoaders are built on these).
import type { ClassAlias, PrismaClient } from '@accrete/db';

/** User aliases of each of the classes, by name. */
export function classAliasesOf(prisma: PrismaClient, classIds: readonly string[]): Promise<ClassAlias[]> {
  return prisma.classAlias.findMany({ where: { classNodeId: { in: [...classIds] } }, orderBy: { name: 'asc' } });
}

/** Children per class, one grouped count: [classId, count] for each class that has any. */
export async function childCountsOfClasses(
  prisma: PrismaClient,
  classIds: readonly string[],
): Promise<[string, number][]> {
  const rows = await prisma.classNode.groupBy({
    by: ['parentId'],
    where: { parentId: { in: [...classIds] } },
    _count: { _all: true },
  });
  return rows.flatMap((r) => (r.parentId ? [[r.parentId, r._count._all] as [string, number]] : []));
}
