// Filtered, cursor-paginated lists of registry rows (one per GraphQL connection).
import type { PrismaClient, VersionStatus, JobStatus, ClassOrigin, Split } from '@accrete/db';
import { paginate, paginateArray, type PageArgs, type SortKey } from './pagination.js';
import { readyVersionClasses } from './caches.js';

const byCreated: SortKey[] = [{ field: 'createdAt', dir: 'desc' }, { field: 'id', dir: 'desc' }];
// Prisma passes `contains` into LIKE as is: % and _ would be wildcards and \ an escape; search means the text itself.
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, '\\$&');
const ci = (s: string) => ({ contains: likeLiteral(s), mode: 'insensitive' as const });

export function listModels(prisma: PrismaClient, filter: { search?: string | null } = {}, page: PageArgs = {}) {
  const where = filter.search ? { name: ci(filter.search) } : {};
  return paginate({
    where, page, order: [{ field: 'name', dir: 'asc' }, { field: 'id', dir: 'asc' }],
    find: (a) => prisma.model.findMany(a as never), count: (a) => prisma.model.count(a as never),
  });
}

export interface ModelVersionFilter { modelId?: string | null; status?: VersionStatus[] | null; parentId?: string | null }
export function listModelVersions(prisma: PrismaClient, filter: ModelVersionFilter = {}, page: PageArgs = {}) {
  const where: Record<string, unknown> = {};
  if (filter.modelId) where.modelId = filter.modelId;
  if (filter.parentId) where.parentId = filter.parentId;
  if (filter.status?.length) where.status = { in: filter.status };
  // newest first; (modelId, number) is unique but ids of different models interleave, so sort by createdAt
  return paginate({
    where, page, order: filter.modelId ? [{ field: 'number', dir: 'desc' }, { field: 'id', dir: 'desc' }] : byCreated,
    find: (a) => prisma.modelVersion.findMany(a as never), count: (a) => prisma.modelVersion.count(a as never),
  });
}

/** Classes of a version in unit order. A READY version's list is immutable and served from memory. */
export async function listVersionClasses(
  prisma: PrismaClient, versionId: string, filter: { added?: boolean | null; search?: string | null } = {}, page: PageArgs = {}, opts: { ready?: boolean } = {},
) {
  if (opts.ready && !filter.search) {
    const all = await readyVersionClasses(prisma, versionId);
    const rows = filter.added == null ? all : all.filter((c) => c.added === filter.added);
    return paginateArray(rows, [{ field: 'outputUnit', dir: 'asc' }], page);
  }
  const where: Record<string, unknown> = { versionId };
  if (filter.added != null) where.added = filter.added;
  if (filter.search) where.classNode = { name: ci(filter.search) };
  return paginate({
    where, page, order: [{ field: 'outputUnit', dir: 'asc' }],
    find: (a) => prisma.versionClass.findMany(a as never), count: (a) => prisma.versionClass.count(a as never),
  });
}

export interface ClassNodeFilter { search?: string | null; origin?: ClassOrigin | null; parentId?: string | null; rootsOnly?: boolean | null }
export function listClassNodes(prisma: PrismaClient, filter: ClassNodeFilter = {}, page: PageArgs = {}) {
  const where: Record<string, unknown> = {};
  if (filter.origin) where.origin = filter.origin;
  if (filter.parentId) where.parentId = filter.parentId;
  if (filter.rootsOnly) where.parentId = null;
  if (filter.search) {
    const s = filter.search.trim();
    where.OR = [{ name: ci(s) }, { wnid: s }, { aliases: { some: { normalized: { contains: likeLiteral(s.toLowerCase()) } } } }];
  }
  return paginate({
    where, page, order: [{ field: 'depth', dir: 'asc' }, { field: 'name', dir: 'asc' }, { field: 'id', dir: 'asc' }],
    find: (a) => prisma.classNode.findMany(a as never), count: (a) => prisma.classNode.count(a as never),
  });
}

export function listDatasets(prisma: PrismaClient, filter: { search?: string | null } = {}, page: PageArgs = {}) {
  const where = filter.search ? { name: ci(filter.search) } : {};
  return paginate({
    where, page, order: byCreated,
    find: (a) => prisma.dataset.findMany(a as never), count: (a) => prisma.dataset.count(a as never),
  });
}

export interface DatasetImageFilter { label?: string | null; split?: Split | null }
export function listDatasetImages(prisma: PrismaClient, datasetId: string, filter: DatasetImageFilter = {}, page: PageArgs = {}) {
  const where: Record<string, unknown> = { datasetId };
  if (filter.label) where.label = filter.label;
  if (filter.split) where.split = filter.split;
  return paginate({
    where, page, order: [{ field: 'label', dir: 'asc' }, { field: 'id', dir: 'asc' }],
    find: (a) => prisma.datasetImage.findMany(a as never), count: (a) => prisma.datasetImage.count(a as never),
  });
}

/** Images of a frozen dataset version, shaped like DatasetImage rows (id = "<dvId>:<imageId>"). */
export async function listDatasetVersionImages(prisma: PrismaClient, datasetVersionId: string, filter: DatasetImageFilter = {}, page: PageArgs = {}) {
  const where: Record<string, unknown> = { datasetVersionId };
  if (filter.label) where.label = filter.label;
  if (filter.split) where.split = filter.split;
  const p = await paginate({
    where, page, order: [{ field: 'label', dir: 'asc' }, { field: 'imageId', dir: 'asc' }],
    find: (a) => prisma.datasetVersionImage.findMany(a as never), count: (a) => prisma.datasetVersionImage.count(a as never),
  });
  const shape = (r: { datasetVersionId: string; imageId: string; label: string; split: Split }) => ({
    id: `${r.datasetVersionId}:${r.imageId}`, imageId: r.imageId, label: r.label, split: r.split, sourcePath: null, classNodeId: null,
  });
  const edges = p.edges.map((e) => ({ cursor: e.cursor, node: shape(e.node as never) }));
  return { edges, nodes: edges.map((e) => e.node), pageInfo: p.pageInfo, get totalCount() { return p.totalCount; } };
}

export function listDatasetVersions(prisma: PrismaClient, datasetId: string, page: PageArgs = {}) {
  return paginate({
    where: { datasetId }, page, order: [{ field: 'number', dir: 'desc' }],
    find: (a) => prisma.datasetVersion.findMany(a as never), count: (a) => prisma.datasetVersion.count(a as never),
  });
}

export function listDatasetImports(prisma: PrismaClient, datasetId: string, page: PageArgs = {}) {
  return paginate({
    where: { datasetId }, page, order: byCreated,
    find: (a) => prisma.datasetImport.findMany(a as never), count: (a) => prisma.datasetImport.count(a as never),
  });
}

export function listImportRejections(prisma: PrismaClient, importId: string, page: PageArgs = {}) {
  return paginate({
    where: { importId }, page, order: [{ field: 'path', dir: 'asc' }, { field: 'id', dir: 'asc' }],
    find: (a) => prisma.importRejection.findMany(a as never), count: (a) => prisma.importRejection.count(a as never),
  });
}

export interface TrainingJobFilter { status?: JobStatus[] | null; versionId?: string | null; parentVersionId?: string | null }
export function listTrainingJobs(prisma: PrismaClient, filter: TrainingJobFilter = {}, page: PageArgs = {}) {
  const where: Record<string, unknown> = {};
  if (filter.status?.length) where.status = { in: filter.status };
  if (filter.versionId) where.versionId = filter.versionId;
  if (filter.parentVersionId) where.parentVersionId = filter.parentVersionId;
  return paginate({
    where, page, order: [{ field: 'queuedAt', dir: 'desc' }, { field: 'id', dir: 'desc' }],
    find: (a) => prisma.trainingJob.findMany(a as never), count: (a) => prisma.trainingJob.count(a as never),
  });
}

export function listAliasEvents(prisma: PrismaClient, aliasId: string, page: PageArgs = {}) {
  return paginate({
    where: { aliasId }, page, order: byCreated,
    find: (a) => prisma.aliasEvent.findMany(a as never), count: (a) => prisma.aliasEvent.count(a as never),
  });
}

export function listApiTokens(prisma: PrismaClient, filter: { includeRevoked?: boolean | null } = {}, page: PageArgs = {}) {
  const where = filter.includeRevoked ? {} : { revokedAt: null };
  return paginate({
    where, page, order: byCreated,
    find: (a) => prisma.apiToken.findMany(a as never), count: (a) => prisma.apiToken.count(a as never),
  });
}
