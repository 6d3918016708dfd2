// growVersion: the facade the job runner calls. Images → bottlenecks (cached, with augmentations) → growth strategy
// on features → evaluation on the validation images. Returns a plain linear head over the same bottleneck.
import { extractBottlenecks, type ViewKind } from './extract/extract-bottlenecks.js';
import type { BottleneckCache } from './cache/bottleneck-cache.js';
import { evaluateHead, type EvaluationReport } from './eval/evaluate.js';
import { growHead, STRATEGY_CONFIGS } from './growth/grow-head.js';
import { matrix } from './growth/matrix.js';
import { planClasses } from './growth/merge.js';
import type { AppliedDecision, GrowthStrategy, LabelledFeatures, PoolFeatures, UnitDecision } from './growth/types.js';
import type { Backbone, Head, ImageRef, Progress } from './types.js';

export interface LabelledImage extends ImageRef {
  label: string;
  /** Explicit output unit of the parent (wins over the label; for base classes whose names repeat, e.g. "crane"). */
  unit?: number;
}

export interface GrowOptions {
  /** 0..1: the weight of the parent's answers against the user's classes when the knob's bias shift is chosen
   *  (0 = max new-class accuracy, 1 = max retention; default GROWTH_DEFAULTS.retentionKnob = 0.5: one for one). */
  retentionKnob?: number;
  /** Distortions per training/rehearsal image besides the plain crop (default 3; 0 = none). */
  augmentations?: number;
  /** How they are made: 'feature-map' (default on onnx: one backbone pass per image), 'mirror-and-map' (two: the
   *  mirror, then windows of the plain pass's map) or 'image' (one pass per view, with flips and brightness:
   *  bench/results/growth-image-views.json vs growth-feature-views.json; growth-oxford-views.json for all three). */
  views?: ViewKind;
  /** Optimiser iterations (default per strategy). */
  epochs?: number;
  seed?: number;
  /** Merge requested classes whose name matches a parent label (default true). */
  autoMerge?: boolean;
}

export interface GrowRequest {
  backbone: Backbone;
  parent: { head: Head; labels: string[] };
  /** Requested classes; those matching a parent unit (mergeInto or by name) are merged, the rest appended in order. */
  newClasses: string[];
  mergeInto?: Record<string, number>;
  /** Per new label: old output units of the parent that this label takes over.
   *  - descendants: the label is declared the taxonomy parent of these units (e.g. `mountain` above `alp`, `valley`):
   *    evaluation counts a prediction of one of them on this label's images as correct at "leaf or declared
   *    descendant" level; they are reported apart in retention.
   *  - winsOver: the label must beat these units on images like its own (teach to win); they are reported apart in
   *    retention (the user chose to let the new class take them over).
   *  Units not listed keep the normal retention treatment. A label without an entry gets the default rule
   *  (growth/README.md: it wins over the old units that answer ≥ 25% of its training images). An entry with empty
   *  lists opts the label out of the default. */
  labelDecisions?: Record<string, UnitDecision>;
  /** Labels ∈ newClasses ∪ keys(mergeInto) ∪ parent labels (earlier user classes). */
  train: LabelledImage[];
  /** Evaluation images, same label space (may include base classes to measure retention). */
  val: LabelledImage[];
  /** Unlabelled rehearsal pool: the parent's own answers are its targets. */
  rehearsal?: ImageRef[];
  strategy: GrowthStrategy;
  options?: GrowOptions;
  cache: BottleneckCache;
  onProgress?: (p: Progress & { loss?: number }) => void;
  signal?: AbortSignal;
  /** The name of a label's parent in the class taxonomy: the evaluation then also counts top-1 at that level. */
  ancestorOf?: (label: string) => string | undefined;
}

export interface GrowResult {
  head: Head;
  labels: string[];
  /** Appended classes and merges actually applied. */
  appended: string[];
  merged: Record<string, number>;
  evaluation: EvaluationReport;
  /** Decisions in force per user label (given ones and the default rule's), with the parent units they name. */
  decisions: Record<string, AppliedDecision>;
  timings: Record<string, number>;
  /** Strategy facts: bias shift chosen by the knob, held-out trade-off points, fit iterations… */
  details: Record<string, unknown>;
}

export const DEFAULT_AUGMENTATIONS = 3;

/**
 * What a growth runs with when the request leaves it out: the one definition, served by the API (growthDefaults)
 * to the dashboard's training form, and read by tools/story.ts. Knob 0.5: an answer on an old class's image weighs as
 * much as one on a user class's image (growth/README.md, the knob).
 */
export const GROWTH_DEFAULTS: {
  readonly strategy: GrowthStrategy;
  readonly retentionKnob: number;
  readonly augmentations: number;
} = {
  strategy: 'guarded',
  retentionKnob: 0.5,
  augmentations: DEFAULT_AUGMENTATIONS,
};

function dedupe<T extends ImageRef>(images: T[]): { unique: T[]; index: number[] } {
  const pos = new Map<string, number>();
  const unique: T[] = [];
  const index = images.map((img) => {
    let i = pos.get(img.sha256);
    if (i === undefined) {
      pos.set(img.sha256, (i = unique.length));
      unique.push(img);
    }
    return i;
  });
  return { unique, index };
}

/**
 * Extracts plain + k augmented bottlenecks and lays them out as rows (image index and augmentation per row).
 * `known` carries the vectors of images already extracted for another set of this request (sha256 → views), so
 * an image in two sets (train and val, a rehearsal photo also labelled) is never extracted twice.
 */
async function rowsFor(
  req: GrowRequest,
  images: ImageRef[],
  k: number,
  phase: string,
  known: Map<string, Float32Array[]>,
) {
  const dim = req.backbone.bottleneckDim;
  const { unique, index } = dedupe(images);
  const missing = unique.filter((img) => (known.get(img.sha256)?.length ?? 0) < k + 1);
  const res = await extractBottlenecks(req.backbone, missing, {
    cache: req.cache,
    augmentations: k,
    views: req.options?.views,
    signal: req.signal,
    onProgress: (p) => req.onProgress?.({ ...p, phase: `${phase}:${p.phase}` }),
  });
  missing.forEach((img, i) => known.set(img.sha256, [res.plain[i]!, ...res.augmented[i]!]));
  const x = matrix(images.length * (k + 1), dim);
  const image = new Int32Array(x.n);
  const augmentation = new Uint16Array(x.n);
  for (let a = 0; a <= k; a++) {
    images.forEach((img, i) => {
      const r = a * images.length + i;
      x.data.set(known.get(img.sha256)![a]!, r * dim);
      image[r] = index[i]!;
      augmentation[r] = a;
    });
  }
  return { x, image, augmentation, stats: res.stats };
}

export async function growVersion(req: GrowRequest): Promise<GrowResult> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => (timings[name] = (performance.now() - since) / 1000);
  const cpuLap = (name: string, since: NodeJS.CpuUsage) => {
    const c = process.cpuUsage(since);
    timings[name] = (c.user + c.system) / 1e6; // CPU seconds of this process (all threads): wall time depends on load
  };
  const { parent, backbone } = req;
  if (parent.head.inDim !== backbone.bottleneckDim)
    throw new Error(`parent head takes ${parent.head.inDim}-d input, the backbone gives ${backbone.bottleneckDim}-d`);
  if (parent.labels.length !== parent.head.classes)
    throw new Error(`parent has ${parent.head.classes} units but ${parent.labels.length} labels`);
  if (req.strategy !== 'imprint' && !(req.strategy in STRATEGY_CONFIGS))
    throw new Error(`unknown growth strategy "${req.strategy}"`);
  if (req.train.length === 0) throw new Error('no training images');
  const opts = req.options ?? {};
  const k = opts.augmentations ?? DEFAULT_AUGMENTATIONS;
  if (!Number.isInteger(k) || k < 0 || k > 64) throw new Error(`augmentations must be an integer in 0..64, got ${k}`);
  const plan = planClasses(parent.labels, req.newClasses, req.mergeInto, opts.autoMerge ?? true);
  const unitOf = (img: LabelledImage, set: string) => {
    if (img.unit !== undefined) {
      if (!Number.isInteger(img.unit) || img.unit < 0 || img.unit >= parent.head.classes)
        throw new Error(`${set} image ${img.path} names unit ${img.unit}, which the parent does not have`);
      return img.unit;
    }
    const u = plan.unitOf(img.label);
    if (u === undefined)
      throw new Error(
        `${set} image ${img.path} has label "${img.label}", which is neither a requested class nor a label of the parent`,
      );
    return u;
  };
  const trainUnits = req.train.map((img) => unitOf(img, 'training'));
  const decisions: Record<number, UnitDecision> = {};
  for (const [label, dec] of Object.entries(req.labelDecisions ?? {})) {
    const u = plan.unitOf(label);
    if (u === undefined || !(label in plan.merged || plan.appended.includes(label)))
      throw new Error(`labelDecisions names "${label}", which is not a requested class`);
    decisions[u] = dec;
  }
  const valUnits = req.val.map((img) => unitOf(img, 'validation'));

  let t = performance.now();
  let c = process.cpuUsage();
  const known = new Map<string, Float32Array[]>(); // sha256 → vectors extracted for an earlier set
  const tr = await rowsFor(req, req.train, k, 'train', known);
  const train: LabelledFeatures = {
    x: tr.x,
    unit: Int32Array.from({ length: tr.x.n }, (_, r) => trainUnits[r % req.train.length]),
    image: tr.image,
    augmentation: tr.augmentation,
  };
  let pool: PoolFeatures | undefined;
  if (req.rehearsal?.length) {
    const pr = await rowsFor(req, req.rehearsal, k, 'rehearsal', known);
    pool = { x: pr.x, image: pr.image, augmentation: pr.augmentation };
  }
  const va = req.val.length ? await rowsFor(req, req.val, 0, 'val', known) : undefined;
  lap('bottlenecks', t);
  cpuLap('cpu.bottlenecks', c);

  t = performance.now();
  c = process.cpuUsage();
  const grown = await growHead(
    {
      parent: parent.head,
      parentLabels: parent.labels,
      baseClasses: backbone.baseHead.classes,
      newClasses: plan.appended,
      newExamples: [...new Set(Object.values(plan.merged))],
      train,
      pool,
      decisions,
      options: {
        retentionKnob: opts.retentionKnob ?? GROWTH_DEFAULTS.retentionKnob,
        seed: opts.seed ?? 1,
        epochs: opts.epochs,
        onProgress: (p) => req.onProgress?.(p),
        signal: req.signal,
      },
    },
    req.strategy,
  );
  lap('grow', t);
  cpuLap('cpu.grow', c);
  for (const [name, seconds] of Object.entries((grown.details.timings ?? {}) as Record<string, number>))
    timings[`grow.${name}`] = seconds;

  t = performance.now();
  const newUnits = [
    ...new Set([...Object.values(plan.merged), ...plan.appended.map((_, j) => parent.head.classes + j)]),
  ];
  const applied = (grown.details.decisions ?? {}) as Record<number, AppliedDecision>;
  const unitDecisions = Object.entries(applied).map(([u, d]) => [Number(u), d] as [number, AppliedDecision]);
  const evaluation = va
    ? await evaluateHead(
        grown.head,
        grown.labels,
        { x: va.x, unit: Int32Array.from(valUnits) },
        { newUnits, parent: parent.head, ancestor: req.ancestorOf, decisions: unitDecisions },
      )
    : await evaluateHead(
        grown.head,
        grown.labels,
        { x: matrix(0, backbone.bottleneckDim), unit: new Int32Array(0) },
        { newUnits, decisions: unitDecisions },
      );
  lap('evaluate', t);
  lap('total', t0);
  cpuLap('cpu.total', cpu0);
  return {
    head: grown.head,
    labels: grown.labels,
    appended: plan.appended,
    merged: plan.merged,
    evaluation,
    decisions: Object.fromEntries(unitDecisions.map(([u, d]) => [grown.labels[u], d])),
    timings,
    details: grown.details,
  };
}
