// Filtered, cursor-paginated lists of model-registry rows (one per GraphQL connection).
import type { PrismaClient, VersionStatus, JobStatus } from '@accrete/db';
import { paginateTable, paginateArray, NEWEST_FIRST, type PageArgs, containsText } from '@accrete/pagination';
import { readyVersionClasses } from './caches.js';

const ci = containsText;

export function listModels(prisma: PrismaClient, filter: { search?: string | null } = {}, page: PageArgs = {}) {
  const where = filter.search ? { name: ci(filter.search) } : {};
  return paginateTable(prisma.model, {
    where,
    page,
    order: [
      { field: 'name', dir: 'asc' },
      { field: 'id', dir: 'asc' },
    ],
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
  return paginateTable(prisma.modelVersion, {
    where,
    page,
    order: filter.modelId
      ? [
          { field: 'number', dir: 'desc' },
          { field: 'id', dir: 'desc' },
        ]
      : NEWEST_FIRST,
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
  return paginateTable(prisma.versionClass, {
    where,
    page,
    order: [{ field: 'outputUnit', dir: 'asc' }],
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
  return paginateTable(prisma.trainingJob, {
    where,
    page,
    order: [
      { field: 'queuedAt', dir: 'desc' },
      { field: 'id', dir: 'desc' },
    ],
  });
}

export function listAliasEvents(prisma: PrismaClient, aliasId: string, page: PageArgs = {}) {
  return paginateTable(prisma.aliasEvent, {
    where: { aliasId },
    page,
    order: NEWEST_FIRST,
  });
}
