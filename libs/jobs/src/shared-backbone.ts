// One loaded backbone per process (its weights + ONNX session are ~tens of MB and seconds to load),
// shared by training jobs and the API's predictions.
import { join } from 'node:path';
import type { Config } from '@accrete/config';
import { BottleneckCache, loadBackbone, type Backbone } from '@accrete/trainer';

const backbones = new Map<string, Promise<Backbone>>();
const caches = new Map<string, BottleneckCache>();

export function getSharedBackbone(config: Config, log?: (m: string) => void): Promise<Backbone> {
  const key = `${config.baseModel}|${config.backend}`;
  let p = backbones.get(key);
  if (!p) {
    p = loadBackbone(config.baseModel, { backend: config.backend, cacheDir: join(config.dataDir, 'cache', 'backbones'), log });
    backbones.set(key, p);
    p.catch(() => backbones.delete(key)); // a failed load (e.g. URL unreachable) is retried next time
  }
  return p;
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
  for (const p of all) await p.then((b) => b.dispose(), () => undefined);
}
