// Filtered, cursor-paginated lists of datasets, their images, versions and imports (one per GraphQL connection).
import type { PrismaClient, Split } from '@accrete/db';
import { paginateTable, NEWEST_FIRST, type PageArgs, containsText } from '@accrete/pagination';

const ci = containsText;

export function listDatasets(prisma: PrismaClient, filter: { search?: string | null } = {}, page: PageArgs = {}) {
  const where = filter.search ? { name: ci(filter.search) } : {};
  return paginateTable(prisma.dataset, { where, page, order: NEWEST_FIRST });
}

export interface DatasetImageFilter {
  label?: string | null;
  split?: Split | null;
}
export function listDatasetImages(
  prisma: PrismaClient,
  datasetId: string,
  filter: DatasetImageFilter = {},
  page: PageArgs = {},
) {
  const where: Record<string, unknown> = { datasetId };
  if (filter.label) where.label = filter.label;
  if (filter.split) where.split = filter.split;
  return paginateTable(prisma.datasetImage, {
    where,
    page,
    order: [
      { field: 'label', dir: 'asc' },
      { field: 'id', dir: 'asc' },
    ],
  });
}

/** Images of a frozen dataset version, shaped like DatasetImage rows (id = "<dvId>:<imageId>"). */
export async function listDatasetVersionImages(
  prisma: PrismaClient,
  datasetVersionId: string,
  filter: DatasetImageFilter = {},
  page: PageArgs = {},
) {
  const where: Record<string, unknown> = { datasetVersionId };
  if (filter.label) where.label = filter.label;
  if (filter.split) where.split = filter.split;
  const p = await paginateTable(prisma.datasetVersionImage, {
    where,
    page,
    order: [
      { field: 'label', dir: 'asc' },
      { field: 'imageId', dir: 'asc' },
    ],
  });
  const shape = (r: { datasetVersionId: string; imageId: string; label: string; split: Split }) => ({
    id: `${r.datasetVersionId}:${r.imageId}`,
    imageId: r.imageId,
    label: r.label,
    split: r.split,
    sourcePath: null,
    classNodeId: null,
  });
  const edges = p.edges.map((e) => ({ cursor: e.cursor, node: shape(e.node as never) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: p.pageInfo,
    get totalCount() {
      return p.totalCount;
    },
  };
}

export function listDatasetVersions(prisma: PrismaClient, datasetId: string, page: PageArgs = {}) {
  return paginateTable(prisma.datasetVersion, {
    where: { datasetId },
    page,
    order: [{ field: 'number', dir: 'desc' }],
  });
}

export function listDatasetImports(prisma: PrismaClient, datasetId: string, page: PageArgs = {}) {
  return paginateTable(prisma.datasetImport, {
    where: { datasetId },
    page,
    order: NEWEST_FIRST,
  });
}

export function listImportRejections(prisma: PrismaClient, importId: string, page: PageArgs = {}) {
  return paginateTable(prisma.importRejection, {
    where: { importId },
    page,
    order: [
      { field: 'path', dir: 'asc' },
      { field: 'id', dir: 'asc' },
    ],
  });
}
