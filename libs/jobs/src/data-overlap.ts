// Data overlap before growing: the parent version run on each dataset label's training images, and which of its
// classes answer them (share of top-1 answers, top 3). A label the parent already answers mostly with one class
// overlaps it in meaning, whatever its name: the caller then chooses merge / parent of / teach to win / new.
// Bottlenecks go through the shared cache (the training job reuses them); images per label are capped so the
// cost is bounded. One function, called by the API (in the background, see registry/data-overlap) and usable
// by a job runner or child process as is.
import type { Config } from '@accrete/config';
import type { PrismaClient } from '@accrete/db';
import type { LocalStorage } from '@accrete/storage';
import { extractBottlenecks, headLogits, type ImageRef } from '@accrete/trainer';
import { loadParentModel } from './train-compute.js';
import { getSharedBackbone, getSharedBottleneckCache } from './shared-backbone.js';

/** Default cap of training images looked at per label: enough for a share to the nearest few percent. */
export const DATA_OVERLAP_IMAGES_PER_LABEL = 24;

export interface OverlapAnswer {
  outputUnit: number;
  classNodeId: string;
  /** Share of the label's images the parent answers with this class (top-1). */
  share: number;
}

export interface LabelDataOverlap {
  label: string;
  images: number;
  /** Classes of the parent answering the label's images, biggest share first (at most 3). */
  answers: OverlapAnswer[];
}

export async function computeDataOverlap(
  deps: { prisma: PrismaClient; config: Config; storage: LocalStorage; log?: (m: string) => void },
  args: { parentVersionId: string; datasetVersionId: string; imagesPerLabel?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
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
    orderBy: [{ label: 'asc' }, { imageId: 'asc' }],
  });
  const byLabel = new Map<string, ImageRef[]>();
  for (const r of rows) {
    const list = byLabel.get(r.label) ?? byLabel.set(r.label, []).get(r.label)!;
    if (list.length < cap) list.push({ sha256: r.image.sha256, path: storage.imagePath(r.image.storageKey) });
  }
  const backbone = await getSharedBackbone(deps.config, deps.log);
  const model = await loadParentModel(backbone, { number: parent.number, artifactDir: parent.parentId ? storage.artifactDir(parent.id) : null });
  const refs = [...byLabel.values()].flat();
  const { plain } = await extractBottlenecks(backbone, refs, {
    cache: getSharedBottleneckCache(deps.config),
    augmentations: 0,
    signal: args.signal,
    onProgress: (p) => args.onProgress?.(p.done, p.total),
  });
  const logits = new Float32Array(model.head.classes);
  let i = 0;
  const out: LabelDataOverlap[] = [];
  for (const [label, images] of byLabel) {
    const counts = new Map<number, number>();
    for (let j = 0; j < images.length; j++, i++) {
      headLogits(model.head, plain[i]!, logits);
      let best = 0;
      for (let u = 1; u < logits.length; u++) if (logits[u]! > logits[best]!) best = u;
      counts.set(best, (counts.get(best) ?? 0) + 1);
    }
    const answers = [...counts]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, 3)
      .map(([unit, n]) => ({ outputUnit: unit, classNodeId: parent.classes[unit]!.classNodeId, share: n / images.length }));
    out.push({ label, images: images.length, answers });
  }
  return out;
}
