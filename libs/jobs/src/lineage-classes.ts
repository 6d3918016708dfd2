// The user classes a growth from a parent version has images of, found once for the training job (which feeds their
// images again) and for the data-overlap report (which must not offer to take them over): the labels merged into
// parent units, and the classes earlier versions of the lineage added or merged; and the base units the lineage's
// growths let new classes take over (a version's retention since the base leaves them out).
import type { PrismaClient, VersionClass } from '@accrete/db';
import { readRetentionReport } from '@accrete/shapes';
import { RETENTION_EVALUATION } from './evaluation-names.js';
import { tryParseTrainingParams } from './params.js';

export interface LineageClass {
  /** The parent's label of the unit (today's name, which the job trains it under). */
  label: string;
  /** The parent's output unit. */
  unit: number;
  classNodeId: string;
  /** The class's images in the dataset version the ancestor was trained on (stable order: by image id). */
  images: { split: 'TRAIN' | 'VAL'; sha256: string; storageKey: string }[];
}

/**
 * Walks the lineage from the parent up; each ancestor's params map its labels to class nodes, the parent's
 * VersionClass rows map class nodes to today's output units. One entry per (ancestor, class) still in the parent
 * with at least one image, nearest ancestor first.
 */
export async function lineageUserClasses(
  prisma: PrismaClient,
  args: {
    parentId: string;
    parentClasses: Pick<VersionClass, 'outputUnit' | 'classNodeId'>[];
    parentLabels: string[];
  },
): Promise<LineageClass[]> {
  const unitOf = new Map(args.parentClasses.map((c) => [c.classNodeId, c.outputUnit]));
  const out: LineageClass[] = [];
  for (const v of await lineageVersions(prisma, args.parentId)) {
    const p = tryParseTrainingParams(v.params);
    const dsv = p?.datasetVersionId ?? v.datasetVersionId;
    if (p && dsv) {
      for (const c of [...p.newClasses, ...p.merges]) {
        const unit = unitOf.get(c.classNodeId);
        if (unit === undefined) continue; // not in the parent any more
        const label = args.parentLabels[unit];
        if (label === undefined) continue;
        const rows = await prisma.datasetVersionImage.findMany({
          where: { datasetVersionId: dsv, label: c.label },
          select: { split: true, image: { select: { sha256: true, storageKey: true } } },
          orderBy: { image: { sha256: 'asc' } }, // by content, as job-inputs.ts
        });
        if (!rows.length) continue;
        out.push({
          label,
          unit,
          classNodeId: c.classNodeId,
          images: rows.map((r) => ({ split: r.split, sha256: r.image.sha256, storageKey: r.image.storageKey })),
        });
      }
    }
  }
  return out;
}

/**
 * Parent units the growth request has images of: merged labels' units and the lineage's user classes. The trainer
 * re-fits them from those images and never lets a new class take them over by default (grow-head.ts
 * resolveDecisions), so the data-overlap report marks them the same way.
 */
export function labelledParentUnits(mergeUnits: Iterable<number>, lineage: Pick<LineageClass, 'unit'>[]): Set<number> {
  return new Set([...mergeUnits, ...lineage.map((c) => c.unit)]);
}

/**
 * Base units the growths of the lineage (the parent and its ancestors) let a new class take over, as their retention
 * evaluations recorded them: a version's figures since the base leave their photos out, as each growth's own
 * figures did (a user's decision is not forgetting).
 */
export async function lineageTakenOverUnits(prisma: PrismaClient, parentId: string): Promise<number[]> {
  const units = new Set<number>();
  for (const v of await lineageVersions(prisma, parentId))
    for (const e of v.evaluations) for (const u of readRetentionReport(e.metrics)?.takenOver?.units ?? []) units.add(u);
  return [...units].sort((a, b) => a - b);
}

interface LineageVersion {
  params: unknown;
  datasetVersionId: string | null;
  /** Its retention evaluation (none for a version grown without retention photos). */
  evaluations: { metrics: unknown }[];
}

/** The parent and its ancestors, nearest first: the one walk up the lineage (a cycle in bad data ends it). */
async function lineageVersions(prisma: PrismaClient, parentId: string): Promise<LineageVersion[]> {
  const out: LineageVersion[] = [];
  const seen = new Set<string>();
  for (let id: string | null = parentId; id && !seen.has(id);) {
    seen.add(id);
    const v: (LineageVersion & { parentId: string | null }) | null = await prisma.modelVersion.findUnique({
      where: { id },
      select: {
        parentId: true,
        params: true,
        datasetVersionId: true,
        evaluations: { where: { name: RETENTION_EVALUATION }, select: { metrics: true } },
      },
    });
    if (!v) break;
    out.push(v);
    id = v.parentId;
  }
  return out;
}
