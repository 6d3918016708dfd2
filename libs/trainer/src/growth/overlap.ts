// Data overlap: which existing output units the parent answers on each label's images (share, top 3), and what the
// default per-label decision (grow-head.ts `defaultTakeover`) will do with them. The same rule growVersion applies,
// so a caller can show it before training and record it after.
import { extractBottlenecks } from '../extract/extract-bottlenecks.js';
import type { BottleneckCache } from '../cache/bottleneck-cache.js';
import { topK } from '../eval/evaluate.js';
import type { Backbone, Head, Progress } from '../types.js';
import type { LabelledImage } from '../grow-version.js';
import { DEFAULT_TAKEOVER_TOP, defaultTakeover } from './grow-head.js';
import { logits, matrix } from './matrix.js';

/**
 * What the default decision does with one answering unit, and why:
 * TAKEN_OVER: it answers DEFAULT_TAKEOVER_SHARE or more of the images, so the new class is taught to win over it;
 * BELOW_SHARE: it answers fewer; HAS_IMAGES: it has the share, but the request has images of it (a label merged into
 * it, or an earlier user class fed again), whose own examples settle the border; LABEL_MERGED: it has the share, but
 * the label is merged into a parent class, and a merge takes nothing over.
 */
export type DefaultTakeoverStatus = 'TAKEN_OVER' | 'BELOW_SHARE' | 'HAS_IMAGES' | 'LABEL_MERGED';

export interface LabelOverlap {
  label: string;
  images: number;
  /** The parent's most frequent top-1 answers on the label's images (at most 3), share = fraction of its images. */
  answers: { unit: number; label: string; share: number; byDefault: DefaultTakeoverStatus }[];
  /** Units the default decision takes over (winsOver) when the label is added with no decision. */
  defaultWinsOver: number[];
}

/**
 * Overlap from the parent's top-1 answer per image (pure; `labelled` = parent units the request has images of,
 * `merged` = labels merged into a parent unit: like resolveDecisions, the default takes over only for new classes).
 */
export function overlapFromAnswers(
  parentLabels: string[],
  images: { label: string }[],
  top1: ArrayLike<number>,
  labelled: Set<number> = new Set(),
  merged: Set<string> = new Set(),
): LabelOverlap[] {
  const by = new Map<string, Map<number, number>>();
  images.forEach((img, i) => {
    let m = by.get(img.label);
    if (!m) by.set(img.label, (m = new Map()));
    m.set(top1[i], (m.get(top1[i]) ?? 0) + 1);
  });
  return [...by.entries()].map(([label, m]) => {
    const n = [...m.values()].reduce((a, b) => a + b, 0);
    const rule = defaultTakeover(m, (u) => u < parentLabels.length && !labelled.has(u));
    const isMerged = merged.has(label);
    const winsOver = isMerged ? [] : rule.winsOver;
    const status = (unit: number): DefaultTakeoverStatus => {
      const hasShare = rule.winsOver.includes(unit) || rule.exempt.includes(unit);
      if (!hasShare) return 'BELOW_SHARE';
      if (isMerged) return 'LABEL_MERGED';
      return winsOver.includes(unit) ? 'TAKEN_OVER' : 'HAS_IMAGES';
    };
    const answers = [...m.entries()]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, DEFAULT_TAKEOVER_TOP)
      .map(([unit, c]) => ({ unit, label: parentLabels[unit], share: c / n, byDefault: status(unit) }));
    return { label, images: n, answers, defaultWinsOver: winsOver };
  });
}

/** Runs the parent on each label's images (cached bottlenecks, plain crop) and reports the overlap per label. */
export async function dataOverlap(args: {
  backbone: Backbone;
  parent: { head: Head; labels: string[] };
  images: LabelledImage[];
  cache: BottleneckCache;
  /** Labels merged into a parent unit (label → unit): no default take-over for them, and their units are labelled. */
  mergeInto?: Record<string, number>;
  /** Parent units the request has images of (earlier user classes fed again): never taken over by default. */
  labelledUnits?: Iterable<number>;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}): Promise<LabelOverlap[]> {
  const { backbone, parent, images } = args;
  if (parent.labels.length !== parent.head.classes)
    throw new Error(`parent has ${parent.head.classes} units but ${parent.labels.length} labels`);
  const { plain } = await extractBottlenecks(backbone, images, {
    cache: args.cache,
    augmentations: 0,
    signal: args.signal,
    onProgress: args.onProgress,
  });
  const dim = backbone.bottleneckDim;
  const x = matrix(images.length, dim);
  plain.forEach((v, i) => x.data.set(v, i * dim));
  const z = await logits(parent.head, x);
  const top1 = Int32Array.from(
    { length: images.length },
    (_, i) => topK(z, i * parent.head.classes, parent.head.classes, 1)[0],
  );
  const merged = args.mergeInto ?? {};
  return overlapFromAnswers(
    parent.labels,
    images,
    top1,
    new Set([...Object.values(merged), ...(args.labelledUnits ?? [])]),
    new Set(Object.keys(merged)),
  );
}
