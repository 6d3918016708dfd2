// Retention on held-out ImageNet photos: top-1 of the new head against the parent's, on the same bottlenecks.
// The heads are plain dense layers, so this is a few hundred small matrix-vector products (cheap once the
// bottlenecks are cached).
import type { Backbone, BottleneckCache, Head } from '@accrete/trainer';
import { extractBottlenecks, headLogits, topK } from '@accrete/trainer';
import type { RetentionImage } from './rehearsal.js';

export interface RetentionMetrics {
  images: number;
  /** top-1 / top-5 of the new version against the base output unit of each photo */
  top1: number;
  top5: number;
  parentTop1: number;
  parentTop5: number;
  /** top1 / parentTop1 (1 = nothing forgotten) */
  retention: number;
  /** share of photos whose top-1 unit is unchanged from the parent */
  agreement: number;
  /** share of photos the new version assigns to one of the units the version added */
  predictedAsAdded: number;
  /** Photos of old classes the user let new classes take over (labelDecisions), reported apart: the figures
   *  above leave them out. Null when the version took over nothing. */
  takenOver: { units: number[]; images: number; top1: number; parentTop1: number } | null;
  /** The version against the lineage's base (the backbone's own head) on the same photos, leaving out the classes
   *  any growth of the lineage let a new class take over (this one's and the ancestors'): the cumulative drop of a
   *  chain of versions. Null when no base head was given. */
  sinceBase: SinceBase | null;
}

export interface SinceBase {
  images: number;
  baseTop1: number;
  top1: number;
  /** (baseTop1 − top1) in points */
  dropPoints: number;
  /** Base units left out: taken over by this growth or an ancestor's. */
  takenOverUnits: number[];
}

export async function evaluateRetention(args: {
  backbone: Backbone;
  images: RetentionImage[];
  parent: Head;
  head: Head;
  cache: BottleneckCache;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Parent units taken over by new classes: reported apart. */
  takenOver?: readonly number[];
  /** The lineage's base head, for the figures since the base (sinceBase). */
  base?: Head;
  /** Base units earlier growths of the lineage let new classes take over (left out of sinceBase). */
  lineageTakenOver?: readonly number[];
}): Promise<RetentionMetrics> {
  const { images, parent, head } = args;
  const { plain } = await extractBottlenecks(args.backbone, images, {
    cache: args.cache,
    augmentations: 0,
    signal: args.signal,
    onProgress: (p) => args.onProgress?.(p.done, p.total),
  });
  let top1 = 0,
    top5 = 0,
    pTop1 = 0,
    pTop5 = 0,
    agree = 0,
    added = 0,
    counted = 0;
  const takenOver = new Set(args.takenOver ?? []);
  const apart = { images: 0, top1: 0, parentTop1: 0 };
  const { base } = args;
  const leftOutSinceBase = new Set([...takenOver, ...(args.lineageTakenOver ?? [])]);
  const since = { images: 0, top1: 0, baseTop1: 0 };
  for (let i = 0; i < images.length; i++) {
    if (i % 25 === 24) {
      await new Promise((r) => setImmediate(r)); // keep heartbeats and progress writes flowing
      if (args.signal?.aborted) throw args.signal.reason;
    }
    const truth = images[i]!.classIndex;
    const a = topK(headLogits(head, plain[i]!), 0, head.classes, 5);
    const b = topK(headLogits(parent, plain[i]!), 0, parent.classes, 5);
    if (base && !leftOutSinceBase.has(truth)) {
      since.images++;
      if (a[0] === truth) since.top1++;
      // grown from the base, the parent's answer is the base's
      const baseAnswer = base === parent ? b[0] : topK(headLogits(base, plain[i]!), 0, base.classes, 1)[0];
      if (baseAnswer === truth) since.baseTop1++;
    }
    if (takenOver.has(truth)) {
      apart.images++;
      if (a[0] === truth) apart.top1++;
      if (b[0] === truth) apart.parentTop1++;
      continue;
    }
    counted++;
    if (a[0] === truth) top1++;
    if (a.includes(truth)) top5++;
    if (b[0] === truth) pTop1++;
    if (b.includes(truth)) pTop5++;
    if (a[0] === b[0]) agree++;
    if (a[0]! >= parent.classes) added++;
  }
  const n = counted || 1;
  return {
    images: counted,
    top1: top1 / n,
    top5: top5 / n,
    parentTop1: pTop1 / n,
    parentTop5: pTop5 / n,
    retention: pTop1 ? top1 / pTop1 : 1,
    agreement: agree / n,
    predictedAsAdded: added / n,
    takenOver: takenOver.size
      ? {
          units: [...takenOver].sort((x, y) => x - y),
          images: apart.images,
          top1: apart.top1 / (apart.images || 1),
          parentTop1: apart.parentTop1 / (apart.images || 1),
        }
      : null,
    sinceBase: base
      ? {
          images: since.images,
          baseTop1: since.baseTop1 / (since.images || 1),
          top1: since.top1 / (since.images || 1),
          dropPoints: (100 * (since.baseTop1 - since.top1)) / (since.images || 1),
          takenOverUnits: [...leftOutSinceBase].sort((x, y) => x - y),
        }
      : null,
  };
}
