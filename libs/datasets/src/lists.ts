// Filtered, cursor-paginated lists of datasets, their images, versions and imports (one per GraphQL connection).
import type { PrismaClient, Split } from '@accrete/db';
import { paginate, type PageArgs, type SortKey, containsText } from '@accrete/pagination';

const byCreated: SortKey[] = [
  { field: 'createdAt', dir: 'desc' },
  { field: 'id', dir: 'desc' },
];
const ci = containsText;

export function listDatasets(prisma: PrismaClient, filter: { search?: string | null } = {}, page: PageArgs = {}) {
  const where = filter.search ? { name: ci(filter.search) } : {};
  return paginate({
    where,
    page,
    order: byCreated,
    find: (a) => prisma.dataset.findMany(a as never),
    count: (a) => prisma.dataset.count(a as never),
  });
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
  return paginate({
    where,
    page,
    order: [
      { field: 'label', dir: 'asc' },
      { field: 'id', dir: 'asc' },
    ],
    find: (a) => prisma.datasetImage.findMany(a as never),
    count: (a) => prisma.datasetImage.count(a as never),
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
  const p = await paginate({
    where,
    page,
    order: [
      { field: 'label', dir: 'asc' },
      { field: 'imageId', dir: 'asc' },
    ],
    find: (a) => prisma.datasetVersionImage.findMany(a as never),
    count: (a) => prisma.datasetVersionImage.count(a as never),
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
  return paginate({
    where: { datasetId },
    page,
    order: [{ field: 'number', dir: 'desc' }],
    find: (a) => prisma.datasetVersion.findMany(a as never),
    count: (a) => prisma.datasetVersion.count(a as never),
  });
}

export function listDatasetImports(prisma: PrismaClient, datasetId: string, page: PageArgs = {}) {
  return paginate({
    where: { datasetId },
    page,
    order: byCreated,
    find: (a) => prisma.datasetImport.findMany(a as never),
    count: (a) => prisma.datasetImport.count(a as never),
  });
}

export function listImportRejections(prisma: PrismaClient, importId: string, page: PageArgs = {}) {
  return paginate({
    where: { importId },
    page,
    order: [
      { field: 'path', dir: 'asc' },
      { field: 'id', dir: 'asc' },
    ],
    find: (a) => prisma.importRejection.findMany(a as never),
    count: (a) => prisma.importRejection.count(a as never),
  });
}
