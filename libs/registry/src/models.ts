// Model and version look-ups.
import type { PrismaClient, Model, ModelVersion, VersionStatus } from '@accrete/db';
import { badInput, notFound } from '@accrete/errors';

export async function getModel(prisma: PrismaClient, by: { id?: string | null; name?: string | null }): Promise<Model> {
  if (!by.id === !by.name) throw badInput('pass exactly one of id or name');
  const row = by.id
    ? await prisma.model.findUnique({ where: { id: by.id } })
    : await prisma.model.findUnique({ where: { name: by.name! } });
  if (!row) throw notFound('model', (by.id ?? by.name)!);
  return row;
}

export async function getVersion(prisma: PrismaClient, id: string): Promise<ModelVersion> {
  const row = await prisma.modelVersion.findUnique({ where: { id } });
  if (!row) throw notFound('model version', id);
  return row;
}

/** A version with its model, in one query (an export is named after both). */
export async function getVersionWithModel(prisma: PrismaClient, id: string): Promise<ModelVersion & { model: Model }> {
  const row = await prisma.modelVersion.findUnique({ where: { id }, include: { model: true } });
  if (!row) throw notFound('model version', id);
  return row;
}

/** A model's version by number, or null. */
export function findVersionByNumber(
  prisma: PrismaClient,
  modelId: string,
  number: number,
): Promise<ModelVersion | null> {
  return prisma.modelVersion.findUnique({ where: { modelId_number: { modelId, number } } });
}

/** A model's newest version (optionally of one status), or null. */
export function latestVersion(
  prisma: PrismaClient,
  modelId: string,
  status?: VersionStatus | null,
): Promise<ModelVersion | null> {
  return prisma.modelVersion.findFirst({
    where: { modelId, ...(status ? { status } : {}) },
    orderBy: { number: 'desc' },
  });
}

/** Parent, grand-parent… of a version (nearest first). Lineages are short; one query per hop. */
export async function versionLineage(prisma: PrismaClient, versionId: string): Promise<ModelVersion[]> {
  const out: ModelVersion[] = [];
  let cur = await getVersion(prisma, versionId);
  const seen = new Set([cur.id]);
  while (cur.parentId && !seen.has(cur.parentId)) {
    seen.add(cur.parentId);
    const p = await prisma.modelVersion.findUnique({ where: { id: cur.parentId } });
    if (!p) break;
    out.push(p);
    cur = p;
  }
  return out;
}
