// Batched reads: rows for many ids (or many parents) in one query each. The API's per-request DataLoaders are
// built on these, so a page of N rows costs one query per relation, never N.
import type { Alias, Backbone, Evaluation, Model, ModelVersion, PrismaClient, TrainingJob } from '@accrete/db';

const inIds = (ids: readonly string[]) => ({ id: { in: [...ids] } });

export function modelsById(prisma: PrismaClient, ids: readonly string[]): Promise<Model[]> {
  return prisma.model.findMany({ where: inIds(ids) });
}

export function backbonesById(prisma: PrismaClient, ids: readonly string[]): Promise<Backbone[]> {
  return prisma.backbone.findMany({ where: inIds(ids) });
}

export function trainingJobsById(prisma: PrismaClient, ids: readonly string[]): Promise<TrainingJob[]> {
  return prisma.trainingJob.findMany({ where: inIds(ids) });
}

export function aliasesById(prisma: PrismaClient, ids: readonly string[]): Promise<Alias[]> {
  return prisma.alias.findMany({ where: inIds(ids) });
}

/** Versions grown from each of the parents, oldest first. */
export function childVersionsOf(prisma: PrismaClient, parentIds: readonly string[]): Promise<ModelVersion[]> {
  return prisma.modelVersion.findMany({ where: { parentId: { in: [...parentIds] } }, orderBy: { number: 'asc' } });
}

/** Evaluations of each of the versions, by name. */
export function evaluationsOfVersions(prisma: PrismaClient, versionIds: readonly string[]): Promise<Evaluation[]> {
  return prisma.evaluation.findMany({ where: { versionId: { in: [...versionIds] } }, orderBy: { name: 'asc' } });
}

/** Training jobs of each of the versions, newest first. */
export function trainingJobsOfVersions(prisma: PrismaClient, versionIds: readonly string[]): Promise<TrainingJob[]> {
  return prisma.trainingJob.findMany({ where: { versionId: { in: [...versionIds] } }, orderBy: { queuedAt: 'desc' } });
}

/** Aliases pointing at each of the versions, by name. */
export function aliasesOfVersions(prisma: PrismaClient, versionIds: readonly string[]): Promise<Alias[]> {
  return prisma.alias.findMany({ where: { versionId: { in: [...versionIds] } }, orderBy: { name: 'asc' } });
}

/** Aliases of each of the models, by name. */
export function aliasesOfModels(prisma: PrismaClient, modelIds: readonly string[]): Promise<Alias[]> {
  return prisma.alias.findMany({ where: { modelId: { in: [...modelIds] } }, orderBy: { name: 'asc' } });
}

/** What /health reports about the registry: how many versions, and how many classes the base version has. */
export async function registryHealth(
  prisma: PrismaClient,
  baseModelName: string,
): Promise<{ modelVersions: number; baseVersionClasses: number }> {
  const base = await prisma.modelVersion.findFirst({
    where: { model: { name: baseModelName }, number: 1 },
    select: { id: true },
  });
  const [modelVersions, baseVersionClasses] = await Promise.all([
    prisma.modelVersion.count(),
    base ? prisma.versionClass.count({ where: { versionId: base.id } }) : Promise.resolve(0),
  ]);
  return { modelVersions, baseVersionClasses };
}
