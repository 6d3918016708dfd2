// One loaded backbone per process (its weights + ONNX session are ~tens of MB and seconds to load), for the API's
// predictions: loaded on the first one, not at start (training jobs load theirs in the training process).
import { join } from 'node:path';
import type { Config } from '@accrete/config';
import { BottleneckCache, loadBackbone, type Backbone } from '@accrete/trainer';

const backbones = new Map<string, Promise<Backbone>>();
const loaded = new Map<string, Backbone>();

/** Where the configured backbone comes from and where its derived files (ONNX form) are cached. */
export function backboneSpec(config: Config): { source: string; backend: Config['backend']; cacheDir: string } {
  return { source: config.baseModel, backend: config.backend, cacheDir: join(config.dataDir, 'cache', 'backbones') };
}
const caches = new Map<string, BottleneckCache>();

export function getSharedBackbone(config: Config, log?: (m: string) => void): Promise<Backbone> {
  const key = `${config.baseModel}|${config.backend}`;
  let p = backbones.get(key);
  if (!p) {
    const spec = backboneSpec(config);
    // this process serves requests: the backbone is read (tfjs, weights, ONNX conversion) and run on worker threads,
    // never on the event loop (reading it here held the loop ~0.6–1.2 s on the first prediction)
    // One intra-op thread: a serving process keeps the other core for its event loop (/health, lists) while it
    // predicts; with two, a burst of predictions held /health for ~400 ms (bench/hostile.ts, "8 predict aliases").
    p = loadBackbone(spec.source, {
      backend: spec.backend,
      cacheDir: spec.cacheDir,
      log,
      inferenceThread: true,
      threads: 1,
    });
    backbones.set(key, p);
    p.then(
      (b) => loaded.set(key, b),
      () => undefined,
    );
    p.catch(() => backbones.delete(key)); // a failed load (e.g. URL unreachable) is retried next time
  }
  return p;
}

/** The shared backbone if this process has loaded it already (nothing is loaded by asking). */
export function loadedSharedBackbone(config: Config): Backbone | undefined {
  return loaded.get(`${config.baseModel}|${config.backend}`);
}

/** The process-wide bottleneck cache under the data dir (content-addressed, safe to share between processes). */
export function getSharedBottleneckCache(config: Config): BottleneckCache {
  let c = caches.get(config.paths.bottlenecks);
  if (!c) caches.set(config.paths.bottlenecks, (c = new BottleneckCache(config.paths.bottlenecks)));
  return c;
}

/** Releases the shared backbones (process shutdown, tests). */
export async function disposeSharedBackbones(): Promise<void> {
  const all = [...backbones.values()];
  backbones.clear();
  loaded.clear();
  for (const p of all)
    await p.then(
      (b) => b.dispose(),
      () => undefined,
    );
}
