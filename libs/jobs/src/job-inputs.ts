// Everything a training job reads from the registry, gathered and checked before any compute starts:
// the dataset version's labelled images, the images of classes earlier versions of the lineage added
// (so repeated growth keeps them), and where each label goes in the grown head.
import { stat } from 'node:fs/promises';
import type { PrismaClient, VersionClass } from '@accrete/db';
import type { LabelledImage } from '@accrete/trainer';
import type { LocalStorage } from '@accrete/storage';
import { JobInputError, type TrainingParams } from './params.js';
import { lineageUserClasses } from './lineage-classes.js';

export interface JobImages {
  train: LabelledImage[];
  val: LabelledImage[];
  /** label → images, for the report */
  counts: Record<string, { train: number; val: number }>;
  /** earlier user classes fed again (label → parent output unit) */
  earlier: Record<string, number>;
}

/**
 * Labelled images for a job: the dataset version's images of the requested labels, then the images earlier versions
 * of the lineage trained their user classes on (each pinned to its unit in the parent), deduplicated by content.
 */
export async function gatherJobImages(
  prisma: PrismaClient,
  storage: LocalStorage,
  args: {
    params: TrainingParams;
    parentId: string;
    parentClasses: Pick<VersionClass, 'outputUnit' | 'classNodeId'>[];
    parentLabels: string[];
  },
): Promise<JobImages> {
  const { params } = args;
  const wanted = new Set([...params.newClasses.map((c) => c.label), ...params.merges.map((m) => m.label)]);
  const byKey = new Map<string, LabelledImage & { split: 'TRAIN' | 'VAL' }>();
  const storageKeys: string[] = [];
  const add = (sha256: string, storageKey: string, label: string, split: 'TRAIN' | 'VAL', unit?: number) => {
    if (byKey.has(sha256)) return; // the job's own dataset comes first
    byKey.set(sha256, {
      sha256,
      path: storage.imagePath(storageKey),
      label,
      split,
      ...(unit !== undefined ? { unit } : {}),
    });
    storageKeys.push(storageKey);
  };

  const own = await prisma.datasetVersionImage.findMany({
    where: { datasetVersionId: params.datasetVersionId, label: { in: [...wanted] } },
    select: { label: true, split: true, image: { select: { sha256: true, storageKey: true } } },
    orderBy: [{ label: 'asc' }, { image: { sha256: 'asc' } }], // by content: the same images train the same model, whatever ids an import drew
  });
  for (const r of own) add(r.image.sha256, r.image.storageKey, r.label, r.split);
  for (const label of wanted) {
    if (!own.some((r) => r.label === label && r.split === 'TRAIN')) {
      throw new JobInputError(`dataset version ${params.datasetVersionId} has no training images labelled "${label}"`);
    }
  }

  // Earlier user classes (lineage-classes.ts), fed under the parent's label and, to be unambiguous (ImageNet has two
  // "crane"s), its explicit unit.
  const currentNodes = new Set([...params.newClasses, ...params.merges].map((c) => c.classNodeId));
  const earlier: Record<string, number> = {};
  for (const c of await lineageUserClasses(prisma, args)) {
    if (!currentNodes.has(c.classNodeId)) earlier[c.label] = c.unit;
    for (const r of c.images) add(r.sha256, r.storageKey, c.label, r.split, c.unit);
  }

  const all = [...byKey.values()];
  // With a shared object store, images this node has not seen are fetched into its images directory (the training
  // process reads local paths); one missing everywhere is reported by assertFilesExist.
  for (let i = 0; i < storageKeys.length; i += FETCH_CONCURRENCY) {
    await Promise.all(
      storageKeys.slice(i, i + FETCH_CONCURRENCY).map((k) => storage.ensureImage(k).catch(() => undefined)),
    );
  }
  await assertFilesExist(all);
  const counts: JobImages['counts'] = {};
  for (const img of all) {
    const c = (counts[img.label] ??= { train: 0, val: 0 });
    if (img.split === 'TRAIN') c.train++;
    else c.val++;
  }
  const strip = ({ sha256, path, label, unit }: LabelledImage): LabelledImage => ({
    sha256,
    path,
    label,
    ...(unit !== undefined ? { unit } : {}),
  });
  return {
    train: all.filter((i) => i.split === 'TRAIN').map(strip),
    val: all.filter((i) => i.split === 'VAL').map(strip),
    counts,
    earlier,
  };
}

const FETCH_CONCURRENCY = 8;

async function assertFilesExist(images: LabelledImage[]): Promise<void> {
  const missing: string[] = [];
  await Promise.all(
    images.map(async (i) => {
      const ok = await stat(i.path).then(
        (s) => s.isFile(),
        () => false,
      );
      if (!ok) missing.push(`${i.sha256.slice(0, 12)} (${i.label})`);
    }),
  );
  if (missing.length) {
    throw new JobInputError(
      `${missing.length} image file(s) missing from storage: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
    );
  }
}
