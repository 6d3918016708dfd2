// extractBottlenecks: bottleneck vectors for images × (plain + k augmentations), served from the cache when present,
// otherwise decoded with sharp (libuv threads) while the backbone runs the previous batch (overlap on 2+ cores).
// Views (augmentations 1..k) come in three kinds, cached apart (never mixed under one id):
//  - 'feature-map' (default when the backbone gives its feature map, i.e. onnx): ONE pass per image, views are
//    averages of sub-windows of its feature map (crops and zooms, augment/feature-views.ts);
//  - 'mirror-and-map': TWO passes per image, the plain one and its mirror (which has no feature-map equivalent);
//    view 1 is the mirror's bottleneck, views 2..k windows of the plain pass's map (growth/README.md, "Issue 10:
//    how views are made": +0.7 pt on v3's flowers, the same retention, a cold flowers job 44 → 74 s);
//  - 'image': one pass per view on a distorted image (flip, crop, brightness; augment/augmentations.ts).
// The plain vector (id 0) is the same in every kind.
import { featureWindow, poolWindow } from '../augment/feature-views.js';
import { preprocessRgb, rgbToInput } from '../preprocess/preprocess.js';
import type { BottleneckCache } from '../cache/bottleneck-cache.js';
import type { Backbone, ImageRef, Progress } from '../types.js';

export interface ExtractOptions {
  cache: BottleneckCache;
  /** k augmentations per image in addition to the plain centre crop (ids 1..k). */
  augmentations?: number;
  /** How views 1..k are made (default: 'feature-map' when the backbone gives feature maps, else 'image'). */
  views?: ViewKind;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Decodes kept in flight ahead of the backbone (default: max(8, 2 batches)). */
  decodeAhead?: number;
  /** Images per backbone call (default: the backend's preferred batch). */
  batch?: number;
  maxPixels?: number;
}

/** How views 1..k are made (the header above); the API lists them (Query.growthViewKinds) and takes one per growth. */
export const VIEW_KINDS = ['feature-map', 'mirror-and-map', 'image'] as const;
export type ViewKind = (typeof VIEW_KINDS)[number];

/** The one membership check of a view kind: the registry (a request), the jobs (a stored row) and extraction use it. */
export function isViewKind(v: unknown): v is ViewKind {
  return (VIEW_KINDS as readonly unknown[]).includes(v);
}

/** The view kind extractBottlenecks uses for this backbone unless told otherwise. */
export function defaultViews(backbone: Backbone): ViewKind {
  return backbone.computeFeatureMaps ? 'feature-map' : 'image';
}

/** Backbone passes per image besides the plain one for k views of this kind (what a job's time estimate weighs). */
export function extraPasses(kind: ViewKind, k: number): number {
  return kind === 'image' ? k : kind === 'mirror-and-map' ? Math.min(k, 1) : 0;
}

/** Cache namespace suffix per view kind: each kind's views 1..k live apart (image-space ones under the backbone id). */
const NAMESPACE: Record<ViewKind, string> = { image: '', 'feature-map': '-fv1', 'mirror-and-map': '-mv1' };

/** Augmentation id of the plain mirror (augment/augmentations.ts): view 1 of 'mirror-and-map'. */
export const MIRROR_AUGMENTATION = 1;

export interface ExtractResult {
  plain: Float32Array[];
  /** [image][k], augmentation ids 1..k. */
  augmented: Float32Array[][];
  /** How many vectors came from the cache and how many were computed, in how many backbone passes. */
  stats: { cached: number; computed: number; passes: number; seconds: number };
}

/** The bottleneck cache could not be written (typically a full disk); the message names no path. */
export class CacheWriteError extends Error {
  readonly code: string | undefined;
  constructor(cause: unknown) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    const why =
      code === 'ENOSPC'
        ? 'the disk is full (ENOSPC)'
        : code === 'EDQUOT'
          ? 'the disk quota is exceeded (EDQUOT)'
          : code
            ? `${code}`
            : 'write failed';
    super(`cannot write the bottleneck cache: ${why}`, { cause });
    this.name = 'CacheWriteError';
    this.code = code;
  }
}

function throwIfAborted(signal?: AbortSignal) {
  if (signal?.aborted)
    throw signal.reason instanceof Error ? signal.reason : new DOMException('extraction aborted', 'AbortError');
}

export async function extractBottlenecks(
  backbone: Backbone,
  images: ImageRef[],
  opts: ExtractOptions,
): Promise<ExtractResult> {
  const t0 = performance.now();
  const k = opts.augmentations ?? 0;
  if (!Number.isInteger(k) || k < 0) throw new Error(`augmentations must be an integer ≥ 0, got ${k}`);
  const need = k + 1;
  const dim = backbone.bottleneckDim;
  const { cache, signal, onProgress } = opts;
  throwIfAborted(signal);
  const kind = opts.views ?? defaultViews(backbone);
  if (!isViewKind(kind)) throw new Error(`unknown view kind "${String(kind)}"`);
  if (kind !== 'image' && !backbone.computeFeatureMaps)
    throw new Error(`backend ${backbone.backend} gives no feature maps: use image views`);
  // Plain-only requests share the plain namespace whatever the view kind (vector 0 is the same).
  const byMaps = kind !== 'image' && k > 0;
  const ns = byMaps ? backbone.id + NAMESPACE[kind] : backbone.id;
  // The plain pass's windows fill views 1..k, or 2..k when view 1 is the mirror's pass.
  const mirrored = kind === 'mirror-and-map';
  const firstWindow = mirrored ? 1 + MIRROR_AUGMENTATION : 1;

  // 1. What is cached already (vectors per image, prefix of augmentation ids).
  const have = await cache.readMany(
    ns,
    images.map((i) => i.sha256),
    dim,
    (done) => {
      throwIfAborted(signal);
      onProgress?.({ phase: 'cache', done, total: images.length });
    },
  );

  // 2. Missing (image, augmentation) pairs, image-major so finished images get written early.
  const vectors: Float32Array[][] = have.map((v) => v.slice(0, need));
  const tasks: { img: number; aug: number }[] = [];
  let cached = 0;
  images.forEach((_, i) => {
    if (byMaps) {
      if (have[i].length < need) {
        tasks.push({ img: i, aug: 0 }); // the plain pass gives every window
        if (mirrored) tasks.push({ img: i, aug: MIRROR_AUGMENTATION });
      } else cached += need;
      return;
    }
    cached += Math.min(have[i].length, need);
    if (have[i].length < need) for (let a = have[i].length; a < need; a++) tasks.push({ img: i, aug: a });
  });
  const remaining = new Map<number, number>(); // image → vectors still to compute
  for (const t of tasks) remaining.set(t.img, (remaining.get(t.img) ?? 0) + 1);

  if (tasks.length > 0) {
    const size = backbone.inputSize;
    const px = size * size * 3;
    const batch = Math.max(1, opts.batch ?? backbone.preferredBatch);
    const ahead = Math.max(batch, opts.decodeAhead ?? Math.max(8, 2 * batch));
    const decode = (t: { img: number; aug: number }) =>
      preprocessRgb(images[t.img].path, { augmentation: t.aug, size, maxPixels: opts.maxPixels });
    const inflight: Promise<Uint8Array>[] = [];
    let issued = 0;
    const refill = () => {
      while (issued < tasks.length && inflight.length < ahead) {
        const p = decode(tasks[issued++]);
        p.catch(() => undefined); // surfaced when awaited in order; avoids unhandled-rejection noise
        inflight.push(p);
      }
    };
    const tStart = performance.now();
    // Cache writes run beside the backbone; each one's failure is caught at once (a full disk must fail the job
    // with a clear reason, never surface later as an unhandled rejection) and stops the extraction.
    const writes: Promise<void>[] = [];
    let writeError: unknown = null;
    let done = 0;
    const fresh = new Map<number, Float32Array[]>(); // by-maps images with a pass still to come
    const input = new Float32Array(batch * px);
    onProgress?.({ phase: 'extract', done: 0, total: tasks.length });
    refill();
    try {
      while (done < tasks.length) {
        throwIfAborted(signal);
        if (writeError) throw new CacheWriteError(writeError);
        const n = Math.min(batch, tasks.length - done);
        for (let j = 0; j < n; j++) {
          const rgb = await inflight.shift()!;
          rgbToInput(rgb, input, j * px);
        }
        refill(); // next decodes run while the backbone computes this batch
        if (byMaps) {
          const out = await backbone.computeFeatureMaps!(input, n);
          for (let j = 0; j < n; j++) {
            const t = tasks[done + j];
            let v = fresh.get(t.img);
            if (!v) fresh.set(t.img, (v = new Array<Float32Array>(need)));
            v[t.aug] = out.bottlenecks.slice(j * dim, (j + 1) * dim);
            if (t.aug === 0)
              for (let a = firstWindow; a < need; a++)
                v[a] = poolWindow(out.maps, j, dim, out.side, featureWindow(a - firstWindow + 1, out.side));
            const left = remaining.get(t.img)! - 1;
            remaining.set(t.img, left);
            if (left > 0) continue;
            fresh.delete(t.img);
            vectors[t.img] = v;
            writes.push(
              cache
                .write(ns, images[t.img].sha256, v, have[t.img].length)
                .catch((e: unknown) => void (writeError ??= e)),
            );
          }
        } else {
          const out = await backbone.computeBottlenecks(input, n);
          for (let j = 0; j < n; j++) {
            const t = tasks[done + j];
            vectors[t.img][t.aug] = out.slice(j * dim, (j + 1) * dim);
            const left = remaining.get(t.img)! - 1;
            remaining.set(t.img, left);
            if (left === 0)
              writes.push(
                cache
                  .write(ns, images[t.img].sha256, vectors[t.img], have[t.img].length)
                  .catch((e: unknown) => void (writeError ??= e)),
              );
          }
        }
        done += n;
        const elapsed = (performance.now() - tStart) / 1000;
        onProgress?.({
          phase: 'extract',
          done,
          total: tasks.length,
          etaSeconds: (elapsed / done) * (tasks.length - done),
        });
      }
    } finally {
      // Finished images stay cached even when the run is aborted or hits a bad image.
      await Promise.all(writes); // never rejects: failures are in writeError
    }
    if (writeError) throw new CacheWriteError(writeError);
  }

  return {
    plain: vectors.map((v) => v[0]),
    augmented: vectors.map((v) => v.slice(1, need)),
    stats: {
      cached,
      computed: byMaps ? tasks.filter((t) => t.aug === 0).length * need : tasks.length,
      passes: tasks.length,
      seconds: (performance.now() - t0) / 1000,
    },
  };
}
