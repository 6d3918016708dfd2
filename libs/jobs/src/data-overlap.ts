// Data overlap before growing: the parent version run on each dataset label's training images, and which of its
// classes answer them (share of top-1 answers, top 3; the trainer's dataOverlap, so shares and the default take-over
// are computed as growVersion does). A label the parent already answers mostly with one class
// overlaps it in meaning, whatever its name: the caller then chooses merge / parent of / teach to win / new.
// Bottlenecks go through the shared cache (the training job reuses them); images per label are capped so the
// cost is bounded. One function, called by the API (in the background, see registry/data-overlap) and usable
// by a job runner or child process as is.
import type { Config } from '@accrete/config';
import type { PrismaClient } from '@accrete/db';
import type { LocalStorage } from '@accrete/storage';
import { DEFAULT_TAKEOVER_SHARE, dataOverlap, type DefaultTakeoverStatus, type LabelledImage } from '@accrete/trainer';
import { loadParentModel } from './train-compute.js';
import { labelledParentUnits, lineageUserClasses } from './lineage-classes.js';
import { getSharedBackbone, getSharedBottleneckCache } from './shared-backbone.js';

/** Default cap of training images looked at per label: enough for a share to the nearest few percent. */
export const DATA_OVERLAP_IMAGES_PER_LABEL = 24;

export interface OverlapAnswer {
  outputUnit: number;
  classNodeId: string;
  /** Share of the label's images the parent answers with this class (top-1). */
  share: number;
  /** The trainer's default lets the new class win over this class (share ≥ DEFAULT_TAKEOVER_SHARE) unless the request decides. */
  takenOverByDefault: boolean;
  /** What the default does with this class and why (the trainer's status of the answer). */
  defaultTakeover: DefaultTakeoverStatus;
  /** The same in a sentence, for people. */
  defaultTakeoverNote: string;
}

const SHARE = `${Math.round(DEFAULT_TAKEOVER_SHARE * 100)} %`;
/** One sentence per status: the rule is the trainer's (grow-head.ts defaultTakeover), said once here for clients. */
export const DEFAULT_TAKEOVER_NOTES: Record<DefaultTakeoverStatus, string> = {
  TAKEN_OVER: `won over by default: it answers ${SHARE} or more of these images, so the new class is taught to answer them instead`,
  BELOW_SHARE: `kept: it answers under ${SHARE} of these images`,
  HAS_IMAGES:
    `not won over by default, though it answers ${SHARE} or more of these images: the request has images of this ` +
    'class (a label merged into it, or a class an earlier version added), and its own examples settle the border',
  LABEL_MERGED: 'not won over: this label is merged into an existing class, and a merge takes no class over',
};

export interface LabelDataOverlap {
  label: string;
  images: number;
  /** Classes of the parent answering the label's images, biggest share first (at most 3). */
  answers: OverlapAnswer[];
}

export async function computeDataOverlap(
  deps: { prisma: PrismaClient; config: Config; storage: LocalStorage; log?: (m: string) => void },
  args: {
    parentVersionId: string;
    datasetVersionId: string;
    /** Labels merged into a parent unit (label → output unit): the caller's choice or the registry's defaults. */
    mergeInto?: Record<string, number>;
    imagesPerLabel?: number;
    signal?: AbortSignal;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<LabelDataOverlap[]> {
  const { prisma, storage } = deps;
  const cap = args.imagesPerLabel ?? DATA_OVERLAP_IMAGES_PER_LABEL;
  const parent = await prisma.modelVersion.findUniqueOrThrow({
    where: { id: args.parentVersionId },
    include: { classes: { orderBy: { outputUnit: 'asc' }, select: { outputUnit: true, classNodeId: true } } },
  });
  const rows = await prisma.datasetVersionImage.findMany({
    where: { datasetVersionId: args.datasetVersionId, split: 'TRAIN' },
    select: { label: true, image: { select: { sha256: true, storageKey: true } } },
    orderBy: [{ label: 'asc' }, { image: { sha256: 'asc' } }], // by content: the same images train the same model, whatever ids an import drew
  });
  // the first `cap` training images of each label (stable order: by content hash)
  const perLabel = new Map<string, number>();
  const images: LabelledImage[] = [];
  for (const r of rows) {
    const n = perLabel.get(r.label) ?? 0;
    if (n >= cap) continue;
    perLabel.set(r.label, n + 1);
    // ensureImage: with a shared object store, an image this node has not seen yet is fetched into its images dir
    images.push({ sha256: r.image.sha256, path: await storage.ensureImage(r.image.storageKey), label: r.label });
  }
  const backbone = await getSharedBackbone(deps.config, deps.log);
  const model = await loadParentModel(backbone, {
    number: parent.number,
    artifactDir: parent.parentId ? await storage.ensureArtifact(parent.id, parent.artifactSha256) : null,
  });
  // the units the job would have images of (merged labels, the lineage's user classes): the trainer never takes
  // them over by default, so neither does the report
  const lineage = await lineageUserClasses(prisma, {
    parentId: parent.id,
    parentClasses: parent.classes,
    parentLabels: model.labels,
  });
  const mergeInto = args.mergeInto ?? {};
  // the trainer's own overlap (the same shares and default take-over rule growVersion applies)
  const overlaps = await dataOverlap({
    backbone,
    parent: model,
    images,
    mergeInto,
    labelledUnits: labelledParentUnits(Object.values(mergeInto), lineage),
    cache: getSharedBottleneckCache(deps.config),
    signal: args.signal,
    onProgress: (p) => args.onProgress?.(p.done, p.total),
  });
  return overlaps.map((o) => ({
    label: o.label,
    images: o.images,
    answers: o.answers.map((a) => ({
      outputUnit: a.unit,
      classNodeId: parent.classes[a.unit]!.classNodeId,
      share: a.share,
      takenOverByDefault: a.byDefault === 'TAKEN_OVER',
      defaultTakeover: a.byDefault,
      defaultTakeoverNote: DEFAULT_TAKEOVER_NOTES[a.byDefault],
    })),
  }));
}
