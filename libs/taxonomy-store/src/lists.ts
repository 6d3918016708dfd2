// The cursor-paginated list of class nodes (the GraphQL classNodes connection).
import type { PrismaClient, ClassOrigin } from '@accrete/db';
import { paginateTable, type PageArgs, containsText, likeLiteral } from '@accrete/pagination';

const ci = containsText;

export interface ClassNodeFilter {
  search?: string | null;
  origin?: ClassOrigin | null;
  parentId?: string | null;
  rootsOnly?: boolean | null;
}
export function listClassNodes(prisma: PrismaClient, filter: ClassNodeFilter = {}, page: PageArgs = {}) {
  const where: Record<string, unknown> = {};
  if (filter.origin) where.origin = filter.origin;
  if (filter.parentId) where.parentId = filter.parentId;
  if (filter.rootsOnly) where.parentId = null;
  if (filter.search) {
    const s = filter.search.trim();
    where.OR = [
      { name: ci(s) },
      { wnid: s },
      { aliases: { some: { normalized: { contains: likeLiteral(s.toLowerCase()) } } } },
    ];
  }
  return paginateTable(prisma.classNode, {
    where,
    page,
    order: [
      { field: 'depth', dir: 'asc' },
      { field: 'name', dir: 'asc' },
      { field: 'id', dir: 'asc' },
    ],
  });
}
