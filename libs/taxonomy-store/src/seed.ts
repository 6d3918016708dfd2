// Fills the taxonomy with the committed ImageNet/WordNet hierarchy on first start. Idempotent and safe
// to run from several processes at once: ids are derived from wnids, rows are inserted parents-first
// with ON CONFLICT DO NOTHING, all in one transaction under the taxonomy lock.
import type { PrismaClient } from '@accrete/db';
import { imagenetClasses, imagenetNodeId, loadImagenetTaxonomy } from '@accrete/taxonomy';
import { withTaxonomyLock, type Db } from './db.js';
import { invalidateTaxonomyCache } from './snapshot.js';

export interface SeedTaxonomyResult {
  /** Synsets in the data file. */
  total: number;
  /** Rows inserted by this call (0 when the taxonomy was already seeded). */
  inserted: number;
  ms: number;
}

export async function seedTaxonomy(
  prisma: PrismaClient,
  opts: { batchSize?: number } = {},
): Promise<SeedTaxonomyResult> {
  const started = performance.now();
  const batchSize = opts.batchSize ?? 500;
  const { nodes } = loadImagenetTaxonomy();
  const present = await prisma.classNode.count({ where: { wnid: { in: nodes.map((n) => n.wnid) } } });
  if (present === nodes.length) return { total: nodes.length, inserted: 0, ms: performance.now() - started };

  const inserted = await withTaxonomyLock(
    prisma,
    async (tx) => {
      // Existing rows win (their ids are kept), so a partly seeded or hand-edited database is completed, not duplicated.
      const existing = new Map(
        (await tx.classNode.findMany({ where: { wnid: { not: null } }, select: { id: true, wnid: true } })).map((r) => [
          r.wnid as string,
          r.id,
        ]),
      );
      const idOf = (wnid: string) => existing.get(wnid) ?? imagenetNodeId(wnid);
      const rows = nodes
        .filter((n) => !existing.has(n.wnid))
        .map((n) => ({
          id: idOf(n.wnid),
          wnid: n.wnid,
          name: n.name,
          synonyms: n.synonyms,
          parentId: n.parentWnid === null ? null : idOf(n.parentWnid),
          origin: 'IMAGENET' as const,
          depth: n.depth,
        }));
      let count = 0;
      // Rows are ordered parents-first, so every batch's parents are already in.
      for (let i = 0; i < rows.length; i += batchSize) {
        count += (await tx.classNode.createMany({ data: rows.slice(i, i + batchSize), skipDuplicates: true })).count;
      }
      return count;
    },
    120_000,
  );
  invalidateTaxonomyCache();
  return { total: nodes.length, inserted, ms: performance.now() - started };
}

/** The base model's class list as VersionClass data: output unit i → the (seeded) ImageNet class node. */
export async function imagenetVersionClasses(db: Db): Promise<{ outputUnit: number; classNodeId: string }[]> {
  const classes = imagenetClasses();
  const rows = await db.classNode.findMany({
    where: { wnid: { in: classes.map((c) => c.wnid) } },
    select: { id: true, wnid: true },
  });
  const idOf = new Map(rows.map((r) => [r.wnid as string, r.id]));
  return classes.map((c) => {
    const classNodeId = idOf.get(c.wnid);
    if (!classNodeId)
      throw new Error(`ImageNet class ${c.wnid} (${c.name}) is not in the database: run seedTaxonomy first`);
    return { outputUnit: c.classIndex as number, classNodeId };
  });
}
