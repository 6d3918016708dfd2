// Before growing: which classes of the parent version each dataset label overlaps by name, and what the defaults
// would do with it (the same rule and the same code path createModelVersion uses, so the preview cannot disagree).
import type { PrismaClient } from '@accrete/db';
import { placeName, type PlacementReason } from '@accrete/taxonomy';
import { notFound } from '@accrete/errors';
import { classCountsFromJson } from '@accrete/datasets';
import { resolveEachLabel, type LabelDecisionRecord } from './resolve-labels.js';
import { getTaxonomySnapshot, snapshotPlacementView } from '@accrete/taxonomy-store';

export interface NameProposal {
  classId: string;
  name: string;
  /** Output unit of the class in the parent version. */
  outputUnit: number;
  reason: PlacementReason;
  /** 'is': the label is this class (merge by default); 'under': the label is a kind of it (a new class under it by default). */
  relation: 'is' | 'under';
}

export interface LabelOverlap {
  label: string;
  train: number;
  val: number;
  /** Classes of the parent version the label overlaps by name, best first. */
  proposals: NameProposal[];
  /** What createModelVersion does with this label when the caller says nothing. */
  byDefault: LabelDecisionRecord | null;
  /** Why the defaults could not be worked out for this label (e.g. two labels are the same class). */
  problem: string | null;
  /** The problem's stable code: the `details.reason` createModelVersion refuses this label with (AMBIGUOUS_NAME, …). */
  problemCode: string | null;
}

export async function nameOverlap(
  prisma: PrismaClient,
  parentVersionId: string,
  datasetVersionId: string,
): Promise<LabelOverlap[]> {
  const [parent, dv] = await Promise.all([
    prisma.modelVersion.findUnique({ where: { id: parentVersionId }, select: { id: true } }),
    prisma.datasetVersion.findUnique({ where: { id: datasetVersionId }, select: { id: true, classCounts: true } }),
  ]);
  if (!parent) throw notFound('model version', parentVersionId);
  if (!dv) throw notFound('dataset version', datasetVersionId);
  const counts = classCountsFromJson(dv.classCounts);
  const units = new Map(
    (
      await prisma.versionClass.findMany({
        where: { versionId: parent.id },
        select: { classNodeId: true, outputUnit: true },
      })
    ).map((u) => [u.classNodeId, u.outputUnit]),
  );
  const snap = await getTaxonomySnapshot(prisma);
  const view = snapshotPlacementView(snap);

  // what a createModelVersion with just the labels would do with each, or why it would refuse it
  const defaults = new Map(
    (
      await resolveEachLabel(
        prisma,
        parent.id,
        counts.map((c) => ({ label: c.label })),
      )
    ).map((o) => {
      const reason = o.error?.details?.reason;
      return [
        o.label,
        {
          record: o.error ? null : (o.resolution?.record ?? null),
          problem: o.error?.message ?? null,
          problemCode: typeof reason === 'string' ? reason : null,
        },
      ];
    }),
  );

  return counts.map((c) => {
    const proposals: NameProposal[] = [];
    const offer = (id: string, reason: PlacementReason, relation: 'is' | 'under') => {
      const unit = units.get(id);
      if (unit === undefined || proposals.some((p) => p.classId === id)) return;
      proposals.push({ classId: id, name: snap.tree.get(id).name, outputUnit: unit, reason, relation });
    };
    // one rule: the class the placement rule matches, when the parent predicts it
    const placed = placeName(view, c.label);
    // an ambiguous name offers every class it may be, so the caller can pick one
    for (const m of placed?.candidates ?? []) offer(m.id, m.reason, 'is');
    if (placed) offer(placed.id, placed.reason, placed.relation);
    const d = defaults.get(c.label);
    return {
      label: c.label,
      train: c.train,
      val: c.val,
      proposals,
      byDefault: d?.record ?? null,
      problem: d?.problem ?? null,
      problemCode: d?.problemCode ?? null,
    };
  });
}
