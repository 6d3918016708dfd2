// Filtered, cursor-paginated lists of model-registry rows (one per GraphQL connection).
import type { PrismaClient, VersionStatus, JobStatus } from '@accrete/db';
import { paginate, paginateArray, type PageArgs, type SortKey, containsText } from '@accrete/pagination';
import { readyVersionClasses } from './caches.js';

const byCreated: SortKey[] = [
  { field: 'createdAt', dir: 'desc' },
  { field: 'id', dir: 'desc' },
];
const ci = containsText;

export function listModels(prisma: PrismaClient, filter: { search?: string | null } = {}, page: PageArgs = {}) {
  const where = filter.search ? { name: ci(filter.search) } : {};
  return paginate({
    where,
    page,
    order: [
      { field: 'name', dir: 'asc' },
      { field: 'id', dir: 'asc' },
    ],
    find: (a) => prisma.model.findMany(a as never),
    count: (a) => prisma.model.count(a as never),
  });
}

export interface ModelVersionFilter {
  modelId?: string | null;
  status?: VersionStatus[] | null;
  parentId?: string | null;
}
export function listModelVersions(prisma: PrismaClient, filter: ModelVersionFilter = {}, page: PageArgs = {}) {
  const where: Record<string, unknown> = {};
  if (filter.modelId) where.modelId = filter.modelId;
  if (filter.parentId) where.parentId = filter.parentId;
  if (filter.status?.length) where.status = { in: filter.status };
  // newest first; (modelId, number) is unique but ids of different models interleave, so sort by createdAt
  return paginate({
    where,
    page,
    order: filter.modelId
      ? [
          { field: 'number', dir: 'desc' },
          { field: 'id', dir: 'desc' },
        ]
      : byCreated,
    find: (a) => prisma.modelVersion.findMany(a as never),
    count: (a) => prisma.modelVersion.count(a as never),
  });
}

/** Classes of a version in unit order. A READY version's list is immutable and served from memory. */
export async function listVersionClasses(
  prisma: PrismaClient,
  versionId: string,
  filter: { added?: boolean | null; search?: string | null } = {},
  page: PageArgs = {},
  opts: { ready?: boolean } = {},
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
    where,
    page,
    order: [{ field: 'outputUnit', dir: 'asc' }],
    find: (a) => prisma.versionClass.findMany(a as never),
    count: (a) => prisma.versionClass.count(a as never),
  });
}

export interface TrainingJobFilter {
  status?: JobStatus[] | null;
  versionId?: string | null;
  parentVersionId?: string | null;
}
export function listTrainingJobs(prisma: PrismaClient, filter: TrainingJobFilter = {}, page: PageArgs = {}) {
  const where: Record<string, unknown> = {};
  if (filter.status?.length) where.status = { in: filter.status };
  if (filter.versionId) where.versionId = filter.versionId;
  if (filter.parentVersionId) where.parentVersionId = filter.parentVersionId;
  return paginate({
    where,
    page,
    order: [
      { field: 'queuedAt', dir: 'desc' },
      { field: 'id', dir: 'desc' },
    ],
    find: (a) => prisma.trainingJob.findMany(a as never),
    count: (a) => prisma.trainingJob.count(a as never),
  });
}

export function listAliasEvents(prisma: PrismaClient, aliasId: string, page: PageArgs = {}) {
  return paginate({
    where: { aliasId },
    page,
    order: byCreated,
    find: (a) => prisma.aliasEvent.findMany(a as never),
    count: (a) => prisma.aliasEvent.count(a as never),
  });
}
