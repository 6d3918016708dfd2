// Paths to the shared, read-only assets used by tests and benches (never copied into the repo).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { loadBackbone } from '../backbone/load-backbone.js';
import { BottleneckCache } from '../cache/bottleneck-cache.js';
import type { Backbone } from '../types.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const sharedDir = resolve(repoRoot, process.env.ACCRETE_SHARED_DIR ?? '../shared');
export const modelDir = join(sharedDir, 'models/mobilenet_v1_0.75_224');
export const flowersDir = join(sharedDir, 'datasets/flowers');
export const imagenetSampleDir = join(sharedDir, 'datasets/imagenet-sample');

/** First n training images of a flower class, sorted by name (stable across machines). */
export function flowerImages(cls: string, n: number, split: 'train' | 'val' = 'train'): string[] {
  const dir = join(flowersDir, split, cls);
  return readdirSync(dir)
    .sort()
    .slice(0, n)
    .map((f) => join(dir, f));
}

/** imagenet-sample rows: file path and the base model's expected output unit. */
export function imagenetSample(n: number): { path: string; unit: number }[] {
  const rows = readFileSync(join(imagenetSampleDir, 'index.csv'), 'utf8').trim().split('\n').slice(1);
  return rows.slice(0, n).map((line) => {
    const [file, idx] = line.split(',');
    return { path: join(imagenetSampleDir, file), unit: Number(idx) };
  });
}

/** What the growth tests share: a scratch folder, the real backbone (its converted model cached there) and a
 *  bottleneck cache in it; close() disposes the backbone and removes the folder. */
export interface GrowthScratch {
  dir: string;
  backbone: Backbone;
  cache: BottleneckCache;
  close(): Promise<void>;
}

export async function openGrowthScratch(prefix: string): Promise<GrowthScratch> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const backbone = await loadBackbone(modelDir, { cacheDir: join(dir, 'backbones') });
  return {
    dir,
    backbone,
    cache: new BottleneckCache(join(dir, 'bottlenecks')),
    async close() {
      await backbone.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
