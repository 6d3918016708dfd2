// Backbone id: sha256 over the frozen sub-network (layer types, shape-relevant config, weight bytes), in graph order.
// Names, initialisers and regularisers are left out: they do not change the bottleneck space, and a model
// exported from the base (re-serialised by tfjs) must get the same id so caches and ONNX files are shared.
import { createHash } from 'node:crypto';
import type { LayersModel } from '@tensorflow/tfjs';

const IGNORED = /^(name|trainable|dtype)$|(Initializer|Regularizer|Constraint)$/;

function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .filter((k) => !IGNORED.test(k))
        .sort()
        .map((k) => [k, stable((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

export function fingerprint(sub: LayersModel): string {
  const h = createHash('sha256');
  for (const layer of sub.layers) {
    h.update(layer.getClassName());
    h.update(JSON.stringify(stable(layer.getConfig())));
    for (const w of layer.getWeights()) {
      h.update(JSON.stringify(w.shape));
      const d = w.dataSync() as Float32Array;
      h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    }
  }
  return h.digest('hex');
}
