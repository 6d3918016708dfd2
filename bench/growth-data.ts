// Shared by bench/growth.ts and tools/story.ts: the protocol's image lists on ../shared and their bottlenecks
// (through the trainer's own cache), laid out as growth problems.
//   flowers train → training (held-out parts of it calibrate the knob); flowers val → reporting only;
//   imagenet-sample EVEN class_index → rehearsal pool; ODD class_index → retention measurement only.
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  BottleneckCache,
  extractBottlenecks,
  imageRef,
  loadBackbone,
  type Backbone,
  type ImageRef,
  type LabelledImage,
  type ViewKind,
  concatRows,
  matrix,
  type FeatureMatrix,
  type GrowthProblem,
  type LabelledFeatures,
  type PoolFeatures,
  type Head,
} from '@accrete/trainer/internals';

export const FLOWER_CLASSES = ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips'];
export const DAISY_UNIT = 985;

export interface ImagenetRow extends ImageRef {
  unit: number;
  wnid: string;
}

/** Plain + k augmented bottlenecks of a list of images: views[a] is a rows × dim matrix for augmentation id a. */
export interface Views {
  views: FeatureMatrix[];
}

export interface GrowthData {
  shared: string;
  backbone: Backbone;
  cache: BottleneckCache;
  k: number;
  flowersTrain: LabelledImage[];
  flowersVal: LabelledImage[];
  even: ImagenetRow[];
  odd: ImagenetRow[];
  train: Views;
  val: Views;
  pool: Views;
  retention: Views;
  /** Oxford 102 (when asked for): train (k views) and valid (plain), folder = class name. */
  oxford?: { classes: string[]; train: LabelledImage[]; valid: LabelledImage[]; trainViews: Views; validViews: Views };
  extractSeconds: number;
}

export async function listFlowers(dir: string): Promise<{ path: string; label: string }[]> {
  const out: { path: string; label: string }[] = [];
  for (const cls of (await readdir(dir)).sort())
    for (const f of (await readdir(join(dir, cls))).sort()) out.push({ path: join(dir, cls, f), label: cls });
  return out;
}

export async function imagenetRows(shared: string): Promise<ImagenetRow[]> {
  const dir = join(shared, 'datasets/imagenet-sample');
  const lines = (await readFile(join(dir, 'index.csv'), 'utf8')).trim().split('\n').slice(1);
  return Promise.all(
    lines.map(async (line) => {
      const [file, idx, wnid] = line.split(',');
      return { ...(await imageRef(join(dir, file))), unit: Number(idx), wnid };
    }),
  );
}

async function views(
  backbone: Backbone,
  cache: BottleneckCache,
  images: ImageRef[],
  k: number,
  onProgress?: (m: string) => void,
  kind?: ViewKind,
): Promise<Views> {
  const res = await extractBottlenecks(backbone, images, {
    cache,
    augmentations: k,
    views: kind,
    onProgress: (p) => {
      if (p.phase === 'extract' && (p.done % 512 === 0 || p.done === p.total))
        onProgress?.(`${p.done}/${p.total} vectors, eta ${Math.round(p.etaSeconds ?? 0)} s`);
    },
  });
  const dim = backbone.bottleneckDim;
  const out: FeatureMatrix[] = [];
  for (let a = 0; a <= k; a++) {
    const m = matrix(images.length, dim);
    images.forEach((_, i) => m.data.set(a === 0 ? res.plain[i] : res.augmented[i][a - 1], i * dim));
    out.push(m);
  }
  return { views: out };
}

/** `views`: how augmentations 1..k are made (default: the trainer's default for the backbone); `poolViews` the same
 *  for the rehearsal images only (default: `views`). */
export async function loadGrowthData(opts: {
  shared?: string;
  cacheDir: string;
  k: number;
  views?: ViewKind;
  poolViews?: ViewKind;
  oxford?: boolean;
  log?: (m: string) => void;
}): Promise<GrowthData> {
  const shared = resolve(opts.shared ?? process.env.ACCRETE_SHARED_DIR ?? '../shared');
  const log = opts.log ?? (() => {});
  const backbone = await loadBackbone(join(shared, 'models/mobilenet_v1_0.75_224'), {
    cacheDir: join(opts.cacheDir, 'backbones'),
    log,
  });
  log(`backbone ${backbone.id.slice(0, 12)} on ${backbone.backend}`);
  const cache = new BottleneckCache(join(opts.cacheDir, 'bottlenecks'));
  const ref = async (x: { path: string; label: string }) => ({ ...(await imageRef(x.path)), label: x.label });
  const flowersTrain = await Promise.all((await listFlowers(join(shared, 'datasets/flowers/train'))).map(ref));
  const flowersVal = await Promise.all((await listFlowers(join(shared, 'datasets/flowers/val'))).map(ref));
  const inet = await imagenetRows(shared);
  const even = inet.filter((r) => r.unit % 2 === 0);
  const odd = inet.filter((r) => r.unit % 2 === 1);
  const t0 = performance.now();
  const step = (name: string) => (m: string) => log(`${name}: ${m}`);
  const train = await views(backbone, cache, flowersTrain, opts.k, step('flowers train'), opts.views);
  const pool = await views(backbone, cache, even, opts.k, step('imagenet even'), opts.poolViews ?? opts.views);
  const val = await views(backbone, cache, flowersVal, 0, step('flowers val'));
  const retention = await views(backbone, cache, odd, 0, step('imagenet odd'));
  let oxford: GrowthData['oxford'];
  if (opts.oxford) {
    const oxTrain = await Promise.all((await listFlowers(join(shared, 'datasets/oxford102/train'))).map(ref));
    const oxValid = await Promise.all((await listFlowers(join(shared, 'datasets/oxford102/valid'))).map(ref));
    oxford = {
      classes: [...new Set(oxTrain.map((i) => i.label))].sort(),
      train: oxTrain,
      valid: oxValid,
      trainViews: await views(backbone, cache, oxTrain, opts.k, step('oxford train'), opts.views),
      validViews: await views(backbone, cache, oxValid, 0, step('oxford valid')),
    };
  }
  return {
    shared,
    backbone,
    cache,
    k: opts.k,
    flowersTrain,
    flowersVal,
    even,
    odd,
    train,
    val,
    pool,
    retention,
    oxford,
    extractSeconds: (performance.now() - t0) / 1000,
  };
}

/** Rows of the first k+1 views of the images selected by `keep` (image index = position in the image list). */
export function stackViews(
  v: Views,
  k: number,
  keep: number[],
): { x: FeatureMatrix; image: Int32Array; augmentation: Uint16Array } {
  const dim = v.views[0].dim;
  const parts: FeatureMatrix[] = [];
  const image: number[] = [];
  const aug: number[] = [];
  for (let a = 0; a <= k; a++) {
    const m = matrix(keep.length, dim);
    keep.forEach((i, r) => m.data.set(v.views[a].data.subarray(i * dim, (i + 1) * dim), r * dim));
    parts.push(m);
    for (const i of keep) {
      image.push(i);
      aug.push(a);
    }
  }
  return { x: concatRows(parts), image: Int32Array.from(image), augmentation: Uint16Array.from(aug) };
}

/**
 * A growth problem on the flowers: `classes` are the flower classes to train on, `unitOf` maps each to its unit in
 * the child (merged / earlier / appended), `newClasses` are the appended ones in order.
 */
export function flowersProblem(
  d: GrowthData,
  parent: { head: Head; labels: string[] },
  newClasses: string[],
  unitOf: Record<string, number>,
  k: number,
  knob: number,
  withPool = true,
): GrowthProblem {
  const keep = d.flowersTrain.map((img, i) => (img.label in unitOf ? i : -1)).filter((i) => i >= 0);
  const s = stackViews(d.train, k, keep);
  const train: LabelledFeatures = { ...s, unit: Int32Array.from(s.image, (i) => unitOf[d.flowersTrain[i].label]) };
  let pool: PoolFeatures | undefined;
  if (withPool)
    pool = stackViews(
      d.pool,
      k,
      d.even.map((_, i) => i),
    );
  return {
    parent: parent.head,
    parentLabels: parent.labels,
    baseClasses: d.backbone.baseHead.classes,
    newClasses,
    train,
    pool,
    options: { retentionKnob: knob, seed: 1 },
  };
}

/** True units of the flowers val images in a child whose classes are mapped by unitOf (only images of mapped classes). */
export function valSet(
  d: GrowthData,
  unitOf: Record<string, number>,
  only?: string[],
): { x: FeatureMatrix; unit: Int32Array } {
  const keep = d.flowersVal
    .map((img, i) => (img.label in unitOf && (!only || only.includes(img.label)) ? i : -1))
    .filter((i) => i >= 0);
  const dim = d.val.views[0].dim;
  const x = matrix(keep.length, dim);
  keep.forEach((i, r) => x.data.set(d.val.views[0].data.subarray(i * dim, (i + 1) * dim), r * dim));
  return { x, unit: Int32Array.from(keep, (i) => unitOf[d.flowersVal[i].label]) };
}

export function retentionSet(d: GrowthData): { x: FeatureMatrix; unit: Int32Array } {
  return { x: d.retention.views[0], unit: Int32Array.from(d.odd, (r) => r.unit) };
}

/** Labelled rows (k+1 views) of several image sources, each image mapped to its child unit (unmapped images skipped). */
export function labelledRows(
  sources: { images: LabelledImage[]; views: Views; unitOf: (label: string) => number | undefined }[],
  k: number,
): LabelledFeatures {
  const parts: { x: FeatureMatrix; image: Int32Array; augmentation: Uint16Array; unit: Int32Array }[] = [];
  let offset = 0;
  for (const s of sources) {
    const keep = s.images.map((img, i) => (s.unitOf(img.label) !== undefined ? i : -1)).filter((i) => i >= 0);
    const st = stackViews(s.views, k, keep);
    parts.push({
      ...st,
      image: Int32Array.from(st.image, (i) => i + offset),
      unit: Int32Array.from(st.image, (i) => s.unitOf(s.images[i].label)!),
    });
    offset += s.images.length;
  }
  const cat = <T extends Int32Array | Uint16Array>(xs: T[], C: new (n: number) => T) => {
    const out = new C(xs.reduce((a, x) => a + x.length, 0));
    let o = 0;
    for (const x of xs) {
      out.set(x, o);
      o += x.length;
    }
    return out;
  };
  return {
    x: concatRows(parts.map((p) => p.x)),
    unit: cat(
      parts.map((p) => p.unit),
      Int32Array,
    ),
    image: cat(
      parts.map((p) => p.image),
      Int32Array,
    ),
    augmentation: cat(
      parts.map((p) => p.augmentation),
      Uint16Array,
    ),
  };
}

/** Plain rows of an evaluation source, each image mapped to its child unit (unmapped images skipped). */
export function evalRows(
  images: LabelledImage[],
  v: Views,
  unitOf: (label: string) => number | undefined,
): { x: FeatureMatrix; unit: Int32Array } {
  const keep = images.map((img, i) => (unitOf(img.label) !== undefined ? i : -1)).filter((i) => i >= 0);
  const s = stackViews(v, 0, keep);
  return { x: s.x, unit: Int32Array.from(keep, (i) => unitOf(images[i].label)!) };
}

/** Rehearsal rows: the even half of imagenet-sample, k+1 views. */
export function poolRows(d: GrowthData, k: number): PoolFeatures {
  return stackViews(
    d.pool,
    k,
    d.even.map((_, i) => i),
  );
}

/**
 * Runs `script --timing-child` in a fresh node process (nothing of this process's heap or caches in its figures)
 * and returns what it printed as JSON, or `{ error }` with the end of its stderr.
 */
export function timingChild(
  script: string,
  args: { augmentations: number; cache: string; shared: string; extra?: string[] },
): Record<string, unknown> {
  const c = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      '--timing-child',
      '--augmentations',
      String(args.augmentations),
      '--cache',
      args.cache,
      '--shared',
      args.shared,
      ...(args.extra ?? []),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  try {
    return JSON.parse(c.stdout) as Record<string, unknown>;
  } catch {
    return { error: c.stderr?.slice(-2000) };
  }
}
